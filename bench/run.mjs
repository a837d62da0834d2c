// `npm run bench`: the production build on a freshly seeded data directory, loaded over loopback.
// Prints one JSON line per scenario and a summary line; exits non-zero only when the bench itself broke.
//
// Environment: BENCH_USERS (100000), BENCH_SECONDS (5), BENCH_MAILS (2000), BENCH_IMPORT_ROWS (10000),
// BENCH_PROFILE=1 (server CPU profiles, summarised), BENCH_ONLY=a,b (only these scenarios),
// BENCH_KEEP=1 (keep the data directory).
import { Buffer } from "node:buffer";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { download, json, login } from "./api.mjs";
import { cpuSince, cpuTimes } from "./cpu.mjs";
import { idleRss } from "./idle.mjs";
import { importScenario, outboxDeliver } from "./writes.mjs";
import { runLoad } from "./load.mjs";
import { exited, freePort, root, spawnNode, startHello, startRoster, stopAll, stopChild } from "./proc.mjs";
import { CONNECTIONS, cfg, cores, emit, median, profileDir, profileLines, results, round, scenario, state, summary } from "./report.mjs";
import { memory, rssBreakdown, sampleRss } from "./rss.mjs";
import { relayLoad } from "./mail.mjs";
import { PASSWORD, seed } from "./seed.mjs";

let dataDir;

