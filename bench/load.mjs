// autocannon's programmatic API, one shape of result for every load scenario.
import autocannon from "autocannon";
import { cpuSince, cpuTimes } from "./cpu.mjs";

const ms = (x) => (typeof x === "number" && Number.isFinite(x) ? Math.round(x * 100) / 100 : null);

/**
 * Runs a load for `seconds` (after `warmupSeconds` that are not measured) over
 * `connections` keep-alive connections. Either one request (`method`, `path`,
 * `headers`, `body`) or `requests` (autocannon's sequence) or `setupClient`
 * (per connection) describe what is sent.
 */
export async function runLoad({ base, path = "/", method = "GET", headers, body, requests, setupClient, connections = 10, seconds, warmupSeconds = 1, timeoutSeconds = 30, pid }) {
  const opts = {
    url: base + path,
    method,
    headers,
    body,
    requests,
    setupClient,
    connections,
    duration: seconds,
    timeout: timeoutSeconds,
    renderProgressBar: false,
    renderResultsTable: false,
    renderLatencyTable: false,
  };
  // The warm-up is a run of its own, so the server's CPU can be read between it and the measured run.
  if (warmupSeconds > 0) await autocannon({ ...opts, duration: warmupSeconds });
  const before = pid ? cpuTimes(pid) : null;
  const result = summarize(await autocannon(opts));
  return before ? { ...result, ...cpuSince(pid, before, result.requests) } : result;
}

/** The numbers every load line carries. */
export function summarize(r) {
  const completed = r.requests.total;
  const codes = Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([code, v]) => [code, v.count]));
  return {
    req_per_s: r.duration > 0 ? Math.round((completed / r.duration) * 10) / 10 : 0,
    p50_ms: ms(r.latency.p50),
    p99_ms: ms(r.latency.p99),
    errors: r.errors,
    non2xx: r.non2xx,
    p90_ms: ms(r.latency.p90),
    max_ms: ms(r.latency.max),
    requests: completed,
    duration_s: r.duration,
    timeouts: r.timeouts,
    status_codes: codes,
    connections: r.connections,
  };
}
