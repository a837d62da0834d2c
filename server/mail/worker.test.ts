import { eq } from "drizzle-orm";
import pino from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import { HOUR, MINUTE } from "../clock.js";
import { mailOutbox, type MailStatus } from "../db/schema.js";
import { createTestApp } from "../test/harness.js";
import { startUpstream, type Reply, type Upstream } from "../test/smtp-upstream.js";
import { queueMail } from "./outbox.js";
import { captureTransport, smtpTransport, type MailTransport, type SendResult } from "./transports.js";
import { createMailWorker, MAIL_CONCURRENCY, nextAttemptAt, nextAttemptDelay, type MailWorker, type MailWorkerOptions } from "./worker.js";

const SECOND = 1000;
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function upstream(reply: Reply = "accept"): Promise<Upstream> {
  const u = await startUpstream({ reply });
  cleanup.push(u.close);
  return u;
}

/** A test app with a worker of its own, whose log lines are kept. */
function setup(transport: MailTransport, opts: Omit<MailWorkerOptions, "transport"> = {}) {
  const t = createTestApp();
  const lines: string[] = [];
  const log = pino({ level: "info" }, { write: (s: string) => void lines.push(s) });
  const worker: MailWorker = createMailWorker({ ...t.deps, log }, { transport, ...opts });
  cleanup.push(() => worker.stop());
  const queue = (to = "ann@example.test") => queueMail(t.db, t.deps, to, "en", { kind: "verify_email", name: "Ann", url: "http://localhost:8080/verify-email?token=SECRET", code: "123456" });
  const row = (id: string) => t.db.select().from(mailOutbox).where(eq(mailOutbox.id, id)).get()!;
  const setStatus = (id: string, status: MailStatus, nextAttemptAt?: Date) => t.db.update(mailOutbox).set({ status, ...(nextAttemptAt ? { nextAttemptAt } : {}) }).where(eq(mailOutbox.id, id)).run();
  return { ...t, worker, queue, row, setStatus, logs: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

function fakeTransport(answer: (id: string) => SendResult | Promise<SendResult> = () => ({ outcome: "sent", response: "250 OK" })) {
  const calls: string[] = [];
  let closed = false;
  const transport: MailTransport = {
    kind: "smtp",
    send: async (m) => {
      calls.push(m.id);
      return answer(m.id);
    },
    close: () => void (closed = true),
  };
  return { transport, calls, closed: () => closed };
}

const turns = async (n = 20) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

describe("retry schedule", () => {
  it.each([[1, 30 * SECOND], [2, 2 * MINUTE], [3, 10 * MINUTE], [4, 30 * MINUTE], [5, HOUR], [20, HOUR]])("waits after failed attempt %i: %i ms", (n, ms) => {
    expect(nextAttemptDelay(n)).toBe(ms);
  });

  it("pulls the last retry in to the 24 h mark, then gives up", () => {
    const created = new Date("2026-01-15T09:00:00Z");
    expect(nextAttemptAt(created, 1, created)).toEqual(new Date("2026-01-15T09:00:30Z"));
    expect(nextAttemptAt(created, 9, new Date("2026-01-16T08:30:00Z"))).toEqual(new Date("2026-01-16T09:00:00Z"));
    expect(nextAttemptAt(created, 10, new Date("2026-01-16T09:00:00Z"))).toBeNull();
  });
});

describe("mail worker over SMTP", () => {
  it("delivers queued mail and marks it sent", async () => {
    const u = await upstream();
    const t = setup(smtpTransport({ url: u.url }));
    const id = t.queue();
    await t.worker.drain();
    expect(t.row(id)).toMatchObject({ status: "sent", attempts: 1, lastError: null, sentAt: t.clock.now() });
    expect(u.received).toHaveLength(1);
  });

  it("defers a 451, does not retry early, and sends once the 30 s have passed", async () => {
    const u = await upstream(451);
    const t = setup(smtpTransport({ url: u.url }));
    const id = t.queue();
    await t.worker.drain();
    expect(t.row(id)).toMatchObject({ status: "deferred", attempts: 1, lastError: expect.stringMatching(/^451 4\.3\.0/), nextAttemptAt: new Date(t.clock.now().getTime() + 30 * SECOND) });
    await t.worker.drain();
    expect(u.dataStarted()).toBe(1);
    u.setReply("accept");
    t.clock.advance(30 * SECOND);
    await t.worker.drain();
    expect(t.row(id)).toMatchObject({ status: "sent", attempts: 2, lastError: null, sentAt: t.clock.now() });
  });

  it("retries after 30 s, 2 min, 10 min, 30 min, then hourly, and fails 24 h after queueing", async () => {
    const u = await upstream(451);
    const t = setup(smtpTransport({ url: u.url }));
    const id = t.queue();
    const created = t.clock.now().getTime();
    const waits: number[] = [];
    for (let r = (await t.worker.drain(), t.row(id)); r.status === "deferred"; await t.worker.drain(), r = t.row(id)) {
      waits.push(r.nextAttemptAt.getTime() - t.clock.now().getTime());
      t.clock.set(r.nextAttemptAt);
    }
    expect(waits.slice(0, 6)).toEqual([30 * SECOND, 2 * MINUTE, 10 * MINUTE, 30 * MINUTE, HOUR, HOUR]);
    expect(Math.max(...waits)).toBe(HOUR);
    expect(t.clock.now().getTime() - created).toBe(24 * HOUR);
    expect(t.row(id)).toMatchObject({ status: "failed", attempts: waits.length + 1, lastError: expect.stringMatching(/^451 /) });
    expect(u.dataStarted()).toBe(waits.length + 1);
  });

  it("fails a 550 at once, keeping the server's reply", async () => {
    const u = await upstream(550);
    const t = setup(smtpTransport({ url: u.url }));
    const id = t.queue();
    await t.worker.drain();
    expect(t.row(id)).toMatchObject({ status: "failed", attempts: 1, lastError: "550 5.1.1 No such user", sentAt: null });
  });

  it.each([421, "drop", "down"] as const)("defers when the upstream answers %s", async (reply) => {
    const u = await upstream(reply === "down" ? "accept" : reply);
    if (reply === "down") await u.close();
    const t = setup(smtpTransport({ url: u.url }));
    const id = t.queue();
    await t.worker.drain();
    expect(t.row(id)).toMatchObject({ status: "deferred", attempts: 1, lastError: expect.any(String) });
  });

  it("logs each result with id, kind, recipient, status and reply, never the body", async () => {
    const u = await upstream();
    const t = setup(smtpTransport({ url: u.url }));
    const id = t.queue();
    await t.worker.drain();
    const entry = t.logs().find((l) => l.mailId === id);
    expect(entry).toMatchObject({ msg: "mail sent", transport: "smtp", kind: "verify_email", to: "ann@example.test", status: "sent", attempts: 1, response: expect.stringMatching(/^250 /) });
    expect(JSON.stringify(t.logs())).not.toMatch(/SECRET|123456/);
  });
});

describe("mail worker lifecycle", () => {
  it("on start, sends again what a crash left in `sending` and deferred mail at once, and leaves finished mail alone", async () => {
    const f = fakeTransport();
    const t = setup(f.transport);
    const [sending, deferred, failed, sent] = [t.queue(), t.queue(), t.queue(), t.queue()];
    t.setStatus(sending, "sending");
    t.setStatus(deferred, "deferred", new Date(t.clock.now().getTime() + HOUR));
    t.setStatus(failed, "failed");
    t.setStatus(sent, "sent");
    t.worker.start();
    await t.worker.drain();
    expect(f.calls.sort()).toEqual([sending, deferred].sort());
    expect([t.row(sending).status, t.row(deferred).status, t.row(failed).status, t.row(sent).status]).toEqual(["sent", "sent", "failed", "sent"]);
  });

  it(`keeps at most ${MAIL_CONCURRENCY} messages in flight and sends each message once, however often it is kicked`, async () => {
    let inFlight = 0;
    let most = 0;
    const f = fakeTransport(async () => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return { outcome: "sent", response: "250 OK" };
    });
    const t = setup(f.transport);
    const ids = Array.from({ length: MAIL_CONCURRENCY * 3 + 2 }, () => t.queue());
    t.worker.start();
    for (let i = 0; i < 20; i++) t.worker.kick();
    await Promise.all([t.worker.drain(), t.worker.drain(), t.worker.drain()]);
    expect(most).toBe(MAIL_CONCURRENCY);
    expect(f.calls.sort()).toEqual(ids.sort());
  });

  it("kick() delivers soon after a commit, once started", async () => {
    const f = fakeTransport();
    const t = setup(f.transport);
    t.queue();
    t.worker.kick();
    await turns();
    expect(f.calls).toHaveLength(0);
    t.worker.start();
    await turns();
    const id = t.queue();
    t.worker.kick();
    await turns();
    expect(t.row(id).status).toBe("sent");
  });

  it("does not let a slow message hold up the next one", async () => {
    let release = () => {};
    const f = fakeTransport((id) => (id === slow ? new Promise<SendResult>((r) => (release = () => r({ outcome: "sent", response: "250 OK" }))) : { outcome: "sent", response: "250 OK" }));
    const t = setup(f.transport);
    const slow = t.queue();
    t.worker.start();
    await turns();
    const quick = t.queue();
    t.worker.kick();
    await turns();
    expect([t.row(slow).status, t.row(quick).status]).toEqual(["sending", "sent"]);
    release();
    await t.worker.drain();
    expect(t.row(slow).status).toBe("sent");
  });

  it("wakes itself when deferred mail falls due", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const f = fakeTransport((): SendResult => (f.calls.length === 1 ? { outcome: "temporary", response: "451 busy" } : { outcome: "sent", response: "250 OK" }));
    const t = setup(f.transport);
    const id = t.queue();
    t.worker.start();
    await turns();
    expect(t.row(id).status).toBe("deferred");
    t.clock.advance(29 * SECOND);
    await vi.advanceTimersByTimeAsync(29 * SECOND);
    expect(f.calls).toHaveLength(1);
    t.clock.advance(SECOND);
    await vi.advanceTimersByTimeAsync(SECOND);
    await turns();
    expect(f.calls).toHaveLength(2);
    expect(t.row(id).status).toBe("sent");
  });

  it("stop() takes no new mail, waits for the message in flight and closes the transport", async () => {
    let release = () => {};
    const f = fakeTransport(() => new Promise<SendResult>((r) => (release = () => r({ outcome: "sent", response: "250 OK" }))));
    const t = setup(f.transport, { concurrency: 1 });
    const [first, second] = [t.queue(), t.queue()];
    t.worker.start();
    await turns();
    let stopped = false;
    const stopping = t.worker.stop().then(() => void (stopped = true));
    await turns();
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(f.closed()).toBe(true);
    expect([t.row(first).status, t.row(second).status]).toEqual(["sent", "queued"]);
    await t.worker.drain();
    expect(f.calls).toEqual([first]);
  });

  it("stop() gives up waiting after its bound; the message stays `sending` for the next start", async () => {
    const f = fakeTransport(() => new Promise<SendResult>(() => {}));
    const t = setup(f.transport, { stopTimeoutMs: 50 });
    const id = t.queue();
    t.worker.start();
    await turns();
    await t.worker.stop();
    expect(f.closed()).toBe(true);
    expect(t.row(id).status).toBe("sending");
  });

  it("capture marks mail sent without an error and says so in the log", async () => {
    const t = setup(captureTransport());
    const id = t.queue();
    await t.worker.drain();
    expect(t.row(id)).toMatchObject({ status: "sent", lastError: null });
    expect(t.logs().find((l) => l.mailId === id)).toMatchObject({ transport: "capture", status: "sent" });
  });
});

