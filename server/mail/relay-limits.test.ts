import { connect, type Socket } from "node:net";
import nodemailer from "nodemailer";
import { afterEach, describe, expect, it } from "vitest";
import { createTestApp } from "../test/harness.js";
import type { Config } from "../config.js";
import { FixedClock } from "../clock.js";
import { addressKey, authFailures, type RelayLimits } from "./relay-limits.js";
import { startRelay } from "./relay.js";

/**
 * What one client address may take of the relay (an independent tester's findings): its share of
 * the connections, an unauthenticated session's time, and its failed AUTH attempts. Real
 * smtp-server on port 0, real sockets from 127.0.0.x, limits made small so each test is quick.
 */

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function relayWith(relay: Partial<Config["relay"]>, limits: Partial<RelayLimits>) {
  const t = createTestApp({ config: { relay: { port: 0, auth: [{ user: "chat", password: "s3cret" }], allow: [], ...relay } } });
  const r = await startRelay(t.deps, 0, "127.0.0.1", limits);
  cleanups.push(() => r.close());
  return { t, port: r.port };
}

/** A raw SMTP client from `from` (a 127.0.0.x address): the reply lines so far, and waits for the next ones. */
function dial(port: number, from = "127.0.0.1") {
  const socket: Socket = connect({ port, host: "127.0.0.1", localAddress: from });
  const lines: string[] = [];
  let buffer = "";
  let wake = () => {};
  let closed = false;
  socket.on("error", () => {});
  socket.on("data", (d: Buffer) => {
    buffer += d.toString("latin1");
    const parts = buffer.split("\r\n");
    buffer = parts.pop()!;
    lines.push(...parts);
    wake();
  });
  socket.on("close", () => {
    closed = true;
    wake();
  });
  cleanups.push(() => void socket.destroy());
  const c = {
    lines,
    get closed() {
      return closed;
    },
    write: (s: string) => void (socket.destroyed || socket.write(s)),
    /** The first line (from index `after` on) that matches, or null once the socket closed or `ms` passed. */
    async waitFor(re: RegExp, ms = 3000, after = 0): Promise<string | null> {
      const until = Date.now() + ms;
      for (;;) {
        const hit = lines.slice(after).find((l) => re.test(l));
        if (hit) return hit;
        if (closed || Date.now() >= until) return null;
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, until - Date.now());
        });
      }
    },
    end: () => void socket.destroy(),
  };
  return c;
}

const plainAuth = (user: string, pass: string) => `AUTH PLAIN ${Buffer.from(`\0${user}\0${pass}`).toString("base64")}\r\n`;

