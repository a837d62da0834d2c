// Child processes of the bench: the Roster server, the baseline hello server, helpers.
// Every child is tracked so that an exit, a failure or Ctrl-C never leaves one behind.
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { clearTimeout } from "node:timers";

export const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");

const children = new Set();

/** A port nobody listens on right now (the kernel's pick for port 0, released again). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Resolves when the child has exited (at once if it already has). */
export function exited(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/** SIGTERM, then SIGKILL after `graceMs`. */
export async function stopChild(child, graceMs = 10_000) {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill("SIGTERM");
    const killed = setTimeout(() => child.kill("SIGKILL"), graceMs);
    await exited(child);
    clearTimeout(killed);
  }
  children.delete(child);
  return { code: child.exitCode, signal: child.signalCode };
}

/** Kills every child still running; used on exit and on SIGINT. */
export async function stopAll() {
  await Promise.all([...children].map((c) => stopChild(c, 3000)));
}

/** The environment a child gets: ours without ROSTER_* (the bench sets those it wants). */
function childEnv(extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("ROSTER_") && !k.startsWith("BENCH_") && k !== "PORT" && k !== "HOST") env[k] = v;
  return { ...env, NODE_ENV: "production", ...extra };
}

/**
 * Spawns `node [nodeArgs] script`, reading its stdout as JSON log lines.
 * `onLine(obj)` sees each parsed line; the last lines are kept for errors.
 */
export function spawnNode(script, { nodeArgs = [], env = {}, onLine, lineFilter } = {}) {
  const child = spawn(process.execPath, [...nodeArgs, script], { cwd: root, env: childEnv(env), stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  child.once("exit", () => children.delete(child));
  const tail = [];
  const keep = (s) => {
    tail.push(s);
    if (tail.length > 40) tail.shift();
  };
  const counts = { lines: 0, warn: 0, error: 0 };
  let buf = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      counts.lines++;
      // The server logs every request: parse only what may matter, or the bench spends its CPU (shared with autocannon) on JSON.parse.
      const level = /"level":(\d+)/.exec(line)?.[1];
      if (level && Number(level) < 40 && lineFilter && !lineFilter.test(line)) continue;
      let obj = null;
      try {
        obj = JSON.parse(line);
      } catch {
        keep(line);
        continue;
      }
      // pino levels: 40 warn, 50 error, 60 fatal.
      if (obj.level >= 50) {
        counts.error++;
        keep(line);
      } else if (obj.level >= 40) {
        counts.warn++;
        keep(line);
      }
      onLine?.(obj);
    }
  });
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (d) => keep(String(d).trimEnd()));
  return { child, tail, counts };
}

/** One GET with a fresh connection; resolves with the status code (or null when refused). */
function probe(port, urlPath) {
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path: urlPath, agent: false, timeout: 2000 }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode));
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(null));
  });
}

/** Polls `urlPath` every `everyMs` until it answers 200; rejects when the child exits or after `timeoutMs`. */
export async function waitReady(proc, port, urlPath, { timeoutMs = 60_000, everyMs = 10 } = {}) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) {
      throw new Error(`the server exited (${proc.child.exitCode ?? proc.child.signalCode}) before ${urlPath} answered 200:\n${proc.tail.join("\n")}`);
    }
    if ((await probe(port, urlPath)) === 200) return;
    await sleep(everyMs);
  }
  throw new Error(`${urlPath} did not answer 200 within ${timeoutMs} ms:\n${proc.tail.join("\n")}`);
}

/**
 * Starts `node dist/roster.mjs` (the bundled server, as `npm start` and the image run it) on a free loopback port with its own data
 * directory and resolves once /readyz answers 200. `readyMs` is from spawn to
 * that first 200. With `profileDir`, the server writes a V8 CPU profile there
 * when it stops.
 */
/**
 * How the image starts the server (Dockerfile: CMD and ENV), and `npm start`
 * the same; e2e/bundle.test.ts checks that the three agree.
 * - An 8 MB young generation: request garbage dies young.
 * - At most two malloc arenas: glibc otherwise gives each thread that
 *   allocates (hashing threads, Node's and V8's helpers) an arena of its own
 *   and keeps what it held after the thread ends or idles, about 10 MB of an
 *   idle server (idle-rss 98 → 88 MB in A/B runs; log ins and token checks
 *   unchanged).
 * - A fixed malloc trim threshold (128 KB, glibc's default): glibc otherwise
 *   raises it, up to 64 MB, each time a large block allocated by mmap is
 *   freed, and then keeps that much free memory at the top of its heap
 *   (idle-rss after the bench's load 96–97 → 91–93 MB in A/B runs). It also
 *   fixes the mmap threshold at its 128 KB start: larger blocks are mapped
 *   and unmapped each time (relay-accept unchanged in A/B runs).
 * - --expose-gc: after a quiet spell the server runs one full collection
 *   (server/db/idle-memory.ts).
 * - --compact-on-every-full-gc: that collection then also moves the live
 *   objects out of the old generation's half-empty pages and hands the pages
 *   back. Without it, V8's heuristics left some 17 MB of them (old space
 *   12 MB used of 30 after the token-check loads; idle RSS 106 → 89 MB).
 *   The full bench saw no cost under load (log ins, import, export and the
 *   latency of health checks unchanged).
 */
export const PRODUCTION = { nodeArgs: ["--max-semi-space-size=8", "--expose-gc", "--compact-on-every-full-gc"], env: { MALLOC_ARENA_MAX: "2", MALLOC_TRIM_THRESHOLD_: "131072" } };

export async function startRoster({ dataDir, env = {}, profileDir, onLine, lineFilter = /(?!)/, logLevel = "info", everyMs = 10 }) {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const nodeArgs = [...PRODUCTION.nodeArgs];
    if (profileDir) {
      mkdirSync(profileDir, { recursive: true });
      nodeArgs.push("--cpu-prof", `--cpu-prof-dir=${profileDir}`);
    }
    const t0 = performance.now();
    const proc = spawnNode(path.join(root, "dist", "roster.mjs"), {
      nodeArgs,
      env: {
        ...PRODUCTION.env,
        PORT: String(port),
        HOST: "127.0.0.1",
        ROSTER_DATA_DIR: dataDir,
        ROSTER_BASE_URL: `http://127.0.0.1:${port}`,
        ROSTER_LOG_LEVEL: logLevel,
        ...env,
      },
      onLine,
      lineFilter,
    });
    try {
      await waitReady(proc, port, "/readyz", { everyMs });
    } catch (e) {
      await stopChild(proc.child, 2000);
      // Another process may have taken the port between freePort() and listen: try another.
      if (attempt < 3 && /EADDRINUSE/.test(String(e.message))) continue;
      throw e;
    }
    const readyMs = performance.now() - t0;
    return { ...proc, port, pid: proc.child.pid, base: `http://127.0.0.1:${port}`, readyMs, stop: () => stopChild(proc.child) };
  }
}

/** The baseline: a bare hono + @hono/node-server server in its own process. */
export async function startHello({ db, body } = {}) {
  const port = await freePort();
  const proc = spawnNode(path.join(root, "bench", "hello.mjs"), { env: { PORT: String(port), ...(db ? { BENCH_DB: db } : {}), ...(body ? { BENCH_BODY: body } : {}) } });
  await waitReady(proc, port, "/");
  return { ...proc, port, pid: proc.child.pid, base: `http://127.0.0.1:${port}`, stop: () => stopChild(proc.child) };
}
