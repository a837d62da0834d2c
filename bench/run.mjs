// `npm run bench`: the production build on a freshly seeded data directory, loaded over loopback.
// Prints one JSON line per scenario and a summary line; exits non-zero only when the bench itself broke.
//
// Environment: BENCH_USERS (100000), BENCH_SECONDS (5), BENCH_MAILS (2000), BENCH_IMPORT_ROWS (10000),
// BENCH_PROFILE=1 (server CPU profiles, summarised), BENCH_ONLY=a,b (only these scenarios),
// BENCH_KEEP=1 (keep the data directory).
import { Buffer } from "node:buffer";
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { clearInterval, setInterval } from "node:timers";
import { download, json, login, request } from "./api.mjs";
import { cpuSince, cpuTimes } from "./cpu.mjs";
import { runLoad } from "./load.mjs";
import { summarizeProfile } from "./profile.mjs";
import { exited, freePort, PRODUCTION, root, spawnNode, startHello, startRoster, stopAll, stopChild } from "./proc.mjs";
import { memory, rssBreakdown, sampleRss } from "./rss.mjs";
import { queueMails, relayLoad, waitOutboxDrained } from "./mail.mjs";
import { importCsv, PASSWORD, seed } from "./seed.mjs";
import { startSink } from "./smtp-sink.mjs";

const int = (name, dflt, min) => {
  const v = process.env[name];
  if (v === undefined || v === "") return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) throw new Error(`${name}: expected a number of at least ${min} (got "${v}")`);
  return n;
};

const cfg = {
  users: Math.floor(int("BENCH_USERS", 100_000, 1000)),
  seconds: int("BENCH_SECONDS", 5, 1),
  mails: Math.floor(int("BENCH_MAILS", 2000, 10)),
  importRows: Math.floor(int("BENCH_IMPORT_ROWS", 10_000, 10)),
  profile: process.env.BENCH_PROFILE === "1",
  only: process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(",").map((s) => s.trim())) : null,
  keep: process.env.BENCH_KEEP === "1",
};
const cores = os.availableParallelism?.() ?? os.cpus().length;
const CONNECTIONS = 10;

const results = new Map();
let broken = false;
let interrupted = false;

function emit(line) {
  results.set(line.scenario, line);
  console.log(JSON.stringify(line));
}

/** Runs one scenario; its failure is reported on its line and marks the run broken, the others still run. */
async function scenario(name, fn) {
  if (interrupted || (cfg.only && !cfg.only.has(name))) return;
  try {
    const line = { scenario: name, ...(await fn()) };
    if (!interrupted) emit(line);
  } catch (e) {
    if (interrupted) return;
    broken = true;
    emit({ scenario: name, error: String(e?.message ?? e).slice(0, 2000) });
  }
}

const round = (x, d = 1) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : null);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

let dataDir;
let profileRoot;

async function profileLines(label) {
  if (!profileRoot) return;
  const dir = path.join(profileRoot, label);
  let files = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith(".cpuprofile"));
  } catch {
    return;
  }
  for (const f of files) {
    try {
      console.log(JSON.stringify({ scenario: "profile", server: label, file: path.join(dir, f), ...summarizeProfile(path.join(dir, f)) }));
    } catch (e) {
      console.log(JSON.stringify({ scenario: "profile", server: label, file: path.join(dir, f), error: String(e?.message ?? e) }));
    }
  }
}

const profileDir = (label) => (profileRoot ? path.join(profileRoot, label) : undefined);

async function main() {
  dataDir = mkdtempSync(path.join(os.tmpdir(), "roster-bench-"));
  if (cfg.profile) profileRoot = mkdtempSync(path.join(os.tmpdir(), "roster-bench-profiles-"));

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
  await scenario("import-10k", async () => {
    const csv = importCsv(cfg.importRows, seeded.orgId);
    if (Buffer.byteLength(csv) > 10 * 2 ** 20) throw new Error(`the CSV is ${Buffer.byteLength(csv)} bytes, over the import's 10 MB body limit: lower BENCH_IMPORT_ROWS`);
    const rss = sampleRss(server.pid, 20);
    const cpu0 = cpuTimes(server.pid);
    const t = performance.now();
    const r = await request(base, "POST", "/api/v1/admin/users/import", { headers: { ...bearer, "content-type": "text/csv; charset=utf-8" }, body: csv, timeoutMs: 600_000 });
    const ms = performance.now() - t;
    const mem = rss.stop();
    const cpu = cpuSince(server.pid, cpu0, cfg.importRows);
    if (r.status !== 200) throw new Error(`import answered ${r.status}: ${r.body.slice(0, 500)}`);
    const rep = JSON.parse(r.body);
    const outcomes = {};
    const codes = {};
    for (const x of rep.results) {
      if (x.outcome) outcomes[x.outcome] = (outcomes[x.outcome] ?? 0) + 1;
      if (x.code) codes[x.code] = (codes[x.code] ?? 0) + 1;
    }
    const drained = await waitOutboxDrained(dbFile, 180_000);
    return {
      seconds: round(ms / 1000, 2),
      rows: rep.total,
      rows_per_s: round(rep.total / (ms / 1000)),
      created: rep.created,
      failed: rep.failed,
      outcomes,
      error_codes: codes,
      body_mb: round(Buffer.byteLength(csv) / 2 ** 20, 2),
      ...mem,
      server_cpu_s: cpu.server_cpu_s,
      server_cpu_ms_per_row: cpu.server_cpu_ms_per_req,
      setup_mail_drained_s: drained.seconds,
      setup_mail_left: drained.left,
    };
  });

  await scenario("idle-rss", async () => {
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
  });

  const stopped = await server.stop();
  if (stopped.code !== 0) console.error(`roster exited with ${stopped.code ?? stopped.signal}: ${server.tail.slice(-5).join("\n")}`);
  await profileLines("main");

  // ── the outbox worker against a real SMTP server ────────────────────────
  await scenario("outbox-deliver", async () => {
    const sink = await startSink();
    const waitingBefore = queueMails(dbFile, cfg.mails);
    let s;
    try {
      const spawned = performance.now();
      s = await startRoster({ dataDir, profileDir: profileDir("outbox"), env: { ROSTER_SMTP_URL: sink.url } });
      const ready = performance.now();
      const cpu0 = cpuTimes(s.pid);
      const want = cfg.mails + waitingBefore;
      const end = Date.now() + 300_000;
      while (sink.stats.messages < want && Date.now() < end) await sleep(20);
      const st = sink.stats;
      const cpu = cpuSince(s.pid, cpu0, st.messages);
      const spanS = st.firstAt !== null && st.lastAt > st.firstAt ? (st.lastAt - st.firstAt) / 1000 : null;
      return {
        messages_per_s: spanS ? round(st.messages / spanS) : null,
        messages: st.messages,
        queued: cfg.mails,
        already_waiting: waitingBefore,
        complete: st.messages >= want,
        first_to_last_s: round(spanS, 2),
        ready_to_last_s: st.lastAt ? round((st.lastAt - ready) / 1000, 2) : null,
        spawn_to_last_s: st.lastAt ? round((st.lastAt - spawned) / 1000, 2) : null,
        smtp_connections: st.connections,
        server_cpu_s: cpu.server_cpu_s,
        server_cpu_ms_per_message: cpu.server_cpu_ms_per_req,
        mb: round(st.bytes / 2 ** 20, 2),
        mode: "rows inserted into mail_outbox (queued, due now) before the server started; the worker sends them at start through ROSTER_SMTP_URL (smtp-server on 127.0.0.1)",
      };
    } finally {
      if (s) await s.stop();
      await sink.close();
      await profileLines("outbox");
    }
  });

  emit(summary());
}