describe("connections from one address", () => {
  it("a flood from one address is cut at its share at once, before the greeting, so another client still gets one of the shared slots", async () => {
    const { port } = await relayWith({}, { maxClients: 10, perAddress: 3 });
    // All at once: smtp-server greets (and calls onConnect) only ~100 ms after a connection, and
    // until then each of these would have held one of the 10 slots every client shares.
    const flood = Array.from({ length: 12 }, () => dial(port, "127.0.0.2"));
    const chat = dial(port, "127.0.0.9");
    expect(await chat.waitFor(/^220 /)).toMatch(/^220 /);
    const replies = await Promise.all(flood.map((c) => c.waitFor(/^(220|421) /)));
    expect(replies.filter((l) => l?.startsWith("220"))).toHaveLength(3);
    expect(replies.filter((l) => l?.startsWith("421 4.7.0 Too many connections from your address"))).toHaveLength(9);
  });

  it("get their share, past it 421, while another address still gets in and a freed slot is taken again", async () => {
    // The tester's case in small: one address opens as many connections as the whole relay takes.
    const { port } = await relayWith({}, { maxClients: 6, perAddress: 3 });
    const mine = Array.from({ length: 6 }, () => dial(port));
    const first = await Promise.all(mine.map((c) => c.waitFor(/^\d{3} /)));
    expect(first.filter((l) => l?.startsWith("220 ")).length).toBe(3);
    expect(first.filter((l) => l?.startsWith("421 ")).length, JSON.stringify(first)).toBe(3);
    expect(first.find((l) => l?.startsWith("421 "))).toMatch(/Too many connections from your address/);

    expect(await dial(port, "127.0.0.2").waitFor(/^\d{3} /)).toMatch(/^220 /);

    // One held connection goes away: its slot is the address's again.
    mine[first.findIndex((l) => l?.startsWith("220 "))]!.end();
    let again: string | null = null;
    for (let i = 0; i < 20 && !again?.startsWith("220 "); i++) {
      await new Promise((r) => setTimeout(r, 50));
      again = await dial(port).waitFor(/^\d{3} /);
    }
    expect(again).toMatch(/^220 /);
  });

  it("a pooled client within its share sends everything it has", async () => {
    const { t, port } = await relayWith({}, { perAddress: 3 });
    const pool = nodemailer.createTransport({ host: "127.0.0.1", port, secure: false, ignoreTLS: true, pool: true, maxConnections: 3, auth: { user: "chat", pass: "s3cret" } });
    const sends = Array.from({ length: 12 }, (_, i) => pool.sendMail({ from: "chat@intranet.test", to: `r${i}@intranet.test`, subject: `n${i}`, text: "hi" }));
    expect((await Promise.all(sends)).every((i) => /^250 /.test(i.response))).toBe(true);
    pool.close();
    expect((t.db.$client.prepare("SELECT count(*) AS n FROM mail_outbox WHERE kind = 'relay'").get() as { n: number }).n).toBe(12);
  });
});

