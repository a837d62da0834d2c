import { connect } from "node:net";
import fc from "fast-check";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../test/harness.js";
import { RELAY_MAX_CLIENTS } from "./relay-limits.js";
import { startRelay, type Relay } from "./relay.js";

/**
 * Issue 7 item 4, the relay: random SMTP lines — junk, binary, long lines,
 * commands out of order, pipelined bursts — get well-formed SMTP replies
 * (a three-digit code, 2xx–5xx) and never take the relay down: a normal
 * submission still goes through afterwards. Raw TCP on 127.0.0.1, bounded.
 */
const SESSIONS = 50;
const REPLY = /^([2-5]\d\d)[ -]/;

let t: TestApp;
let open: Relay; // 127.0.0.0/8 allowed: MAIL FROM, RCPT TO and DATA are reachable
let closed: Relay; // credentials only: AUTH is reachable, MAIL FROM is refused

beforeAll(async () => {
  t = createTestApp({ config: { relay: { port: 0, auth: [{ user: "chat", password: "s3cret" }], allow: [] } } });
  closed = await startRelay(t.deps, 0, "127.0.0.1");
  // Every session here comes from 127.0.0.1, up to 25 at once: one address's share is relay-limits.test.ts's subject, not this file's.
  open = await startRelay({ ...t.deps, config: { ...t.config, relay: { ...t.config.relay, allow: ["127.0.0.0/8"] } } }, 0, "127.0.0.1", { perAddress: RELAY_MAX_CLIENTS });
});

afterAll(async () => {
  await open.close();
  await closed.close();
});

/**
 * One session: the greeting, then `chunks` written one by one, then a
 * line that ends any DATA and QUIT. Resolves with every reply line once the
 * relay closes the connection (or after `ms`, then closes it itself).
 */
function session(port: number, chunks: (string | Uint8Array)[], ms = 3000): Promise<{ lines: string[]; closedByServer: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let buffer = "";
    let closedByServer = true;
    const timer = setTimeout(() => {
      closedByServer = false;
      socket.destroy();
    }, ms);
    socket.on("error", (e: NodeJS.ErrnoException) => {
      // The relay may hang up while we still write (421 Too many errors): that is a proper ending.
      if (e.code !== "ECONNRESET" && e.code !== "EPIPE") reject(e);
    });
    socket.on("data", (d: Buffer) => void (buffer += d.toString("latin1")));
    socket.once("data", () => {
      for (const c of chunks) if (!socket.destroyed) socket.write(c);
      if (!socket.destroyed) socket.write("\r\n.\r\nQUIT\r\n");
    });
    socket.on("close", () => {
      clearTimeout(timer);
      resolve({ lines: buffer.split("\r\n").filter((l) => l !== ""), closedByServer });
    });
  });
}

/** Lines a client might send: real verbs with junk, junk, control bytes, very long lines. */
const verb = fc.constantFrom("HELO", "EHLO", "MAIL FROM:", "RCPT TO:", "DATA", "RSET", "NOOP", "VRFY", "EXPN", "HELP", "AUTH PLAIN", "AUTH LOGIN", "AUTH CRAM-MD5", "STARTTLS", "BDAT", "XCLIENT", "XFORWARD", "ETRN", "TURN", "QUIT");
const arg = fc.oneof(
  fc.string({ unit: "binary-ascii", maxLength: 60 }),
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.constantFrom("<>", "<a@b.test>", "<a@b.test> SIZE=999999999999", "<@route:a@b.test>", "<a@[127.0.0.1]>", "<\"quoted local\"@b.test>", "=", "AGNoYXQAczNjcmV0", "*", "<a@b.test> BODY=8BITMIME SMTPUTF8", "<postmaster>", "<x@y.z>".repeat(40)),
);
const line = fc.oneof(
  { arbitrary: fc.tuple(verb, arg).map(([v, a]) => `${v} ${a}\r\n`), weight: 5 },
  { arbitrary: fc.string({ unit: "binary-ascii", maxLength: 80 }).map((s) => `${s}\r\n`), weight: 2 },
  { arbitrary: fc.integer({ min: 1000, max: 20_000 }).map((n) => `${"A".repeat(n)}\r\n`), weight: 1 },
  { arbitrary: fc.uint8Array({ maxLength: 200 }), weight: 1 },
  { arbitrary: fc.constantFrom("\r\n", "\n", "\r", ".\r\n", "..\r\n", "\u0000\r\n", "MAIL FROM:<a@b.test>\n", "\r\n.\r\n"), weight: 1 },
);
/** A whole session: lines written separately, or pipelined in one write. */
const script = fc.tuple(fc.array(line, { minLength: 1, maxLength: 12 }), fc.boolean()).map(([lines, pipelined]) =>
  pipelined ? [Buffer.concat(lines.map((l) => (typeof l === "string" ? Buffer.from(l, "utf8") : Buffer.from(l))))] : lines,
);

