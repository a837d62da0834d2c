// The bench's settings, its lines and its summary: what every scenario reports through.
import { readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { summarizeProfile } from "./profile.mjs";

const int = (name, dflt, min) => {
  const v = process.env[name];
  if (v === undefined || v === "") return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) throw new Error(`${name}: expected a number of at least ${min} (got "${v}")`);
  return n;
};

export const cfg = {
  users: Math.floor(int("BENCH_USERS", 100_000, 1000)),
  seconds: int("BENCH_SECONDS", 5, 1),
  mails: Math.floor(int("BENCH_MAILS", 2000, 10)),
  importRows: Math.floor(int("BENCH_IMPORT_ROWS", 10_000, 10)),
  profile: process.env.BENCH_PROFILE === "1",
  only: process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(",").map((s) => s.trim())) : null,
  keep: process.env.BENCH_KEEP === "1",
};
export const cores = os.availableParallelism?.() ?? os.cpus().length;
export const CONNECTIONS = 10;

export const results = new Map();
/** What the run has come to: a scenario broke; a signal stopped it; where CPU profiles go (BENCH_PROFILE=1). */
export const state = { broken: false, interrupted: false, profileRoot: null };

export function emit(line) {
  results.set(line.scenario, line);
  console.log(JSON.stringify(line));
}

/** Runs one scenario; its failure is reported on its line and marks the run broken, the others still run. */
export async function scenario(name, fn) {
  if (state.interrupted || (cfg.only && !cfg.only.has(name))) return;
  try {
    const line = { scenario: name, ...(await fn()) };
    if (!state.interrupted) emit(line);
  } catch (e) {
    if (state.interrupted) return;
    state.broken = true;
    emit({ scenario: name, error: String(e?.message ?? e).slice(0, 2000) });
  }
}

export const round = (x, d = 1) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : null);
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

/** A `profile` line for each CPU profile a server wrote under `label`. */
export async function profileLines(label) {
  if (!state.profileRoot) return;
  const dir = path.join(state.profileRoot, label);
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

export const profileDir = (label) => (state.profileRoot ? path.join(state.profileRoot, label) : undefined);

/** The last line: the targets of issue 7, each with its value and whether it was met. */
export function summary() {
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
    broken: state.broken,
  };
}
