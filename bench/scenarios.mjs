// The measured scenarios. Each `prepare` builds its data through the public
// API (registration, login, batch calls) and returns the request to repeat.
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
    await fetch(`${base}/users`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ appId: "bench-app", username, password, email: `${username}@example.com` }),
    }),
  );
  const { token } = await json(
    await fetch(`${base}/${username}/auth/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...ORIGIN_HEADER(base) },
      body: JSON.stringify({ appId: "bench-app", username, password }),
    }),
  );
  const call = (calls) =>
    fetch(`${base}/${username}/`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: token },
      body: JSON.stringify(calls),
    }).then(json);
  return { username, token, call, url: (path) => `${base}/${username}/${path}` };
}

/** `count` events in stream `streamId`, one a minute from T0, through batch calls of 1000. */
async function fill(acc, streamId, count) {
  const started = Date.now();
  for (let done = 0; done < count; done += 1000) {
    const calls = [];
    for (let i = done; i < Math.min(count, done + 1000); i++) {
      calls.push({ method: "events.create", params: { streamIds: [streamId], type: "count/generic", content: i, time: T0 + i * 60 } });
    }
    const { results } = await acc.call(calls);
    const failed = results.find((r) => r.error);
    if (failed) throw new Error(`fill failed: ${JSON.stringify(failed.error)}`);
  }
  return (Date.now() - started) / 1000;
}

/** The account of BIG_ACCOUNT_EVENTS events in "sensor", loaded once per run and shared by the scenarios reading it. */
let bigAccount = null;
function loadBigAccount(base) {
  bigAccount ??= (async () => {
    const acc = await account(base);
    await acc.call([{ method: "streams.create", params: { id: "sensor", name: "Sensor" } }]);
    return { acc, seconds: await fill(acc, "sensor", BIG_ACCOUNT_EVENTS) };
  })();
  return bigAccount;
}

const get = (acc, path) => () => fetch(acc.url(path), { headers: { Authorization: acc.token } });

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

export const scenarios = [
  {
    id: "events-create",
    title: "create one event (POST /events)",
    async prepare(base) {
      const acc = await account(base);
      await acc.call([{ method: "streams.create", params: { id: "diary", name: "Diary" } }]);
      const body = JSON.stringify({ streamIds: ["diary"], type: "mass/kg", content: 72.5 });
      return {
        request: () =>
          fetch(acc.url("events"), { method: "POST", headers: { "Content-Type": "application/json", Authorization: acc.token }, body }),
      };
    },
  },
  streamRead("events-get-20", "events.get, 20 events (the default)", 1000, "events?streams=diary"),
  streamRead("events-get-1000", "events.get, 1000 events (limit=1000)", 2000, "events?streams=diary&limit=1000"),
  {
    id: "events-time-range-100k",
    title: `events.get, 2-hour range in an account of ${BIG_ACCOUNT_EVENTS.toLocaleString("en")} events`,
    async prepare(base) {
      const { acc, seconds } = await loadBigAccount(base);
      const from = T0 + Math.floor(BIG_ACCOUNT_EVENTS / 2) * 60;
      const request = get(acc, `events?fromTime=${from}&toTime=${from + 7200}`);
      return {
        note: `loaded ${BIG_ACCOUNT_EVENTS} events through batch calls in ${seconds.toFixed(0)} s (${Math.round(BIG_ACCOUNT_EVENTS / seconds)} events/s)`,
        request,
        check: async () => `${(await (await request()).json()).events.length} events per answer`,
      };
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

/** Upload and download of one file of `size` bytes, beside a bare R2 put and get of the same bytes. */
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
