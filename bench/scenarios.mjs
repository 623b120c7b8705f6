// The measured scenarios. Each `prepare` builds its data through the public
// API (registration, login, batch calls) and returns the request to repeat.
// `goal: true`: the issue-13 goal applies (≥ 40 % of the baseline's req/s, p99 ≤ 3× p50).
import { send } from "./client.mjs";
import { timingTotals } from "./server-timing.mjs";
const ORIGIN_HEADER = (base) => ({ Origin: base });
const BIG_ACCOUNT_EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const T0 = 1_700_000_000;

let counter = 0;

async function json(res) {
  const body = await res.json();
  if (res.status >= 400) throw new Error(`${res.status} ${JSON.stringify(body.error)}`);
  return body;
}

/** A fresh account with a personal token. */
export async function account(base) {
  const username = `bench-${Date.now().toString(36)}-${++counter}`;
  const password = `${username}-password`;
  await json(
    await send(`${base}/users`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ appId: "bench-app", username, password, email: `${username}@example.com` }),
    }),
  );
  const { token } = await json(
    await send(`${base}/${username}/auth/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...ORIGIN_HEADER(base) },
      body: JSON.stringify({ appId: "bench-app", username, password }),
    }),
  );
  const post = (calls) =>
    send(`${base}/${username}/`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: token },
      body: typeof calls === "string" ? calls : JSON.stringify(calls),
    });
  /** A batch call whose every result must succeed: the results. */
  const call = async (calls) => {
    const body = await json(await post(calls));
    const failed = batchError(body);
    if (failed) throw new Error(`batch call failed: ${JSON.stringify(failed)}`);
    return body;
  };
  return { username, token, post, call, url: (path) => `${base}/${username}/${path}` };
}

/** One batch of `count` events.create in `streamId`, numbered from `from`, one a minute from T0. */
function createCalls(streamId, from, count) {
  return Array.from({ length: count }, (_, k) => ({
    method: "events.create",
    params: { streamIds: [streamId], type: "count/generic", content: from + k, time: T0 + (from + k) * 60 },
  }));
}

/** The first error among a batch answer's results, or null. */
const batchError = (body) => body.results?.find((r) => r.error)?.error ?? (body.results ? null : body.error ?? "no results");

/**
 * `count` events in stream `streamId` through batch calls of 1000: the seconds it took,
 * each batch's latency (sorted) and the batches' Server-Timing totals.
 */
async function fill(acc, streamId, count) {
  const timing = timingTotals();
  const latencies = [];
  const started = performance.now();
  for (let done = 0; done < count; done += 1000) {
    const t0 = performance.now();
    const res = await acc.post(createCalls(streamId, done, Math.min(1000, count - done)));
    const body = await res.json();
    latencies.push(performance.now() - t0);
    timing.add(res);
    const failed = res.status >= 400 ? body.error : batchError(body);
    if (failed) throw new Error(`fill failed: ${JSON.stringify(failed)}`);
  }
  return { seconds: (performance.now() - started) / 1000, latencies: latencies.sort((a, b) => a - b), timing: timing.summary() };
}

/** The account of BIG_ACCOUNT_EVENTS events in "sensor", loaded once per run and shared by the scenarios reading it. */
let bigAccount = null;
function loadBigAccount(base) {
  bigAccount ??= (async () => {
    const acc = await account(base);
    await acc.call([{ method: "streams.create", params: { id: "sensor", name: "Sensor" } }]);
    return { acc, ...(await fill(acc, "sensor", BIG_ACCOUNT_EVENTS)) };
  })();
  return bigAccount;
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** The big account's load as a figure of its own (events/s), once it has been loaded. */
export async function bigAccountLoad() {
  if (!bigAccount) return null;
  const { seconds, latencies, timing } = await bigAccount;
  return {
    events: BIG_ACCOUNT_EVENTS,
    batches: latencies.length,
    seconds: Number(seconds.toFixed(1)),
    eventsPerSecond: Math.round(BIG_ACCOUNT_EVENTS / seconds),
    batchP50: Number(percentile(latencies, 50).toFixed(1)),
    batchP99: Number(percentile(latencies, 99).toFixed(1)),
    timing,
  };
}

const get = (acc, path) => () => send(acc.url(path), { headers: { Authorization: acc.token } });

/** Reads `path` on an account holding `count` events in stream "diary". */
function streamRead(id, title, count, path) {
  return {
    id,
    title,
    async prepare(base) {
      const acc = await account(base);
      await acc.call([{ method: "streams.create", params: { id: "diary", name: "Diary" } }]);
      await fill(acc, "diary", count);
      const request = get(acc, path);
      return { request, check: async () => `${(await (await request()).json()).events.length} events per answer` };
    },
  };
}

const postJson = (url, token, body, method = "POST") =>
  send(url, { method, headers: { "Content-Type": "application/json", Authorization: token }, body });

/** For batch answers (200 even when calls fail): a failed call makes the request an error. */
const batchFailed = (text) => batchError(JSON.parse(text)) !== null;

/** `count` events.create in "diary" per batch request, on a fresh account. */
function batchCreate(id, title, count, concurrency) {
  return {
    id,
    title,
    async prepare(base) {
      const acc = await account(base);
      await acc.call([{ method: "streams.create", params: { id: "diary", name: "Diary" } }]);
      const body = JSON.stringify(createCalls("diary", 0, count));
      return { concurrency, request: () => acc.post(body), failed: batchFailed };
    },
  };
}

export const scenarios = [
  {
    id: "events-create",
    title: "create one event (POST /events)",
    goal: true,
    async prepare(base) {
      const acc = await account(base);
      await acc.call([{ method: "streams.create", params: { id: "diary", name: "Diary" } }]);
      const body = JSON.stringify({ streamIds: ["diary"], type: "mass/kg", content: 72.5 });
      return { request: () => postJson(acc.url("events"), acc.token, body) };
    },
  },
  {
    id: "events-update",
    title: "update one event (PUT /events/{id}, cycling over 100)",
    goal: true,
    async prepare(base) {
      const acc = await account(base);
      await acc.call([{ method: "streams.create", params: { id: "diary", name: "Diary" } }]);
      const { results } = await acc.call(createCalls("diary", 0, 100));
      const ids = results.map((r) => r.event.id);
      let n = 0;
      return {
        request: () => {
          n++;
          return postJson(acc.url(`events/${ids[n % ids.length]}`), acc.token, JSON.stringify({ content: n }), "PUT");
        },
      };
    },
  },
  {
    id: "events-update-older",
    title: "update one of 10,000 older events (PUT /events/{id}; the account's object keeps none of them)",
    async prepare(base) {
      const acc = await account(base);
      await acc.call([{ method: "streams.create", params: { id: "diary", name: "Diary" } }]);
      const ids = [];
      for (let from = 0; from < 10_000; from += 1000) ids.push(...(await acc.call(createCalls("diary", from, 1000))).results.map((r) => r.event.id));
      // A stream write: the object forgets the events it wrote, as it has after 30 s.
      await acc.call([{ method: "streams.create", params: { id: "elsewhere", name: "Elsewhere" } }]);
      let n = 0;
      return {
        note: "no event is updated twice while a run makes fewer than 10,000 updates: every update starts from D1",
        request: () => {
          n++;
          return postJson(acc.url(`events/${ids[n % ids.length]}`), acc.token, JSON.stringify({ content: n }), "PUT");
        },
      };
    },
  },
  { ...streamRead("events-get-20", "events.get, 20 events (the default)", 1000, "events?streams=diary"), goal: true },
  streamRead("events-get-1000", "events.get, 1000 events (limit=1000)", 2000, "events?streams=diary&limit=1000"),
  {
    id: "streams-get",
    title: "streams.get, 50 streams (5 roots × 9 children)",
    goal: true,
    async prepare(base) {
      const acc = await account(base);
      const calls = [];
      for (let r = 0; r < 5; r++) {
        calls.push({ method: "streams.create", params: { id: `root-${r}`, name: `Root ${r}` } });
        for (let c = 0; c < 9; c++) calls.push({ method: "streams.create", params: { id: `s-${r}-${c}`, name: `Child ${r}.${c}`, parentId: `root-${r}` } });
      }
      await acc.call(calls);
      const request = get(acc, "streams");
      const count = (streams) => streams.reduce((n, s) => n + 1 + count(s.children ?? []), 0);
      return { request, check: async () => `${count((await (await request()).json()).streams)} streams per answer` };
    },
  },
  {
    id: "accesses-get",
    title: "accesses.get, 10 accesses",
    goal: true,
    async prepare(base) {
      const acc = await account(base);
      await acc.call([{ method: "streams.create", params: { id: "diary", name: "Diary" } }]);
      await acc.call(
        Array.from({ length: 10 }, (_, i) => ({
          method: "accesses.create",
          params: { name: `shared-${i}`, type: "shared", permissions: [{ streamId: "diary", level: "read" }] },
        })),
      );
      const request = get(acc, "accesses");
      return { request, check: async () => `${(await (await request()).json()).accesses.length} accesses per answer` };
    },
  },
  batchCreate("batch-10-create", "batch of 10 events.create (POST /{username}/)", 10),
  batchCreate("batch-1000-create", "batch of 1000 events.create, one client (latency = ms per batch; goal ≤ 300 ms)", 1000, 1),
  {
    id: "events-load-100k",
    title: `loading ${BIG_ACCOUNT_EVENTS.toLocaleString("en")} events in batches of 1000`,
    async prepare(base) {
      await loadBigAccount(base);
      return { figureOnly: true };
    },
  },
  {
    id: "events-time-range-100k",
    title: `events.get, 2-hour range in an account of ${BIG_ACCOUNT_EVENTS.toLocaleString("en")} events`,
    goal: true,
    async prepare(base) {
      const { acc } = await loadBigAccount(base);
      const from = T0 + Math.floor(BIG_ACCOUNT_EVENTS / 2) * 60;
      const request = get(acc, `events?fromTime=${from}&toTime=${from + 7200}`);
      return { request, check: async () => `${(await (await request()).json()).events.length} events per answer` };
    },
  },
  {
    id: "events-content-100k",
    title: `events.get, content range (120 values of $) in the same account of ${BIG_ACCOUNT_EVENTS.toLocaleString("en")} events`,
    async prepare(base) {
      const { acc } = await loadBigAccount(base);
      const low = Math.floor(BIG_ACCOUNT_EVENTS / 2);
      const content = encodeURIComponent(JSON.stringify([{ path: "$", gte: low }, { path: "$", lt: low + 120 }]));
      // No time range: only the content condition (served by the events_root_number index) narrows it.
      const request = get(acc, `events?types=count/generic&limit=1000&content=${content}`);
      return {
        note: "same account as events-time-range-100k (loaded once)",
        request,
        check: async () => `${(await (await request()).json()).events.length} events per answer`,
      };
    },
  },
  {
    id: "events-latest-100k",
    title: `events.get, the 20 latest of a stream of ${BIG_ACCOUNT_EVENTS.toLocaleString("en")} events`,
    async prepare(base) {
      const { acc } = await loadBigAccount(base);
      const request = get(acc, "events?streams=sensor");
      return {
        note: "same account as events-time-range-100k (loaded once)",
        request,
        check: async () => `${(await (await request()).json()).events.length} events per answer`,
      };
    },
  },
  {
    id: "events-rare-100k",
    title: `events.get, the 20 latest of a stream of 30 events in the same account of ${BIG_ACCOUNT_EVENTS.toLocaleString("en")}`,
    async prepare(base) {
      const { acc } = await loadBigAccount(base);
      await acc.call([{ method: "streams.create", params: { id: "rare", name: "Rare" } }]);
      await fill(acc, "rare", 30);
      const request = get(acc, "events?streams=rare");
      return {
        note: "same account as events-time-range-100k (loaded once)",
        request,
        check: async () => `${(await (await request()).json()).events.length} events per answer`,
      };
    },
  },
];

const MB = 1_000_000;

/** A file of `size` bytes (pseudo-random: nothing compresses it). */
function payload(size) {
  const out = new Uint8Array(size);
  let x = 12345;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out[i] = x & 0xff;
  }
  return out;
}

/**
 * Upload and download of one file of `size` bytes, beside a bare R2 put and get of the same bytes.
 * Through fetch, for both: it sends a FormData as multipart, and per megabyte moved its cost per request is small.
 */
function fileScenarios(size, label, concurrency) {
  const data = payload(size);
  const raw = (base, key) => `${base}/bench/r2/${key}`;
  return [
    {
      id: `upload-${label}`,
      title: `upload a ${label} file (multipart POST /events)`,
      async prepare(base) {
        const acc = await account(base);
        await acc.call([{ method: "streams.create", params: { id: "files", name: "Files" } }]);
        const event = JSON.stringify({ streamIds: ["files"], type: "file/attached" });
        let n = 0;
        return {
          concurrency,
          bytes: size,
          baseline: () => fetch(raw(base, `up-${label}-${n++ % 16}`), { method: "PUT", body: data }),
          request: () => {
            const form = new FormData();
            form.append("event", event);
            form.append("file", new Blob([data], { type: "application/octet-stream" }), "file.bin");
            return fetch(acc.url("events"), { method: "POST", headers: { Authorization: acc.token }, body: form });
          },
        };
      },
    },
    {
      id: `download-${label}`,
      title: `download a ${label} file (GET /events/{id}/{fileId})`,
      async prepare(base) {
        const acc = await account(base);
        await acc.call([{ method: "streams.create", params: { id: "files", name: "Files" } }]);
        const form = new FormData();
        form.append("event", JSON.stringify({ streamIds: ["files"], type: "file/attached" }));
        form.append("file", new Blob([data]), "file.bin");
        const { event } = await json(await fetch(acc.url("events"), { method: "POST", headers: { Authorization: acc.token }, body: form }));
        // Laid out in R2 as the attachment is (parts above 5 MiB): see src/attachments/raw-r2.routes.ts.
        await fetch(`${raw(base, `down-${label}`)}?layout=attachment`, { method: "PUT", body: data });
        const path = `events/${event.id}/${event.attachments[0].id}`;
        return {
          concurrency,
          bytes: size,
          ...(size > 5 * 1024 * 1024 ? { note: "the baseline object is stored in 5 MiB parts, as the attachment is" } : {}),
          baseline: () => fetch(raw(base, `down-${label}`)),
          request: () => fetch(acc.url(path), { headers: { Authorization: acc.token } }),
        };
      },
    },
  ];
}

scenarios.push(...fileScenarios(1 * MB, "1 MB", 8), ...fileScenarios(50 * MB, "50 MB", 2));