describe("the sender of Roster's own mail", () => {
  it("regression: is the one set when the mail leaves, so a corrected ROSTER_MAIL_FROM and a retry deliver a mail queued before", async () => {
    const u = await upstream();
    const t = createTestApp();
    const config = { ...t.config, mail: { ...t.config.mail, from: "Roster <no-reply@vm>" } };
    const id = queueMail(t.db, { ...t.deps, config }, "ann@example.test", "en", { kind: "verify_email", name: "Ann", url: "http://localhost:8080/verify-email?token=SECRET", code: "123456" });
    // Restarted with the sender fixed:
    const fixed = { ...config, mail: { ...config.mail, from: "Roster <roster@corp.example>" } };
    const worker = createMailWorker({ ...t.deps, config: fixed }, { transport: smtpTransport({ url: u.url }) });
    cleanup.push(() => worker.stop());
    await worker.drain();
    expect(u.received).toHaveLength(1);
    expect(u.received[0]!.from).toBe("roster@corp.example");
    expect(u.received[0]!.raw).toMatch(/^From: Roster <roster@corp\.example>/m);
    expect(t.db.select().from(mailOutbox).where(eq(mailOutbox.id, id)).get()).toMatchObject({ status: "sent", fromAddress: "Roster <roster@corp.example>" });
  });
});

