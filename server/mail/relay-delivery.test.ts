import type { AddressInfo } from "node:net";
import nodemailer from "nodemailer";
import { SMTPServer } from "smtp-server";
import { afterEach, describe, expect, it } from "vitest";
import { createTestApp } from "../test/harness.js";
import { startRelay, subjectOf, type Relay } from "./relay.js";
import { directTransport, smtpTransport } from "./transports.js";

/**
 * What becomes of a relayed message whose recipients fare differently upstream (an independent
 * mail review, stop 13): each recipient is delivered, retried or failed as its own reply says,
 * and the sender hears of those that failed for good (RFC 5321 §6.1).
 */

interface Got {
  from: string;
  to: string[];
  body: string;
  bodyType: string;
}

/** A mail server that refuses recipients by name at RCPT: temp… 451, perm… 550, everyone else 250. */
async function picky() {
  const got: Got[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    disableReverseLookup: true,
    logger: false,
    closeTimeout: 100,
    onRcptTo(address, _session, cb) {
      const local = address.address.split("@")[0]!;
      if (local.startsWith("temp")) return cb(Object.assign(new Error("4.2.1 Mailbox busy, try later"), { responseCode: 451 }));
      if (local.startsWith("perm")) return cb(Object.assign(new Error("5.1.1 No such user"), { responseCode: 550 }));
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const env = session.envelope as typeof session.envelope & { bodyType?: string };
        got.push({ from: env.mailFrom ? env.mailFrom.address : "", to: env.rcptTo.map((r) => r.address), body: Buffer.concat(chunks).toString("utf8"), bodyType: env.bodyType ?? "" });
        cb(null, "OK: queued");
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return { port: (server.server.address() as AddressInfo).port, got, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe("a relayed message whose recipients fare differently", () => {
  it("is delivered to those accepted, retried for those deferred, failed for those refused, and the sender gets a notice from the null sender", async () => {
    const upstream = await picky();
    cleanups.push(upstream.close);
    const t = createTestApp({ mailTransport: smtpTransport({ url: `smtp://127.0.0.1:${upstream.port}` }), config: { relay: { port: 0, auth: [], allow: ["127.0.0.0/8"] } } });
    const relay: Relay = await startRelay(t.deps, 0, "127.0.0.1");
    cleanups.push(() => relay.close(), () => t.worker!.stop());

    // 8-bit UTF-8 text, as a chat server writes it: it must leave with BODY=8BITMIME (RFC 6152).
    const raw = ["From: chat@intranet.test", "To: ok@corp.test, temp1@corp.test, perm1@corp.test", "Subject: Build 42", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit", "", "ビルド42が通りました。", ""].join("\r\n");
    const client = nodemailer.createTransport({ host: "127.0.0.1", port: relay.port, secure: false, ignoreTLS: true });
    await client.sendMail({ envelope: { from: "chat@intranet.test", to: ["ok@corp.test", "temp1@corp.test", "perm1@corp.test"] }, raw });
    client.close();
    await t.worker!.drain();

    const rows = t.db.$client.prepare("SELECT kind, to_address, status, last_error, from_address FROM mail_outbox ORDER BY created_at, kind, status").all() as { kind: string; to_address: string; status: string; last_error: string | null; from_address: string }[];
    const relayed = rows.filter((r) => r.kind === "relay");
    expect(relayed.map((r) => [r.to_address, r.status]).sort()).toEqual([["ok@corp.test", "sent"], ["perm1@corp.test", "failed"], ["temp1@corp.test", "deferred"]]);
    expect(relayed.find((r) => r.status === "failed")?.last_error).toMatch(/550|No such user/);

    // Upstream: the message once, to the accepted recipient, 8-bit declared; then the notice.
    const original = upstream.got.find((g) => g.to.includes("ok@corp.test"))!;
    expect(original).toMatchObject({ from: "chat@intranet.test", to: ["ok@corp.test"], bodyType: "8bitmime" });
    expect(original.body).toContain("ビルド42が通りました。");
    const notice = upstream.got.find((g) => g.to.includes("chat@intranet.test"));
    expect(notice).toMatchObject({ from: "" });
    expect(notice!.body).toContain("perm1@corp.test");
    expect(notice!.body).not.toContain("temp1@corp.test");
    expect(rows.find((r) => r.kind === "relay_bounce")).toMatchObject({ status: "sent", to_address: "chat@intranet.test" });
  });

  it("direct delivery: a domain that took the message is not sent it again when another domain defers", async () => {
    const upstream = await picky();
    cleanups.push(upstream.close);
    const direct = directTransport({ port: upstream.port, resolveMx: async () => [{ exchange: "127.0.0.1", priority: 10 }] });
    const r = await direct.send({ id: "m1", kind: "relay", fromAddress: "chat@intranet.test", toAddress: "ann@a.test, temp@b.test, perm@c.test", subject: "Hi", text: "", html: null, raw: Buffer.from("Subject: Hi\r\n\r\nHello\r\n"), createdAt: new Date() });
    expect(r.outcome).toBe("sent");
    expect(r.refused).toEqual([expect.objectContaining({ address: "temp@b.test", temporary: true }), expect.objectContaining({ address: "perm@c.test", temporary: false })]);
    expect(upstream.got.map((g) => g.to)).toEqual([["ann@a.test"]]);
  });
});

describe("a relayed message's subject as admins read it", () => {
  it("decodes RFC 2047 words in any charset Node knows, joining adjacent ones", () => {
    expect(subjectOf(Buffer.from("Subject: =?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?=\r\n\r\nbody"))).toBe("テスト");
    expect(subjectOf(Buffer.from("Subject: =?UTF-8?B?44CQ6YeN6KaB44CR?=\r\n =?UTF-8?Q?_=E3=83=93=E3=83=AB=E3=83=89?= done\r\n\r\n"))).toBe("【重要】 ビルド done");
    expect(subjectOf(Buffer.from("Subject: plain text\r\n\r\n"))).toBe("plain text");
    expect(subjectOf(Buffer.from("Subject: =?x-unknown?B?AAAA?=\r\n\r\n"))).toBe("=?x-unknown?B?AAAA?=");
    // One character's bytes split across two words (ビ is E3 83 93): decoded together.
    const bytes = Buffer.from("ビルド成功");
    const split = `=?UTF-8?B?${bytes.subarray(0, 4).toString("base64")}?= =?UTF-8?B?${bytes.subarray(4).toString("base64")}?=`;
    expect(subjectOf(Buffer.from(`Subject: ${split}\r\n\r\n`))).toBe("ビルド成功");
    // Decoded line breaks and direction overrides are shown as spaces.
    expect(subjectOf(Buffer.from("Subject: =?UTF-8?Q?a=0D=0ABcc:_x?= =?UTF-8?B?4oCu?=z\r\n\r\n"))).toBe("a  Bcc: x z");
  });
});
