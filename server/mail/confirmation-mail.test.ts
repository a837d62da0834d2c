import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { t as translate } from "../i18n/index.js";
import { createTestApp, PASSWORD, setupOwner, type TestApp } from "../test/harness.js";
import { decodeWords, parseMime, startUpstream, type MimePart, type Upstream } from "../test/smtp-upstream.js";
import { smtpTransport } from "./transports.js";

/** The confirmation mail, end to end: API → outbox → worker → SMTP → a real smtp-server on port 0. */
describe("the confirmation mail received by a real smtp-server on port 0 over SMTP", () => {
  let u: Upstream;
  let t: TestApp;

  beforeAll(async () => {
    u = await startUpstream();
    t = createTestApp({ mailTransport: smtpTransport({ url: u.url }) });
    await setupOwner(t);
  });
  afterAll(async () => {
    await t.worker?.stop();
    await u.close();
  });

  async function registerAndReceive(email: string, extra: Record<string, unknown> = {}): Promise<MimePart> {
    const r = await t.request("/api/v1/auth/register", { json: { email, password: PASSWORD, ...extra } });
    expect(r.status).toBe(201);
    await t.worker!.drain();
    const m = u.received.find((x) => x.to.includes(email));
    if (!m) throw new Error(`no mail to ${email} at the upstream`);
    return parseMime(m.raw);
  }

  const part = (m: MimePart, type: string) => m.parts.find((p) => p.headers.get("content-type")?.startsWith(type))?.body ?? "";

  it("is multipart/alternative with the link and code, and the code confirms the address", async () => {
    const m = await registerAndReceive("ann@acme.test");
    expect(m.headers.get("to")).toBe("ann@acme.test");
    expect(m.headers.get("subject")).toBe(translate("en", "mail.verify.subject"));
    expect(m.headers.get("content-type")).toMatch(/^multipart\/alternative/);
    const text = part(m, "text/plain");
    const html = part(m, "text/html");
    const link = text.match(new RegExp(`${t.config.baseUrl}/verify-email\\?token=[\\w-]+`))?.[0];
    expect(link).toBeDefined();
    expect(html).toContain(`href="${link}"`);
    const code = text.match(/\b(\d{6})\b/)?.[1];
    expect(html).toContain(code);

    const v = await t.request("/api/v1/auth/verify-email", { json: { email: "ann@acme.test", code } });
    expect(v.status).toBe(200);
  });

  it("speaks Japanese to a Japanese registrant, subject as an encoded word", async () => {
    const m = await registerAndReceive("kenji@acme.test", { language: "ja" });
    const subject = m.headers.get("subject") ?? "";
    expect(subject).toMatch(/^=\?UTF-8\?[BQ]\?/i);
    expect(decodeWords(subject)).toBe(translate("ja", "mail.verify.subject"));
    expect(part(m, "text/plain")).toContain(translate("ja", "mail.verify.intro"));
    expect(part(m, "text/plain")).toMatch(/\/verify-email\?token=[\w-]+/);
  });

  it("is signed with the server's name once the owner has named it", async () => {
    const before = await registerAndReceive("rin@acme.test");
    expect(part(before, "text/plain")).toContain(`— Roster, ${new URL(t.config.baseUrl).host}`);
    const owner = await t.request("/api/v1/auth/login", { json: { login: "owner", password: PASSWORD } });
    const { token } = (await owner.json()) as { token: string };
    expect((await t.request("/api/v1/admin/settings", { method: "PATCH", json: { serverName: "アクメ社内チャット" }, token })).status).toBe(200);
    const m = await registerAndReceive("sora@acme.test", { language: "ja" });
    expect(part(m, "text/plain")).toContain(`\nアクメ社内チャット（${new URL(t.config.baseUrl).host}）\n※このメールは送信専用`);
    expect(part(m, "text/plain")).not.toContain("Roster");
  });
});