async function main() {
  dataDir = mkdtempSync(path.join(os.tmpdir(), "roster-bench-"));
  if (cfg.profile) state.profileRoot = mkdtempSync(path.join(os.tmpdir(), "roster-bench-profiles-"));

  // ── seed ────────────────────────────────────────────────────────────────
  const t0 = performance.now();
  const seeded = await seed(dataDir, cfg.users);
  const dbFile = path.join(dataDir, "roster.db");
  emit({
    scenario: "seed",
    users: cfg.users,
    seconds: round((performance.now() - t0) / 1000, 2),
    ...seeded.stats,
    db_mb: round(statSync(dbFile).size / 2 ** 20),
    login_accounts: seeded.loginUsers.length,
    load_avg: os.loadavg().map((x) => round(x, 2)),
    search_terms: seeded.terms.length,
    data_dir: dataDir,
  });

  // ── startup: spawn → first 200 of /readyz, three times ──────────────────
  await scenario("startup", async () => {
    const runs = [];
    const rssAtReady = [];
    for (let i = 1; i <= 3; i++) {
      const s = await startRoster({ dataDir, profileDir: profileDir(`startup-${i}`), everyMs: 2 });
      runs.push(round(s.readyMs, 0));
      rssAtReady.push(memory(s.pid)?.rssMb);
      await s.stop();
      await profileLines(`startup-${i}`);
    }
    return { ms: median(runs), runs_ms: runs, rss_at_ready_mb: rssAtReady, accounts: seeded.stats.accounts, note: "median of 3; readyz polled every 2 ms" };
  });

  // ── the main server: everything HTTP ────────────────────────────────────
  const relayPort = await freePort();
  let relay = null;
  const server = await startRoster({
    dataDir,
    profileDir: profileDir("main"),
    env: { ROSTER_RELAY_PORT: String(relayPort), ROSTER_RELAY_ALLOW: "127.0.0.1" },
    lineFilter: /relay/i,
    onLine: (o) => {
      // A build with the embedded relay says so when it listens; a build without one gets a "skipped" line.
      if (!relay && typeof o.msg === "string" && /relay/i.test(o.msg) && /listen/i.test(o.msg)) relay = { port: Number(o.port) || relayPort };
    },
  });
  const base = server.base;
  const token = await login(base, seeded.owner.email, PASSWORD);
  const bearer = { authorization: `Bearer ${token}` };
  const seconds = cfg.seconds;

  await scenario("baseline-hello", async () => {
    const hello = await startHello();
    try {
      const load = await runLoad({ base: hello.base, path: "/", seconds, pid: hello.pid });
      return { ...load, rss_after_mb: memory(hello.pid)?.rssMb ?? null, ...rssBreakdown(hello.pid), what: "bare hono + @hono/node-server, GET / → {status:ok}, own process" };
    } finally {
      await hello.stop();
    }
  });

  await scenario("healthz", async () => runLoad({ base, path: "/healthz", seconds, pid: server.pid }));

  // What one indexed lookup costs on this machine with nothing else: the ceiling me-bearer is measured against.
  await scenario("baseline-lookup", async () => {
    const hello = await startHello({ db: dbFile });
    try {
      const me = await json(hello.base, "GET", "/me", { headers: bearer });
      if (me.user_id !== seeded.owner.userId) throw new Error(`the baseline's /me answered ${JSON.stringify(me).slice(0, 200)}`);
      const load = await runLoad({ base: hello.base, path: "/me", headers: bearer, seconds, pid: hello.pid });
      return { ...load, what: "bare hono + better-sqlite3, GET /me: Bearer token → one prepared read of session+account → JSON; no middleware, headers or log; own process" };
    } finally {
      await hello.stop();
    }
  });

  // The same answer /api/v1/me gives (the account, about 1 KB of JSON) from the bare server with no
  // lookup at all: what the answer's size alone costs on this machine, the load generator included.
  await scenario("baseline-body", async () => {
    const me = await json(base, "GET", "/api/v1/me", { headers: bearer });
    const body = JSON.stringify(me);
    const hello = await startHello({ body });
    try {
      const load = await runLoad({ base: hello.base, path: "/body", seconds, pid: hello.pid });
      return { ...load, body_bytes: Buffer.byteLength(body), what: "bare hono + @hono/node-server, GET /body → the JSON /api/v1/me answered (no lookup, no middleware); own process" };
    } finally {
      await hello.stop();
    }
  });

  await scenario("me-bearer", async () => {
    const me = await json(base, "GET", "/api/v1/me", { headers: bearer });
    if (me.userId !== seeded.owner.userId) throw new Error(`GET /api/v1/me answered ${JSON.stringify(me).slice(0, 200)}`);
    return runLoad({ base, path: "/api/v1/me", headers: bearer, seconds, pid: server.pid });
  });

  await scenario("me-cookie", async () => {
    const cookie = { cookie: `roster_session=${token}` };
    await json(base, "GET", "/api/v1/me", { headers: cookie });
    return runLoad({ base, path: "/api/v1/me", headers: cookie, seconds, pid: server.pid });
  });

  await scenario("introspect", async () => {
    const { key } = await json(base, "POST", "/api/v1/admin/api-keys", { headers: bearer, body: { name: "bench" } }, 201);
    const headers = { authorization: `Bearer ${key}`, "content-type": "application/x-www-form-urlencoded" };
    const body = `token=${encodeURIComponent(token)}`;
    const r = await json(base, "POST", "/api/v1/introspect", { headers, body });
    if (r.active !== true) throw new Error(`introspection of a live token answered ${JSON.stringify(r)}`);
    return runLoad({ base, path: "/api/v1/introspect", method: "POST", headers, body, seconds, pid: server.pid });
  });

  await scenario("admin-search", async () => {
    const terms = seeded.terms;
    const totals = [];
    for (const q of terms) totals.push((await json(base, "GET", `/api/v1/admin/users?q=${encodeURIComponent(q)}`, { headers: bearer })).total);
    const requests = terms.map((q) => ({ method: "GET", path: `/api/v1/admin/users?q=${encodeURIComponent(q)}` }));
    let next = 0;
    // Each connection starts at a different term, so they do not all ask the same thing at once.
    const setupClient = (client) => {
      const k = next++ % requests.length;
      client.setRequests([...requests.slice(k), ...requests.slice(0, k)]);
    };
    const load = await runLoad({ base, path: "/api/v1/admin/users", headers: bearer, setupClient, seconds, pid: server.pid });
    // The same terms from one connection: the time one search takes when it does not queue behind nine others.
    const single = await runLoad({ base, path: "/api/v1/admin/users", headers: bearer, requests, connections: 1, seconds: Math.min(2, seconds), warmupSeconds: 0 });
    // A typed query lists matches oldest first unless a sort is asked for; sorted by userId (what the users page asks for)
    // it reads the userId of every match first. One connection, so the cost of that order stays in view.
    const byUserId = await runLoad({
      base, path: "/api/v1/admin/users", headers: bearer, connections: 1, seconds: Math.min(2, seconds), warmupSeconds: 0, pid: server.pid,
      requests: requests.map((r) => ({ ...r, path: `${r.path}&sort=userId` })),
    });
    const sorted = [...totals].sort((a, b) => a - b);
    return {
      ...load,
      terms: terms.length,
      japanese_terms: terms.filter((t) => [...t].some((ch) => ch.charCodeAt(0) > 127)).length,
      matches: { min: sorted[0], median: median(sorted), max: sorted.at(-1), zero: sorted.filter((x) => x === 0).length },
      sample_terms: terms.slice(0, 12),
      one_connection: { req_per_s: single.req_per_s, p50_ms: single.p50_ms, p99_ms: single.p99_ms, max_ms: single.max_ms },
      one_connection_sort_user_id: { req_per_s: byUserId.req_per_s, p50_ms: byUserId.p50_ms, p99_ms: byUserId.p99_ms, server_cpu_ms_per_req: byUserId.server_cpu_ms_per_req },
    };
  });

  await scenario("export-csv-100k", async () => {
    const rss = sampleRss(server.pid, 20);
    const cpu0 = cpuTimes(server.pid);
    const d = await download(base, "/api/v1/admin/users/export?format=csv", bearer);
    const mem = rss.stop();
    if (d.status !== 200) throw new Error(`export answered ${d.status}`);
    return {
      seconds: round(d.totalMs / 1000, 2),
      bytes: d.bytes,
      rows: d.lines - 1,
      mb_per_s: round(d.bytes / 2 ** 20 / (d.totalMs / 1000)),
      first_byte_ms: round(d.firstByteMs, 0),
      ...mem,
      ...cpuSince(server.pid, cpu0),
      accounts: seeded.stats.accounts,
    };
  });

  // ── logins: Argon2id is the cost; compare with what the cores can verify ─
  await scenario("argon2-capacity", async () => {
    const conc = [...new Set([cores, 2 * cores])];
    const lines = [];
    const p = spawnNode(path.join(root, "bench", "argon2-capacity.mjs"), {
      env: {
        BENCH_HASH: seeded.hash,
        BENCH_PASSWORD: PASSWORD,
        BENCH_CONCURRENCY: conc.join(","),
        BENCH_SECONDS: String(Math.min(3, seconds)),
        UV_THREADPOOL_SIZE: String(Math.max(4, 2 * cores)),
      },
      onLine: (o) => lines.push(o),
    });
    const { code } = await stopChildWhenDone(p.child, 60_000);
    if (code !== 0 || !lines.length) throw new Error(`argon2-capacity exited ${code}: ${p.tail.join("\n")}`);
    const best = lines.reduce((a, b) => (b.per_s > a.per_s ? b : a));
    return { verifies_per_s: best.per_s, best_concurrency: best.concurrency, cores, runs: lines, params: seeded.hash.split("$")[3] };
  });

  const loginUsers = seeded.loginUsers;
  /** Each connection logs in its own accounts, so no account ever has two checks in flight (the throttle counts those). */
  const loginClients = () => {
    let next = 0;
    return (client) => {
      const i = next++ % CONNECTIONS;
      const mine = loginUsers.filter((_, k) => k % CONNECTIONS === i);
      client.setRequests((mine.length ? mine : loginUsers).map((login) => ({
        method: "POST",
        path: "/api/v1/auth/login",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ login, password: PASSWORD, device: "bench" }),
      })));
    };
  };
  const capacity = () => results.get("argon2-capacity")?.verifies_per_s;

  await scenario("login", async () => {
    for (const l of loginUsers.slice(0, 2)) await login(base, l, PASSWORD);
    const load = await runLoad({ base, path: "/api/v1/auth/login", method: "POST", setupClient: loginClients(), seconds, pid: server.pid });
    const cap = capacity();
    return { ...load, accounts: loginUsers.length, argon2_verifies_per_s: cap ?? null, vs_capacity: cap ? round(load.req_per_s / cap, 3) : null };
  });

  await scenario("healthz-during-logins", async () => {
    const [logins, healthz] = await Promise.all([
      runLoad({ base, path: "/api/v1/auth/login", method: "POST", setupClient: loginClients(), seconds, pid: server.pid }),
      runLoad({ base, path: "/healthz", connections: 1, seconds }),
    ]);
    return {
      ...healthz,
      login_req_per_s: logins.req_per_s,
      login_p99_ms: logins.p99_ms,
      login_errors: logins.errors,
      login_non2xx: logins.non2xx,
      login_main_thread_cpu_ms_per_req: logins.main_thread_cpu_ms_per_req,
      what: "healthz over 1 connection while 10 connections log in",
    };
  });

  await scenario("relay-accept", async () => {
    if (!relay) return { skipped: "the relay is not built yet" };
    return relayLoad(relay.port, seconds, CONNECTIONS);
  });

  // ── import, then the mail it queued ─────────────────────────────────────
  await scenario("import-10k", () => importScenario({ base, bearer, dbFile, orgId: seeded.orgId, pid: server.pid }));

  await scenario("idle-rss", () => idleRss(server, base));

  const stopped = await server.stop();
  if (stopped.code !== 0) console.error(`roster exited with ${stopped.code ?? stopped.signal}: ${server.tail.slice(-5).join("\n")}`);
  await profileLines("main");

  // ── the outbox worker against a real SMTP server ────────────────────────
  await scenario("outbox-deliver", () => outboxDeliver({ dataDir, dbFile }));

  emit(summary());
}

async function stopChildWhenDone(child, timeoutMs) {
  const done = exited(child);
  const timer = sleep(timeoutMs).then(() => "timeout");
  if ((await Promise.race([done, timer])) === "timeout") return stopChild(child, 1000);
  return { code: child.exitCode, signal: child.signalCode };
}



let cleaning = null;
async function cleanup() {
  cleaning ??= (async () => {
    await stopAll();
    if (dataDir && !cfg.keep) rmSync(dataDir, { recursive: true, force: true });
  })();
  return cleaning;
}

for (const sig of ["SIGINT", "SIGTERM"]) {
  process.once(sig, () => {
    state.interrupted = true;
    console.error(`bench: ${sig}, stopping the servers`);
    void cleanup().finally(() => process.exit(130));
  });
}

main()
  .then(async () => {
    await cleanup();
    process.exit(state.broken ? 1 : 0);
  })
  .catch(async (e) => {
    if (!state.interrupted) console.log(JSON.stringify({ scenario: "bench", error: String(e?.stack ?? e).slice(0, 4000) }));
    await cleanup();
    process.exit(1);
  });

