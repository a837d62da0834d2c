import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, login, PASSWORD, registerMember, setupOwner, type TestApp } from "../test/harness.js";
import { startUpstream, type Upstream } from "../test/smtp-upstream.js";
import { captureTransport, smtpTransport } from "./transports.js";

describe("the admin mail queue", () => {
  let u: Upstream;
  let t: TestApp;
  let owner: { token: string };
  let gabe: { token: string };
  const j = async (r: Response) => (await r.json()) as Record<string, unknown> & { items: Record<string, unknown>[] };

  beforeAll(async () => {
    u = await startUpstream();
    t = createTestApp({ mailTransport: smtpTransport({ url: u.url }) });
    t.worker!.start();
    owner = await setupOwner(t);
    await registerMember(t, "mia@acme.test");
    const globex = await j(await t.request("/api/v1/admin/organizations", { token: owner.token, json: { name: "Globex", domains: ["globex.test"] } }));
    await t.request("/api/v1/admin/users", { token: owner.token, json: { type: "admin", userId: "gabe", email: "gabe@globex.test", password: PASSWORD, organizationId: globex.id } });
    gabe = await login(t, "gabe");
    await t.worker!.drain();
  });
  afterAll(async () => {
    await t.worker?.stop();
    await u.close();
  });

  it("lists each message with its state and the upstream's reply, and shows one in full", async () => {
    const list = await j(await t.request("/api/v1/admin/mail", { token: owner.token }));
    expect(list.transport).toBe("capture");
    const verify = list.items.find((m) => m.to === "mia@acme.test" && m.kind === "verify_email");
    expect(verify).toMatchObject({ status: "sent", transport: "smtp", lastResponse: expect.stringMatching(/^250/) });
    const full = await j(await t.request(`/api/v1/admin/mail/${verify?.id}`, { token: owner.token }));
    expect(full.text).toMatch(/verify-email\?token=/);
    expect(String(full.html)).toContain("<html");
  });

  it("shows an admin only mail to their organization's addresses (another's mail is 404)", async () => {
    const mine = await j(await t.request("/api/v1/admin/mail", { token: gabe.token }));
    expect(mine.items.every((m) => String(m.to).endsWith("@globex.test"))).toBe(true);
    const acme = (await j(await t.request("/api/v1/admin/mail?to=mia", { token: owner.token }))).items[0];
    expect((await t.request(`/api/v1/admin/mail/${acme?.id}`, { token: gabe.token })).status).toBe(404);
    expect((await t.request(`/api/v1/admin/mail/${acme?.id}/retry`, { method: "POST", token: gabe.token })).status).toBe(404);
  });

  it("sends a test mail and reports the upstream's answer; a refused one can be retried", async () => {
    const ok = await j(await t.request("/api/v1/admin/mail/test", { token: owner.token, json: { to: "it@acme.test" } }));
    expect(ok).toMatchObject({ status: "sent", lastResponse: expect.stringMatching(/^250/) });
    expect(u.received.some((m) => m.to.includes("it@acme.test"))).toBe(true);

    u.setReply(550);
    const refused = await j(await t.request("/api/v1/admin/mail/test", { token: owner.token, json: { to: "no@acme.test" } }));
    expect(refused).toMatchObject({ status: "failed", lastError: expect.stringMatching(/550/) });
    u.setReply("accept");
    const retried = await j(await t.request(`/api/v1/admin/mail/${refused.id}/retry`, { method: "POST", token: owner.token }));
    expect(retried.status).toBe("queued");
    await t.worker!.drain();
    const after = await j(await t.request(`/api/v1/admin/mail/${refused.id}`, { token: owner.token }));
    expect(after.status).toBe("sent");
    const member = await login(t, "mia@acme.test");
    expect((await t.request("/api/v1/admin/mail", { token: member.token })).status).toBe(403);
  });
});

describe("retrying and testing mail", () => {
  it("refuses to retry a reset mail whose link has expired, and retries a younger one without giving it a new hour", async () => {
    const t = createTestApp();
    const owner = await setupOwner(t);
    await t.request("/api/v1/auth/password-reset", { json: { email: "owner@acme.test" } });
    const mail = t.mailbox.lastMessage("owner@acme.test")!;
    t.db.$client.prepare("UPDATE mail_outbox SET status = 'failed' WHERE id = ?").run(mail.id);
    t.clock.advance(30 * 60_000);
    const young = await t.request(`/api/v1/admin/mail/${mail.id}/retry`, { method: "POST", token: owner.token });
    expect(young.status).toBe(200);
    expect(t.mailbox.lastMessage("owner@acme.test")!.createdAt.getTime()).toBe(mail.createdAt.getTime());
    t.db.$client.prepare("UPDATE mail_outbox SET status = 'failed' WHERE id = ?").run(mail.id);
    t.clock.advance(31 * 60_000);
    const old = await t.request(`/api/v1/admin/mail/${mail.id}/retry`, { method: "POST", token: owner.token });
    expect(old.status).toBe(400);
    expect(await old.json()).toMatchObject({ errors: { status: expect.stringMatching(/expired/) } });
  });

  it("lets an admin send ten test mails in ten minutes, not a stream of them", async () => {
    const t = createTestApp({ mailTransport: captureTransport() });
    t.worker!.start();
    const owner = await setupOwner(t);
    const send = () => t.request("/api/v1/admin/mail/test", { token: owner.token, json: { to: "someone@elsewhere.test" } });
    for (let i = 0; i < 10; i++) expect((await send()).status).toBe(200);
    const r = await send();
    expect(r.status).toBe(429);
    expect(r.headers.get("retry-after")).toBeTruthy();
    await t.worker!.stop();
  });
});