describe("a session that has to authenticate", () => {
  it("is closed with 421 at the deadline, NOOP, RSET and EHLO notwithstanding", async () => {
    const { port } = await relayWith({}, { authDeadlineMs: 400 });
    const c = dial(port);
    await c.waitFor(/^220 /);
    const started = Date.now();
    const keepAlive = setInterval(() => c.write(["NOOP\r\n", "RSET\r\n", "EHLO idle\r\n"][Math.floor(Math.random() * 3)]!), 50);
    try {
      expect(await c.waitFor(/^421 /, 3000)).toMatch(/^421 .*No authentication in time/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(350);
      await c.waitFor(/^never$/, 1000); // until the server closes it
      expect(c.closed).toBe(true);
    } finally {
      clearInterval(keepAlive);
    }
  });

  it("stays once authenticated, and one from an allowed address needs no deadline", async () => {
    const { port } = await relayWith({}, { authDeadlineMs: 300 });
    const authed = dial(port);
    await authed.waitFor(/^220 /);
    authed.write(`EHLO chat\r\n${plainAuth("chat", "s3cret")}`);
    expect(await authed.waitFor(/^235 /)).not.toBeNull();

    const open = await relayWith({ allow: ["127.0.0.0/8"] }, { authDeadlineMs: 300 });
    const allowed = dial(open.port);
    await allowed.waitFor(/^220 /);

    await new Promise((r) => setTimeout(r, 700));
    for (const c of [authed, allowed]) {
      const n = c.lines.length;
      c.write("NOOP\r\n");
      expect(await c.waitFor(/^\d{3} /, 2000, n)).toMatch(/^250 /);
      expect(c.closed).toBe(false);
    }
  });
});

describe("failed AUTH attempts from one address", () => {
  type Opts = Parameters<typeof nodemailer.createTransport>[0];
  const submit = async (port: number, pass: string, from = "127.0.0.1") => {
    try {
      await nodemailer
        .createTransport({ host: "127.0.0.1", port, secure: false, ignoreTLS: true, localAddress: from, auth: { user: "chat", pass } } as Opts)
        .sendMail({ from: "chat@intranet.test", to: "someone@intranet.test", subject: "Hi", text: "Body" });
      return 250;
    } catch (e) {
      return (e as { responseCode?: number }).responseCode ?? String(e);
    }
  };

  it("are answered late, and past the limit AUTH from the address gets 454 (a right password too) until the window is over; other addresses are not held up", async () => {
    const { t, port } = await relayWith({}, { authMaxFailures: 3, authFailureWindowMs: 60_000, authFailureDelayMs: 200 });
    const started = Date.now();
    expect(await submit(port, "wrong1")).toBe(535);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect([await submit(port, "wrong2"), await submit(port, "wrong3")]).toEqual([535, 535]);
    expect(await submit(port, "wrong4")).toBe(454);
    expect(await submit(port, "s3cret")).toBe(454);
    expect(await submit(port, "s3cret", "127.0.0.2")).toBe(250);
    t.clock.advance(59_000);
    expect(await submit(port, "s3cret")).toBe(454);
    t.clock.advance(1_000);
    expect(await submit(port, "s3cret")).toBe(250);
  });

  it("in parallel cannot slip past the limit", async () => {
    const { port } = await relayWith({}, { authMaxFailures: 3, authFailureWindowMs: 60_000, authFailureDelayMs: 100 });
    // Many guesses on many connections at once, as the tester sent them.
    const codes = await Promise.all(Array.from({ length: 10 }, (_, i) => submit(port, `guess${i}`)));
    expect(codes.filter((c) => c === 535).length).toBe(3);
    expect(codes.filter((c) => c === 454).length).toBe(7);
  });

  it("successes are not counted: a chat server that authenticates often is never blocked", async () => {
    const { port } = await relayWith({}, { authMaxFailures: 2, authFailureWindowMs: 60_000, authFailureDelayMs: 0 });
    for (let i = 0; i < 5; i++) expect(await submit(port, "s3cret")).toBe(250);
    expect(await submit(port, "wrong")).toBe(535);
    expect(await submit(port, "s3cret")).toBe(250);
  });

  it("are remembered for a bounded number of addresses: failures from other addresses do not lift a block, blocked ones go last", () => {
    const clock = new FixedClock();
    const f = authFailures(clock, { authMaxFailures: 2, authFailureWindowMs: 60_000 }, 2);
    expect([f.failed("10.0.0.1"), f.failed("10.0.0.1")]).toEqual([false, true]);
    expect(f.blockedFor("10.0.0.1")).toBe(60_000);
    f.failed("10.0.0.2");
    f.failed("10.0.0.3"); // full: 10.0.0.2, which blocks nothing, is forgotten
    expect(f.blockedFor("10.0.0.1")).toBe(60_000);
    expect(f.failed("10.0.0.3")).toBe(true);
    // Only when every address remembered is blocked does the oldest block go.
    f.failed("10.0.0.4");
    expect([f.blockedFor("10.0.0.1"), f.blockedFor("10.0.0.3")]).toEqual([0, 60_000]);
  });

  it("count an IPv6 host by its /64, whatever address in it it takes", () => {
    expect(addressKey("2001:db8:1:2:aaaa:bbbb:cccc:dddd")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:db8:1:2::1")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:0DB8:0001:0002:0:0:0:9")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(addressKey("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
    expect(addressKey("::1")).toBe("0:0:0:0::/64");
    expect(addressKey("::ffff:192.0.2.7")).toBe("192.0.2.7");
    expect(addressKey("192.0.2.7")).toBe("192.0.2.7");
    const clock = new FixedClock();
    const f = authFailures(clock, { authMaxFailures: 2, authFailureWindowMs: 60_000 });
    f.failed(addressKey("2001:db8:1:2::a"));
    f.failed(addressKey("2001:db8:1:2::b"));
    expect(f.blockedFor(addressKey("2001:db8:1:2::c"))).toBe(60_000);
    expect(f.blockedFor(addressKey("2001:db8:1:3::a"))).toBe(0);
  });
});
