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

/** Sums of the timings seen; `summary()` gives means per response (a phase absent from a response counts 0 there). */
export function timingTotals() {
  let responses = 0;
  let untimed = 0;
  let trips = 0;
  const phases = {};
  return {
    add(response) {
      const timing = parseServerTiming(response.headers.get("server-timing"));
      if (!timing) return void untimed++;
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
        d1Trips: mean(trips),
        phases: Object.fromEntries(Object.entries(phases).map(([name, ms]) => [name, mean(ms)])),
      };
    },
  };
}
