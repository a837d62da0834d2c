import { expect, it } from "vitest";
import { createTestApp, PASSWORD } from "../../test/harness.js";
import { call, expectCode, inviteToken, lastToken, loginAs, member, t, w, type Body } from "./responses-check.js";

/** responses.test.ts's steps as the people with accounts go: the server's state, registration and log in, their own account, the directory, a registration request accepted. */
export function accountSteps(): void {
  it("server, health and readiness", async () => {
    expect((await call("get /api/v1/server")).status).toBe(200);
    expect((await call("get /healthz")).status).toBe(200);
    expect((await call("get /readyz")).status).toBe(200);
    // Not ready: a database that cannot be read answers 503 with what failed (not problem details).
    const broken = createTestApp();
    broken.db.$client.close();
    const r = await call("get /readyz", {}, broken);
    expect(r).toMatchObject({ status: 503, body: { status: "unavailable", database: false } });
  });

  it("registration, confirmation, log in and out, password reset", async () => {
    const first = await call("post /api/v1/auth/register", { json: { email: "owner@acme.test", password: PASSWORD, userId: "owner", organizationName: "Acme" } });
    expect(first.body).toMatchObject({ verificationRequired: false, user: { type: "owner", organization: { name: "Acme" } } });
    w.owner = await loginAs("owner");

    const mia = await call("post /api/v1/auth/register", { json: { email: "mia@acme.test", password: PASSWORD, userId: "mia" } });
    expect(mia.body).toMatchObject({ verificationRequired: true, user: { status: "pending", lastLoginAt: null, emailVerifiedAt: null } });
    w.miaUserId = mia.body.user.id;
    expect((await call("post /api/v1/auth/resend-verification", { json: { email: "nobody@acme.test" } })).status).toBe(202);
    const verified = await call("post /api/v1/auth/verify-email", { json: { email: "mia@acme.test", code: t.mailbox.codeIn(t.mailbox.lastMessage("mia@acme.test")) } });
    expect(verified.body.user.status).toBe("active");

    expect((await call("post /api/v1/auth/password-reset", { json: { email: "mia@acme.test" } })).status).toBe(202);
    expect((await call("post /api/v1/auth/password-reset/confirm", { json: { token: lastToken("mia@acme.test"), password: PASSWORD } })).status).toBe(204);
    w.mia = await loginAs("mia");
    const spare = await loginAs("mia@acme.test");
    expect((await call("post /api/v1/auth/logout", { token: spare })).status).toBe(204);

    // A personal account (its domain is no organization's), moved in by a registration request below.
    w.pat = (await member("pat@personal.test", "pat")).token;

    // Errors: problem details with a code the document lists for the status.
    await expectCode(call("post /api/v1/auth/register", { json: { email: "not an address", password: PASSWORD } }), 400, "validation_failed");
    await expectCode(call("post /api/v1/auth/login", { json: { login: "mia", password: "not the password" } }), 401, "invalid_credentials");
    await expectCode(call("post /api/v1/auth/register", { json: "{", headers: { "content-type": "text/plain" } }), 415, "unsupported_media_type");
    await expectCode(call("post /api/v1/auth/password-reset/confirm", { json: { token: "x".repeat(40), password: PASSWORD } }), 400, "invalid_token");
  });

  it("the caller's own account and sessions", async () => {
    expect((await call("get /api/v1/me", { token: w.owner })).body.organization).toMatchObject({ name: "Acme" });
    const patched = await call("patch /api/v1/me", {
      token: w.mia,
      json: { nickname: "Mia", groupName: "Sales/Tokyo/Team A", birthDate: "1990-02-03", location: "Tokyo", statusMessage: "hi", gender: "female", messageSettings: { pushOffline: false } },
    });
    expect(patched.body).toMatchObject({ displayName: "Mia", birthDate: "1990-02-03", messageSettings: { pushOffline: false } });
    const other = await loginAs("mia");
    expect((await call("post /api/v1/me/password", { token: w.mia, json: { currentPassword: PASSWORD, newPassword: PASSWORD } })).status).toBe(204);
    expect((await call("post /api/v1/me/email", { token: w.mia, json: { newEmail: "mia.new@acme.test", password: PASSWORD } })).status).toBe(202);
    await loginAs("mia");
    await loginAs("mia");
    const list = await call("get /api/v1/me/sessions", { token: w.mia, query: "limit=2" });
    expect(list.body).toMatchObject({ total: 3, nextCursor: expect.any(String) });
    expect(list.body.items[0].current).toBe(true);
    const notCurrent = list.body.items[1].id as string;
    expect((await call("delete /api/v1/me/sessions/{id}", { token: w.mia, params: { id: notCurrent } })).status).toBe(204);
    expect((await call("delete /api/v1/me/sessions", { token: w.mia })).status).toBe(204);
    await expectCode(call("get /api/v1/me", { token: other }), 401, "unauthenticated");
    await expectCode(call("get /api/v1/me"), 401, "unauthenticated");
    await expectCode(call("delete /api/v1/me/sessions/{id}", { token: w.mia, params: { id: "no-such-session" } }), 404, "not_found");
    await expectCode(call("get /api/v1/me/sessions", { token: w.mia, query: "limit=0" }), 400, "validation_failed");
  });

  it("the directory and the group tree", async () => {
    expect((await call("get /api/v1/directory", { token: w.mia })).body.total).toBeGreaterThanOrEqual(2);
    expect((await call("get /api/v1/directory", { token: w.mia, query: "q=mia&group=Sales" })).body.items).toHaveLength(1);
    const groups = await call("get /api/v1/groups", { token: w.mia });
    expect(groups.body.items[0]).toMatchObject({ name: "Sales", children: [{ name: "Tokyo", children: [{ path: "Sales/Tokyo/Team A" }] }] });
    await expectCode(call("get /api/v1/directory", { token: w.pat }), 403, "forbidden");
  });

  it("registration requests, sent by an admin and accepted by their link", async () => {
    const one = await call("post /api/v1/admin/invitations", { token: w.owner, json: { email: "ivy@acme.test", message: "Welcome" } });
    expect(one).toMatchObject({ status: 201, body: { status: "pending", organization: { name: "Acme" } } });
    const many = await call("post /api/v1/admin/invitations", { token: w.owner, json: { email: "pat@personal.test, rob@acme.test, not-an-address" } });
    expect(many.status).toBe(200);
    expect(many.body.results.map((x: Body) => x.status)).toEqual(["sent", "sent", "error"]);
    expect(many.body.results[2]).toMatchObject({ code: "validation_failed", errors: { email: expect.any(String) } });
    expect((await call("get /api/v1/admin/invitations", { token: w.owner, query: "status=pending" })).body.total).toBe(3);
    expect((await call("post /api/v1/admin/invitations/{id}/resend", { token: w.owner, params: { id: one.body.id } })).body.status).toBe("pending");
    const rob = many.body.results[1].invitation.id as string;
    expect((await call("delete /api/v1/admin/invitations/{id}", { token: w.owner, params: { id: rob } })).status).toBe(204);

    const ivy = inviteToken("ivy@acme.test");
    expect((await call("get /api/v1/invitations/{token}", { params: { token: ivy } })).body).toMatchObject({ mode: "new_account", viewerMatches: null });
    const created = await call("post /api/v1/invitations/{token}/accept", { params: { token: ivy }, json: { userId: "ivy", nickname: "Ivy", password: PASSWORD } });
    expect(created).toMatchObject({ status: 201, body: { user: { userId: "ivy", status: "active" } } });

    const pat = inviteToken("pat@personal.test");
    expect((await call("get /api/v1/invitations/{token}", { params: { token: pat }, token: w.pat })).body).toMatchObject({ mode: "move_personal", viewerMatches: true });
    const moved = await call("post /api/v1/invitations/{token}/accept", { params: { token: pat }, token: w.pat });
    expect(moved).toMatchObject({ status: 200, body: { user: { userId: "pat", organization: { name: "Acme" } } } });

    await expectCode(call("get /api/v1/invitations/{token}", { params: { token: "not-a-token" } }), 400, "invalid_token");
    await expectCode(call("post /api/v1/admin/invitations", { token: w.owner, json: { email: "mia@acme.test" } }), 409, "already_member");
  });
}
