// The scenarios that write: an import of new accounts, and the outbox's delivery of mail.
import { Buffer } from "node:buffer";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { request } from "./api.mjs";
import { cpuSince, cpuTimes } from "./cpu.mjs";
import { queueMails, waitOutboxDrained } from "./mail.mjs";
import { startRoster } from "./proc.mjs";
import { cfg, profileDir, profileLines, round } from "./report.mjs";
import { sampleRss } from "./rss.mjs";
import { importCsv } from "./seed.mjs";
import { startSink } from "./smtp-sink.mjs";

/** The `import-10k` line: a CSV of new accounts through the API, then the setup mail it queued, sent. */
export async function importScenario({ base, bearer, dbFile, orgId, pid }) {
  const csv = importCsv(cfg.importRows, orgId);
  if (Buffer.byteLength(csv) > 10 * 2 ** 20) throw new Error(`the CSV is ${Buffer.byteLength(csv)} bytes, over the import's 10 MB body limit: lower BENCH_IMPORT_ROWS`);
  const rss = sampleRss(pid, 20);
  const cpu0 = cpuTimes(pid);
  const t = performance.now();
  const r = await request(base, "POST", "/api/v1/admin/users/import", { headers: { ...bearer, "content-type": "text/csv; charset=utf-8" }, body: csv, timeoutMs: 600_000 });
  const ms = performance.now() - t;
  const mem = rss.stop();
  const cpu = cpuSince(pid, cpu0, cfg.importRows);
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
}

/** The `outbox-deliver` line: mail queued before a server starts, sent by its worker to a real SMTP server. */
export async function outboxDeliver({ dataDir, dbFile }) {
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
}