describe("secrets in delivered mail", () => {
  const TOKEN = "abcdefghijklmnopqrstuvwxyz234567";
  const spec = { kind: "verify_email" as const, name: "Ann", url: `http://localhost:8080/verify-email?token=${TOKEN}`, code: "493817" };

  it("leave the outbox once delivered: the person got the link and the code, the stored text keeps neither", async () => {
    const u = await upstream();
    const s = setup(smtpTransport({ url: u.url }));
    const id = queueMail(s.db, s.deps, "ann@example.test", "en", spec);
    await s.worker.drain();
    expect(u.received[0]!.raw).toContain(TOKEN);
    const row = s.row(id);
    expect(row.status).toBe("sent");
    for (const part of [row.text, row.html ?? ""]) {
      expect(part).not.toContain(TOKEN);
      expect(part).not.toContain("493817");
    }
    expect(row.text).toContain("verify-email?token=[removed-after-delivery]");
  });

  it("stay while the mail waits for a retry, and in captured mail, which admins hand on", async () => {
    const u = await upstream(451);
    const deferred = setup(smtpTransport({ url: u.url }));
    const waiting = queueMail(deferred.db, deferred.deps, "ann@example.test", "en", spec);
    await deferred.worker.drain();
    expect(deferred.row(waiting)).toMatchObject({ status: "deferred" });
    expect(deferred.row(waiting).text).toContain(TOKEN);

    const captured = setup(captureTransport());
    const kept = queueMail(captured.db, captured.deps, "ann@example.test", "en", spec);
    await captured.worker.drain();
    expect(captured.row(kept)).toMatchObject({ status: "sent" });
    expect(captured.row(kept).text).toContain(TOKEN);
    expect(captured.row(kept).text).toContain("493817");
  });
});

describe("a reset mail that cannot be delivered within its link's hour", () => {
  it("is given up then, not delivered later with a dead link; other mail keeps its 24 hours", async () => {
    const u = await upstream(451);
    const s = setup(smtpTransport({ url: u.url }));
    const reset = queueMail(s.db, s.deps, "ann@example.test", "en", { kind: "password_reset", name: "Ann", url: "http://localhost:8080/reset-password?token=x" });
    const verify = s.queue();
    await s.worker.drain();
    for (let i = 0; i < 4; i++) {
      s.clock.advance(30 * MINUTE);
      await s.worker.drain();
    }
    expect(s.row(reset)).toMatchObject({ status: "failed" });
    expect(s.row(reset).lastError).toMatch(/the link in it has expired/);
    expect(s.row(verify)).toMatchObject({ status: "deferred" });
  });
});
