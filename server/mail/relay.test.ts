import { afterAll, beforeAll, describe, expect, it } from "vitest";
import nodemailer from "nodemailer";
import { createTestApp, type TestApp } from "../test/harness.js";
import { makeCert, type TestCert } from "../test/smtp-upstream.js";
import { allowList, startRelay, type Relay } from "./relay.js";

type Opts = Parameters<typeof nodemailer.createTransport>[0];
const send = (port: number, extra: Record<string, unknown>, mail: Record<string, unknown> = {}) =>
  nodemailer
    .createTransport({ host: "127.0.0.1", port, secure: false, ignoreTLS: true, ...extra } as Opts)
    .sendMail({ from: "chat@intranet.test", to: "someone@intranet.test", subject: "Hello", text: "Body", ...mail });

const code = async (p: Promise<unknown>) => {
  try {
    await p;
    return 250;
  } catch (e) {
    return (e as { responseCode?: number }).responseCode ?? String((e as Error).message);
  }
};

describe("the embedded SMTP relay", () => {
  let t: TestApp;
  let open: Relay; // allows 127.0.0.1 without credentials
  let closed: Relay; // credentials only, STARTTLS with a throwaway certificate
  let cert: TestCert;

  beforeAll(async () => {
    cert = makeCert();
    t = createTestApp({
      config: {
        relay: { port: 0, auth: [{ user: "chat", password: "s3cret" }, { user: "wiki", password: "other" }], allow: [], tlsCertFile: cert.certFile, tlsKeyFile: cert.keyFile },
      },
    });
    closed = await startRelay(t.deps, 0, "127.0.0.1");
    const t2deps = { ...t.deps, config: { ...t.config, relay: { ...t.config.relay, allow: ["127.0.0.0/8"], tlsCertFile: undefined, tlsKeyFile: undefined } } };
    open = await startRelay(t2deps, 0, "127.0.0.1");
  });
  afterAll(async () => {
    await open.close();
    await closed.close();
  });

  const rows = () => t.db.$client.prepare("SELECT * FROM mail_outbox WHERE kind = 'relay' ORDER BY created_at, id").all() as { to_address: string; from_address: string; subject: string; raw: Buffer; status: string }[];

  it("accepts mail from an allowed address into the outbox, headers kept and a Received header added", async () => {
    const before = rows().length;
    expect(await code(send(open.port, {}, { subject: "Build 42 passed", headers: { "X-Chat": "yes" }, to: ["a@x.test", "b@y.test"] }))).toBe(250);
    const r = rows().at(-1)!;
    expect(rows().length).toBe(before + 1);
    expect(r).toMatchObject({ to_address: "a@x.test, b@y.test", from_address: "chat@intranet.test", subject: "Build 42 passed", status: "queued" });
    const raw = r.raw.toString();
    expect(raw).toMatch(/^Received: from [\s\S]*\sby [\s\S]* \(Roster relay\)/);
    expect(raw).toContain("X-Chat: yes");
  });

  it("refuses an open-relay attempt: unauthenticated client outside the allow list gets 530", async () => {
    expect(await code(send(closed.port, {}))).toBe(530);
  });

  it("refuses plain-text AUTH without TLS from an address not allowed", async () => {
    expect(await code(send(closed.port, { auth: { user: "chat", pass: "s3cret" } }))).toBe(538);
  });

  it("without a certificate, takes AUTH in plain text (there is no TLS to ask for); wrong credentials still get 535", async () => {
    const noCert = { ...t.deps, config: { ...t.config, relay: { ...t.config.relay, allow: [], tlsCertFile: undefined, tlsKeyFile: undefined } } };
    const plain = await startRelay(noCert, 0, "127.0.0.1");
    try {
      expect(await code(send(plain.port, { auth: { user: "chat", pass: "s3cret" } }))).toBe(250);
      expect(await code(send(plain.port, { auth: { user: "chat", pass: "wrong" } }))).toBe(535);
      expect(await code(send(plain.port, {}))).toBe(530);
    } finally {
      await plain.close();
    }
  });

  it("accepts AUTH PLAIN and LOGIN after STARTTLS; wrong credentials get 535", async () => {
    const tls = { ignoreTLS: false, requireTLS: true, tls: { rejectUnauthorized: false } };
    expect(await code(send(closed.port, { ...tls, auth: { user: "chat", pass: "s3cret" }, authMethod: "PLAIN" }))).toBe(250);
    expect(await code(send(closed.port, { ...tls, auth: { user: "wiki", pass: "other" }, authMethod: "LOGIN" }))).toBe(250);
    expect(await code(send(closed.port, { ...tls, auth: { user: "chat", pass: "wrong" } }))).toBe(535);
    expect(rows().at(-1)!.raw.toString()).toMatch(/ESMTPS [\s\S]*authenticated as wiki/);
  });

  it("answers 452 past 100 recipients, 552 over 10 MB and 501 for a malformed address", async () => {
    const many = Array.from({ length: 101 }, (_, i) => `r${i}@x.test`);
    // nodemailer sends what the relay accepted and reports the refused recipient with its code.
    const info = (await send(open.port, {}, { to: many })) as { accepted: string[]; rejected: string[]; rejectedErrors?: { responseCode?: number }[] };
    expect(info.accepted).toHaveLength(100);
    expect(info.rejected).toEqual(["r100@x.test"]);
    expect(info.rejectedErrors?.[0]?.responseCode).toBe(452);
    expect(await code(send(open.port, {}, { text: "x".repeat(10 * 1024 * 1024 + 10) }))).toBe(552);
    expect(await code(send(open.port, {}, { envelope: { from: "chat@intranet.test", to: ["not an address@"] } }))).toBe(501);
  });

  it("answers 451, never 250, when the message cannot be committed", async () => {
    t.db.$client.exec("CREATE TRIGGER refuse BEFORE INSERT ON mail_outbox BEGIN SELECT RAISE(ABORT, 'disk full'); END;");
    try {
      expect(await code(send(open.port, {}))).toBe(451);
    } finally {
      t.db.$client.exec("DROP TRIGGER refuse");
    }
  });

  it("matches allow-list addresses and CIDR ranges, IPv4-mapped IPv6 included", () => {
    const ok = allowList(["10.0.0.0/8", "192.168.1.5", "fd00::/8"]);
    expect([ok("10.2.3.4"), ok("::ffff:10.2.3.4"), ok("192.168.1.5"), ok("192.168.1.6"), ok("fd00::1"), ok("127.0.0.1")]).toEqual([true, true, true, false, true, false]);
  });
});
