import { rmSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { ConfigError } from "../config.js";
import { makeCert, parseMime, startUpstream, type Upstream } from "../test/smtp-upstream.js";
import { captureTransport, classifyError, directTransport, mxHosts, smtpTransport, transportFromConfig, type MailTransport, type OutgoingMail } from "./transports.js";

const mail = (o: Partial<OutgoingMail> = {}): OutgoingMail => ({
  id: "0190aaaa-0000-7000-8000-000000000001",
  fromAddress: "Roster <no-reply@roster.test>",
  toAddress: "ann@example.test",
  subject: "Confirm your email address",
  text: "Hello Ann,\n\nhttp://localhost:8080/verify-email?token=abc\n",
  html: "<p>Hello Ann,</p>",
  raw: null,
  createdAt: new Date("2026-01-15T09:00:00.000Z"),
  ...o,
});

const open: { upstreams: Upstream[]; transports: MailTransport[] } = { upstreams: [], transports: [] };
async function upstream(o: Parameters<typeof startUpstream>[0] = {}) {
  const u = await startUpstream(o);
  open.upstreams.push(u);
  return u;
}
function track<T extends MailTransport>(t: T): T {
  open.transports.push(t);
  return t;
}
afterEach(async () => {
  for (const t of open.transports.splice(0)) t.close();
  await Promise.all(open.upstreams.splice(0).map((u) => u.close()));
});

describe("classifyError", () => {
  it.each([
    [{ code: "EENVELOPE", responseCode: 550, response: "550 5.1.1 No such user" }, "permanent", "550 5.1.1 No such user"],
    [{ code: "EMESSAGE", responseCode: 552, response: "552 Too big" }, "permanent", "552 Too big"],
    [{ code: "EMESSAGE", responseCode: 451, response: "451 4.3.0 Try again later" }, "temporary", "451 4.3.0 Try again later"],
    [{ code: "EENVELOPE", responseCode: 421, response: "421 Closing" }, "temporary", "421 Closing"],
    [{ code: "ECONNECTION", message: "connect ECONNREFUSED 127.0.0.1:1" }, "temporary", "ECONNECTION: connect ECONNREFUSED 127.0.0.1:1"],
    [{ code: "ETIMEDOUT", message: "Greeting never received" }, "temporary", "ETIMEDOUT: Greeting never received"],
    [{ code: "EDNS", message: "getaddrinfo EAI_AGAIN mail.example.test" }, "temporary", "EDNS: getaddrinfo EAI_AGAIN mail.example.test"],
    [{ code: "EAUTH", responseCode: 535, response: "535 Invalid login" }, "temporary", "535 Invalid login"],
    [{ code: "EENVELOPE", message: "No recipients defined" }, "permanent", "EENVELOPE: No recipients defined"],
  ])("%o is %s", (err, outcome, response) => {
    expect(classifyError(Object.assign(new Error(), err))).toEqual({ outcome, response });
  });
});

describe("smtp transport", () => {
  it("sends text and HTML alternatives with a Message-ID from the row and the row's date", async () => {
    const u = await upstream();
    const r = await track(smtpTransport({ url: u.url })).send(mail());
    expect(r).toEqual({ outcome: "sent", response: expect.stringMatching(/^250 /) });
    const [m] = await u.waitFor(1);
    expect(m).toMatchObject({ from: "no-reply@roster.test", to: ["ann@example.test"] });
    const msg = parseMime(m!.raw);
    expect(msg.headers.get("message-id")).toBe("<0190aaaa-0000-7000-8000-000000000001@roster.test>");
    expect(new Date(msg.headers.get("date")!).toISOString()).toBe("2026-01-15T09:00:00.000Z");
    expect(msg.headers.get("auto-submitted")).toBe("auto-generated");
    expect(msg.headers.get("content-type")).toMatch(/^multipart\/alternative/);
    expect(msg.parts.map((p) => p.headers.get("content-type")?.split(";")[0])).toEqual(["text/plain", "text/html"]);
    expect(msg.parts[0]!.body).toContain("/verify-email?token=abc");
  });

  it("sends a relayed message as received, with the envelope from the row", async () => {
    const u = await upstream();
    const raw = Buffer.from("From: app@intranet.test\r\nTo: bob@example.test\r\nSubject: Build failed\r\n\r\nLog attached.\r\n");
    await track(smtpTransport({ url: u.url })).send(mail({ raw, fromAddress: "bounce@intranet.test", toAddress: "bob@example.test, carol@example.test" }));
    const [m] = await u.waitFor(1);
    expect(m).toMatchObject({ from: "bounce@intranet.test", to: ["bob@example.test", "carol@example.test"] });
    expect(m!.raw).toContain("Subject: Build failed\r\n\r\nLog attached.");
  });

  it("reuses a few pooled connections rather than one per message", async () => {
    const u = await upstream();
    const t = track(smtpTransport({ url: u.url }));
    await Promise.all(Array.from({ length: 24 }, (_, i) => t.send(mail({ id: `id-${i}` }))));
    const opened = u.connections();
    expect(opened).toBeLessThanOrEqual(10);
    for (let i = 0; i < 3; i++) {
      await t.send(mail({ id: `later-${i}` }));
      await new Promise((r) => setImmediate(r)); // the pool frees a connection on the next turn
    }
    expect(u.received).toHaveLength(27);
    expect(u.connections()).toBe(opened);
  });

  it.each([
    [550, "permanent", /^550 5\.1\.1 No such user/],
    [451, "temporary", /^451 4\.3\.0 Try again later/],
    [421, "temporary", /^421 /],
    ["drop", "temporary", /Connection closed|ECONNECTION|ESOCKET/],
  ] as const)("classifies an upstream answering %s as %s", async (reply, outcome, response) => {
    const u = await upstream({ reply });
    const r = await track(smtpTransport({ url: u.url })).send(mail());
    expect(r.outcome).toBe(outcome);
    expect(r.response).toMatch(response);
  });

  it("treats a refused connection as temporary", async () => {
    const u = await upstream();
    await u.close();
    const r = await track(smtpTransport({ url: u.url })).send(mail());
    expect(r).toMatchObject({ outcome: "temporary", response: expect.stringContaining("ECONNREFUSED") });
  });

  it("logs in with the credentials in the URL", async () => {
    const u = await upstream({ auth: { user: "roster", pass: "p@ss:word" } });
    await track(smtpTransport({ url: `smtp://roster:${encodeURIComponent("p@ss:word")}@127.0.0.1:${u.port}` })).send(mail());
    expect((await u.waitFor(1))[0]!.user).toBe("roster");
  });

  describe("TLS", () => {
    const cert = makeCert();
    afterAll(() => rmSync(path.dirname(cert.certFile), { recursive: true, force: true }));

    it("speaks smtps:// trusting the extra CA from ROSTER_SMTP_CA_FILE, and refuses an unknown certificate", async () => {
      const u = await upstream({ secure: true, tls: cert });
      expect(await track(smtpTransport({ url: u.url, caFile: cert.certFile })).send(mail())).toMatchObject({ outcome: "sent" });
      expect((await u.waitFor(1))[0]!.secure).toBe(true);
      const untrusted = await track(smtpTransport({ url: u.url })).send(mail());
      expect(untrusted).toMatchObject({ outcome: "temporary", response: expect.stringMatching(/certificate/i) });
    });

    it("upgrades smtp:// with STARTTLS when the server offers it", async () => {
      const u = await upstream({ tls: cert });
      await track(smtpTransport({ url: u.url, caFile: cert.certFile })).send(mail());
      expect((await u.waitFor(1))[0]!.secure).toBe(true);
    });

    it("refuses to start with an unreadable CA file, naming the variable", () => {
      expect(() => smtpTransport({ url: "smtp://127.0.0.1:25", caFile: "/nonexistent/ca.pem" })).toThrow(ConfigError);
      expect(() => smtpTransport({ url: "smtp://127.0.0.1:25", caFile: "/nonexistent/ca.pem" })).toThrow(/ROSTER_SMTP_CA_FILE/);
    });

    it("direct delivery takes STARTTLS without verifying the MX certificate", async () => {
      const u = await upstream({ tls: cert });
      const t = directTransport({ resolveMx: async () => [{ exchange: "127.0.0.1", priority: 10 }], port: u.port });
      expect(await t.send(mail())).toMatchObject({ outcome: "sent" });
      expect((await u.waitFor(1))[0]!.secure).toBe(true);
    });
  });
});

describe("direct transport", () => {
  const nodata = async (): Promise<never> => {
    throw Object.assign(new Error("queryMx ENODATA"), { code: "ENODATA" });
  };

  it("orders MX hosts by priority, falls back to the domain itself, and knows a null MX", async () => {
    expect(await mxHosts("example.test", async () => [{ exchange: "b.mx", priority: 20 }, { exchange: "a.mx", priority: 10 }])).toEqual(["a.mx", "b.mx"]);
    expect(await mxHosts("example.test", nodata)).toEqual(["example.test"]);
    expect(await mxHosts("example.test", async () => [{ exchange: "", priority: 0 }])).toEqual([]);
  });

  it("tries the next MX when one cannot be reached, and stops at a reply", async () => {
    const u = await upstream();
    const t = directTransport({ resolveMx: async () => [{ exchange: "127.0.0.2", priority: 5 }, { exchange: "127.0.0.1", priority: 10 }], port: u.port });
    expect(await t.send(mail())).toMatchObject({ outcome: "sent" });
    u.setReply(550);
    expect(await t.send(mail())).toMatchObject({ outcome: "permanent", response: expect.stringMatching(/^550 /) });
    expect(u.received).toHaveLength(1);
  });

  it("defers on a DNS failure and fails for a domain that takes no mail", async () => {
    const servfail = async (): Promise<never> => {
      throw Object.assign(new Error("queryMx ESERVFAIL"), { code: "ESERVFAIL" });
    };
    expect(await directTransport({ resolveMx: servfail }).send(mail())).toEqual({ outcome: "temporary", response: "MX lookup for example.test failed: ESERVFAIL" });
    expect(await directTransport({ resolveMx: async () => [{ exchange: "", priority: 0 }] }).send(mail())).toMatchObject({ outcome: "permanent" });
  });
});

describe("transportFromConfig", () => {
  it("captures by default and builds the configured transport", async () => {
    expect(await captureTransport().send(mail())).toMatchObject({ outcome: "sent" });
    expect(transportFromConfig({ transport: "capture", from: "x@y.test" }).kind).toBe("capture");
    expect(transportFromConfig({ transport: "direct", from: "x@y.test" }).kind).toBe("direct");
    const smtp = track(transportFromConfig({ transport: "smtp", smtpUrl: "smtp://127.0.0.1:2525", from: "x@y.test" }));
    expect(smtp.kind).toBe("smtp");
  });
});
