// The Worker's bench-mode `Server-Timing` header (src/shared/trace.ts):
// `name;dur=ms` per phase and `d1-trips;desc="N"`, averaged over the responses.

/** `{ trips, phases }` of one header value, or null when absent. */
export function parseServerTiming(value) {
  if (!value) return null;
  let trips = 0;
  const phases = {};
  for (const metric of value.split(",")) {
    const [name, ...params] = metric.trim().split(";");
    const param = (key) => params.map((p) => p.trim()).find((p) => p.startsWith(`${key}=`))?.slice(key.length + 1);
    if (name === "d1-trips") trips = Number(param("desc")?.replaceAll('"', "") ?? 0);
    else if (name) phases[name] = (phases[name] ?? 0) + Number(param("dur") ?? 0);
  }
  return { trips, phases };
}

/** Streamed answers whose whole trace is read back afterwards (`wholeAnswerTrips`). */
const TRACE_IDS_KEPT = 50;

/**
 * Sums of the timings seen; `summary()` gives means per response (a phase absent from a response counts 0 there),
 * and the `Bench-Trace` ids of the last streamed answers.
 */
export function timingTotals() {
  let responses = 0;
  let untimed = 0;
  let trips = 0;
  const phases = {};
  const traceIds = [];
  return {
    add(response) {
      const timing = parseServerTiming(response.headers.get("server-timing"));
      if (!timing) return void untimed++;
      const traceId = response.headers.get("bench-trace");
      if (traceId && traceIds.push(traceId) > TRACE_IDS_KEPT) traceIds.shift(); // the latest: past the first calls' own reads
      responses++;
      trips += timing.trips;
      for (const [name, ms] of Object.entries(timing.phases)) phases[name] = (phases[name] ?? 0) + ms;
    },
    summary() {
      if (!responses) return { responses, untimed, d1Trips: null, phases: {} };
      const mean = (sum) => Number((sum / responses).toFixed(2));
      return {
        responses,
        untimed,
        ...(traceIds.length ? { traceIds } : {}),
        d1Trips: mean(trips),
        phases: Object.fromEntries(Object.entries(phases).map(([name, ms]) => [name, mean(ms)])),
      };
    },
  };
}

/**
 * A streamed answer's `Server-Timing` left with its headers, before its later pages were read:
 * the mean D1 trips of the whole answers `traceIds` name, read back from the Worker
 * (`GET /bench/trace/{id}`, src/shared/trace.routes.ts), or null when none is known.
 */
export async function wholeAnswerTrips(send, base, traceIds) {
  const trips = [];
  for (const id of traceIds) {
    const res = await send(`${base}/bench/trace/${id}`);
    if (res.status === 200) trips.push((await res.json()).d1Trips);
    else await res.arrayBuffer();
  }
  return trips.length ? Number((trips.reduce((a, b) => a + b, 0) / trips.length).toFixed(2)) : null;
}