async function stopChildWhenDone(child, timeoutMs) {
  const done = exited(child);
  const timer = sleep(timeoutMs).then(() => "timeout");
  if ((await Promise.race([done, timer])) === "timeout") return stopChild(child, 1000);
  return { code: child.exitCode, signal: child.signalCode };
}

function summary() {
  const get = (s, k) => results.get(s)?.[k];
  const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? round(a / b, 3) : null);
  const meVsHello = ratio(get("me-bearer", "req_per_s"), get("baseline-hello", "req_per_s"));
  const lookupVsHello = ratio(get("baseline-lookup", "req_per_s"), get("baseline-hello", "req_per_s"));
  const bodyVsHello = ratio(get("baseline-body", "req_per_s"), get("baseline-hello", "req_per_s"));
  const loginVsCap = ratio(get("login", "req_per_s"), get("argon2-capacity", "verifies_per_s"));
  const t = (value, target, ok) => ({ value: value ?? null, target, met: value === null || value === undefined ? null : ok(value) });
  const exportS = get("export-csv-100k", "seconds");
  return {
    scenario: "summary",
    me_bearer_vs_hello: meVsHello,
    // The same ratio for the bare lookup: how much of the gap is the lookup itself on this machine.
    baseline_lookup_vs_hello: lookupVsHello,
    // And for the bare server sending /me's answer with no lookup: what the answer's size alone costs.
    baseline_body_vs_hello: bodyVsHello,
    me_bearer_vs_baseline_lookup: ratio(get("me-bearer", "req_per_s"), get("baseline-lookup", "req_per_s")),
    login_vs_argon2_capacity: loginVsCap,
    targets: {
      me_bearer_vs_hello: t(meVsHello, ">= 0.5", (v) => v >= 0.5),
      login_vs_argon2_capacity: t(loginVsCap, ">= 0.9", (v) => v >= 0.9),
      healthz_during_logins_p99_ms: t(get("healthz-during-logins", "p99_ms"), "<= 20", (v) => v <= 20),
      admin_search_p99_ms: t(get("admin-search", "p99_ms"), "<= 25", (v) => v <= 25),
      export_csv_100k_s: t(exportS, "<= 3", (v) => v <= 3),
      export_csv_100k_growth_mb: t(get("export-csv-100k", "rss_growth_mb"), "<= 64", (v) => v <= 64),
      import_10k_s: t(get("import-10k", "seconds"), "<= 15", (v) => v <= 15),
      startup_ms: t(get("startup", "ms"), "<= 1500", (v) => v <= 1500),
      idle_rss_mb: t(get("idle-rss", "rss_mb"), "<= 100", (v) => v <= 100),
    },
    users: cfg.users,
    seconds: cfg.seconds,
    cores,
    load_avg: os.loadavg().map((x) => round(x, 2)),
    broken,
  };
}

/**
 * `roster healthcheck` (dist/cli/index.mjs) against the server at `base`, as the image runs it: whether
 * it passed, its wall time, and its own peak RSS (the process's maxRSS, printed at its exit).
 */
function healthcheck(base) {
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
    interrupted = true;
    console.error(`bench: ${sig}, stopping the servers`);
    void cleanup().finally(() => process.exit(130));
  });
}

main()
  .then(async () => {
    await cleanup();
    process.exit(broken ? 1 : 0);
  })
  .catch(async (e) => {
    if (!interrupted) console.log(JSON.stringify({ scenario: "bench", error: String(e?.stack ?? e).slice(0, 4000) }));
    await cleanup();
    process.exit(1);
  });

/** The server's V8 heap (MB) from its own /metrics (open to loopback by default): where the anonymous memory is. */
async function v8Heap(base) {
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
