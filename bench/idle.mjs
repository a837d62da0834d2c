// What the server holds when idle, and what the image's health check costs meanwhile.
import { execFile } from "node:child_process";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { clearInterval, setInterval } from "node:timers";
import { request } from "./api.mjs";
import { PRODUCTION, root } from "./proc.mjs";
import { median, round } from "./report.mjs";
import { memory, rssBreakdown } from "./rss.mjs";

/** The `idle-rss` line: the server's memory after the load and once idle, and the health checks run meanwhile. */
export async function idleRss(server, base) {
  // Right after the load, and once the server has been idle long enough to hand back what it
  // holds for load (hashing threads, SQLite's page cache): the second is the idle figure.
  // The image's HEALTHCHECK asks /readyz every 10 s through `roster healthcheck`, a process of its own:
  // so does the bench while it waits, and it reports what each of those processes took.
  const samples = {};
  const checks = [];
  const probe = setInterval(() => void healthcheck(base).then((c) => checks.push(c)), 10_000);
  try {
    for (const at of (process.env.BENCH_IDLE_AT ?? "5,65").split(",").map(Number)) {
      await sleep(at * 1000 - (samples.last ?? 0) * 1000);
      samples.last = at;
      const b = rssBreakdown(server.pid);
      samples[`rss_${at}s_mb`] = memory(server.pid)?.rssMb ?? null;
      samples[`anon_${at}s_mb`] = b?.anon_mb ?? null;
    }
  } finally {
    clearInterval(probe);
  }
  const m = memory(server.pid);
  const { last, ...figures } = samples;
  const ok = checks.filter((c) => c.ok);
  const healthchecks = { runs: checks.length, failed: checks.length - ok.length, peak_rss_mb: median(ok.map((c) => c.peakMb)), ms: median(ok.map((c) => c.ms)) };
  return { rss_mb: m?.rssMb ?? null, hwm_mb: m?.hwmMb ?? null, ...rssBreakdown(server.pid), ...(await v8Heap(base)), idle_s: last, ...figures, healthchecks, server_log: server.counts };
}
/**
 * `roster healthcheck` (dist/cli/index.mjs) against the server at `base`, as the image runs it: whether
 * it passed, its wall time, and its own peak RSS (the process's maxRSS, printed at its exit).
 */
export function healthcheck(base) {
  const hook = path.join(root, "bench", "maxrss.cjs");
  const started = performance.now();
  return new Promise((resolve) => {
    const env = { ...process.env, ...PRODUCTION.env, PORT: new URL(base).port, HOST: "127.0.0.1" };
    execFile(process.execPath, ["--require", hook, path.join(root, "dist", "cli", "index.mjs"), "healthcheck"], { env }, (e, _out, err) => {
      const kb = Number(/maxrss_kb=(\d+)/.exec(err)?.[1]);
      resolve({ ok: !e, ms: round(performance.now() - started, 0), peakMb: Number.isFinite(kb) ? round(kb / 1024, 1) : null });
    });
  });
}

/** The server's V8 heap (MB) from its own /metrics (open to loopback by default): where the anonymous memory is. */
export async function v8Heap(base) {
  try {
    const text = (await request(base, "GET", "/metrics")).body;
    const mb = (name) => {
      const v = Number(new RegExp(`^roster_${name} (\\S+)$`, "m").exec(text)?.[1]);
      return Number.isFinite(v) ? Math.round((v / 2 ** 20) * 10) / 10 : null;
    };
    // Each V8 space's committed size: which one holds pages that the collection freed but V8 kept.
    const spaces = {};
    for (const [, space, v] of text.matchAll(/^roster_nodejs_heap_space_size_total_bytes\{space="(\w+)"\} (\S+)$/gm)) {
      const n = Number(v);
      const used = Number(new RegExp(`^roster_nodejs_heap_space_size_used_bytes\\{space="${space}"\\} (\\S+)$`, "m").exec(text)?.[1]);
      if (Number.isFinite(n) && n > 0) spaces[space] = `${Math.round((used / 2 ** 20) * 10) / 10} of ${Math.round((n / 2 ** 20) * 10) / 10}`;
    }
    return { heap_total_mb: mb("nodejs_heap_size_total_bytes"), heap_used_mb: mb("nodejs_heap_size_used_bytes"), external_mb: mb("nodejs_external_memory_bytes"), heap_spaces_mb: spaces };
  } catch {
    return {};
  }
}
