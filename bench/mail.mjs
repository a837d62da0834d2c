// Mail scenarios' helpers: the outbox as the worker sees it, and SMTP submissions to the relay.
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import Database from "better-sqlite3";
import nodemailer from "nodemailer";
import { rng, uuidv7At } from "./seed.mjs";

const round = (x, d = 1) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : null);

/** Waits until the outbox has nothing queued, deferred or in flight; reads the database beside the server (WAL). */
export async function waitOutboxDrained(file, timeoutMs) {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const q = db.prepare("SELECT count(*) AS n FROM mail_outbox WHERE status IN ('queued', 'deferred', 'sending')");
    const t = performance.now();
    let left = q.get().n;
    while (left > 0 && performance.now() - t < timeoutMs) {
      await sleep(100);
      left = q.get().n;
    }
    return { seconds: round((performance.now() - t) / 1000, 2), left };
  } finally {
    db.close();
  }
}

/** Inserts `count` due messages, as the outbox holds them after a burst of sign-ups; returns how many were waiting already. */
export function queueMails(file, count) {
  const db = new Database(file);
  try {
    db.pragma("busy_timeout = 5000");
    const waiting = db.prepare("SELECT count(*) AS n FROM mail_outbox WHERE status IN ('queued', 'deferred', 'sending')").get().n;
    const r = rng(21);
    const now = Date.now();
    const text = "Hello,\n\nAn administrator created an account for you on Roster. Choose your password here:\nhttps://roster.bench.example/setup?token=%TOKEN%\n\nThe link is valid for 7 days.\n\n— Roster\n";
    const html = `<!doctype html><html><body style="font-family:sans-serif"><p>Hello,</p><p>An administrator created an account for you on Roster.</p><p><a href="https://roster.bench.example/setup?token=%TOKEN%">Choose your password</a></p><p>The link is valid for 7 days.</p><p>— Roster</p>${"<!-- padding -->".repeat(40)}</body></html>`;
    const ins = db.prepare(`INSERT INTO mail_outbox (id, kind, from_address, to_address, subject, text, html, status, attempts, created_at, next_attempt_at)
      VALUES (?, 'account_setup', 'Roster <no-reply@bench.example>', ?, 'Your Roster account / アカウントのご案内', ?, ?, 'queued', 0, ?, ?)`);
    db.transaction(() => {
      for (let i = 0; i < count; i++) {
        const tokenText = r.hex(32);
        ins.run(uuidv7At(now, r), `user${i}@bench.example`, text.replace("%TOKEN%", tokenText), html.replace("%TOKEN%", tokenText), now, now);
      }
    })();
    return waiting;
  } finally {
    db.close();
  }
}

/** SMTP submissions to the embedded relay: nodemailer over 10 pooled connections for `seconds`. */
export async function relayLoad(port, seconds, connections = 10) {
  const transport = nodemailer.createTransport({
    host: "127.0.0.1", port, secure: false, ignoreTLS: true, pool: true, maxConnections: connections, maxMessages: Infinity,
    connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000,
  });
  const latencies = [];
  let accepted = 0;
  let errors = 0;
  let lastError = null;
  const send = async (i) => {
    const t = performance.now();
    try {
      await transport.sendMail({ from: "chat@bench.example", to: `user${i % 1000}@bench.example`, subject: `relay ${i}`, text: "A message the chat server submits.\n".repeat(20) });
      accepted++;
      latencies.push(performance.now() - t);
    } catch (e) {
      errors++;
      lastError = String(e?.message ?? e);
    }
  };
  const run = async (ms) => {
    const end = performance.now() + ms;
    let i = 0;
    // Two messages waiting per connection keeps every connection busy.
    await Promise.all(Array.from({ length: 2 * connections }, async () => {
      while (performance.now() < end && errors < 1000) await send(i++);
    }));
  };
  try {
    await run(1000);
    accepted = 0;
    errors = 0;
    latencies.length = 0;
    const t = performance.now();
    await run(seconds * 1000);
    const s = (performance.now() - t) / 1000;
    latencies.sort((a, b) => a - b);
    const pct = (p) => round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))], 2);
    return { messages_per_s: round(accepted / s), accepted, errors, p50_ms: pct(0.5), p99_ms: pct(0.99), connections, last_error: lastError };
  } finally {
    transport.close();
  }
}