function expectProperReplies(lines: string[], what: string) {
  expect(lines.length, `${what}: no greeting`).toBeGreaterThan(0);
  for (const l of lines) expect(l, `${what}: ${JSON.stringify(lines)}`).toMatch(REPLY);
}

const send = (port: number) =>
  nodemailer
    .createTransport({ host: "127.0.0.1", port, secure: false, ignoreTLS: true })
    .sendMail({ from: "chat@intranet.test", to: "someone@intranet.test", subject: "Still up", text: "Body" });

describe("random SMTP sessions", () => {
  it.each([
    ["the allow-listed relay", () => open.port],
    ["the credentials-only relay", () => closed.port],
  ])("%s answers every line with a proper reply code and stays up", async (_, port) => {
    await fc.assert(
      fc.asyncProperty(script, async (chunks) => {
        const r = await session(port(), chunks);
        expectProperReplies(r.lines, JSON.stringify(chunks).slice(0, 300));
      }),
      { numRuns: SESSIONS / 2 },
    );
    const info = await send(open.port);
    expect(info.response).toMatch(/^250 /);
  });

  it("a message after junk in the envelope is still taken, and the junk never became a message", async () => {
    const before = t.db.$client.prepare("SELECT count(*) AS n FROM mail_outbox WHERE kind = 'relay'").get() as { n: number };
    const r = await session(open.port, ["EHLO x\r\n", "MAIL FROM:<a@b.test\r\n", "RCPT TO:<>\r\n", "DATA\r\n", "MAIL FROM:<a@b.test>\r\n", "RCPT TO:<not an address>\r\n", "RCPT TO:<c@d.test>\r\n", "DATA\r\n", "Subject: ok\r\n\r\nhi\r\n"]);
    expectProperReplies(r.lines, "envelope junk");
    const codes = r.lines.map((l) => l.slice(0, 3));
    expect(codes).toContain("501"); // the bad addresses
    expect(codes).toContain("354");
    expect(codes.filter((c) => c === "250").length).toBeGreaterThanOrEqual(3);
    const after = t.db.$client.prepare("SELECT count(*) AS n FROM mail_outbox WHERE kind = 'relay'").get() as { n: number };
    expect(after.n).toBe(before.n + 1);
  });

  it("messages pipelined in one write, then QUIT, are all queued and QUIT is answered (smtp-server lost the rest after a second message)", async () => {
    const count = () => (t.db.$client.prepare("SELECT count(*) AS n FROM mail_outbox WHERE kind = 'relay'").get() as { n: number }).n;
    const message = (n: number) => `MAIL FROM:<app@relay.test>\r\nRCPT TO:<p${n}@relay.test>\r\nDATA\r\nSubject: pipelined ${n}\r\n\r\nbody ${n}\r\n.\r\n`;
    const auth = `AUTH PLAIN ${Buffer.from("\0chat\0s3cret").toString("base64")}\r\n`;
    for (const [port, login, n] of [
      [open.port, "", 2],
      [open.port, "", 3],
      [closed.port, auth, 2], // the tester's session: credentials, two messages and QUIT in one write
    ] as const) {
      const before = count();
      const r = await session(port, [`EHLO p\r\n${login}${Array.from({ length: n }, (_, i) => message(i)).join("")}QUIT\r\n`]);
      expect(r.lines.filter((l) => /^250 .*queued/.test(l)), JSON.stringify(r.lines)).toHaveLength(n);
      expect(r.lines.at(-1), JSON.stringify(r.lines)).toMatch(/^221 /);
      expect(r.closedByServer).toBe(true);
      expect(count()).toBe(before + n);
    }
  });

  it("a flood of unknown commands ends the session with 421, and the relay takes the next one", async () => {
    const r = await session(open.port, [Array.from({ length: 40 }, (_, i) => `JUNK${i}\r\n`).join("")]);
    expectProperReplies(r.lines, "flood");
    expect(r.lines.at(-1), JSON.stringify(r.lines)).toMatch(/^421 /);
    expect(r.closedByServer).toBe(true);
    expect((await send(open.port)).response).toMatch(/^250 /);
  });

  it("many sessions at once, half of them junk, leave the relay answering", async () => {
    const junk = fc.sample(script, { numRuns: 20, seed: 42 });
    const results = await Promise.all([...junk.map((c) => session(open.port, c)), ...Array.from({ length: 5 }, () => send(open.port))]);
    for (const r of results.slice(0, junk.length) as { lines: string[] }[]) expectProperReplies(r.lines, "concurrent");
    expect((await send(closed.port).catch((e: { responseCode?: number }) => e.responseCode)) as number).toBe(530);
    expect((await send(open.port)).response).toMatch(/^250 /);
  });
});
