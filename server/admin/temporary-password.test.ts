import { describe, expect, it } from "vitest";
import { createOrganization } from "../organizations/organizations.js";
import { createTestApp, login, PASSWORD, registerMember, setupOwner } from "../test/harness.js";

/**
 * An admin's temporary password (POST /api/v1/admin/users/{id}/password): the help desk's way in
 * for someone who cannot log in, above all an account without an address, for which "forgot
 * password" cannot work (found by the usability review, stop 14).
 */
async function world() {
  const t = createTestApp();
  const owner = await setupOwner(t);
  const users = (path: string, o: { token?: string; json?: unknown; method?: string } = {}) => t.request(`/api/v1/admin/users${path}`, { token: o.token ?? owner.token, json: o.json, method: o.method ?? "POST" });
  const logIn = (loginName: string, password: string) => t.request("/api/v1/auth/login", { json: { login: loginName, password } });
  return { t, owner, users, logIn };
}

describe("a temporary password from an admin", () => {
  it("lets a person without an address back in: their sessions end, the lock lifts, and they must choose their own password", async () => {
    const { t, users, logIn } = await world();
    const kiosk = (await (await users("", { json: { userId: "kiosk01", password: PASSWORD } })).json()) as { user: { id: string } };
    const first = await login(t, "kiosk01");
    // Someone keeps guessing until the account is locked.
    for (let n = 0; n < 8; n++) await logIn("kiosk01", `wrong-guess-${n}`);
    expect((await logIn("kiosk01", PASSWORD)).status).toBe(429);

    const r = await users(`/${kiosk.user.id}/password`, { json: { password: "Temp-Desk-4471" } });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ id: kiosk.user.id, status: "active", mustChangePassword: true });
    expect((await t.request("/api/v1/me", { token: first.token })).status).toBe(401);
    expect((await logIn("kiosk01", PASSWORD)).status).toBe(401);
    const back = await logIn("kiosk01", "Temp-Desk-4471");
    expect(back.status).toBe(200);
    expect(await back.json()).toMatchObject({ user: { mustChangePassword: true } });
  });

  it("activates an invited account and voids its setup link; refuses weak passwords, pending accounts, one's own, and other organizations", async () => {
    const { t, owner, users } = await world();
    const invited = (await (await users("", { json: { userId: "lee" } })).json()) as { user: { id: string }; setupUrl: string };
    const weak = await users(`/${invited.user.id}/password`, { json: { password: "lee" } });
    expect(weak.status).toBe(400);
    expect(await weak.json()).toMatchObject({ code: "weak_password" });
    expect(await (await users(`/${invited.user.id}/password`, { json: { password: "Temp-Desk-4471" } })).json()).toMatchObject({ status: "active", mustChangePassword: true });
    const setup = await t.request("/api/v1/auth/setup", { json: { token: new URL(invited.setupUrl).searchParams.get("token"), password: "Taken-Over-Pass-99" } });
    expect(setup.status).toBe(400);

    const pending = await t.request("/api/v1/auth/register", { json: { email: "pen@acme.test", password: PASSWORD, userId: "pen" } });
    const pendingId = ((await pending.json()) as { user: { id: string } }).user.id;
    expect(await (await users(`/${pendingId}/password`, { json: { password: "Temp-Desk-4471" } })).json()).toMatchObject({ code: "validation_failed" });
    expect((await users(`/${owner.user.id}/password`, { json: { password: "Temp-Desk-4471" } })).status).toBe(403);

    const member = await registerMember(t, "mia@acme.test");
    expect((await users(`/${owner.user.id}/password`, { token: member.token, json: { password: "Temp-Desk-4471" } })).status).toBe(403);
    // An admin of another organization does not find the account at all.
    const globex = t.db.transaction((tx) => createOrganization(tx, t.deps, "Globex", ["globex.test"]));
    await users("", { json: { type: "admin", userId: "gabe", email: "gabe@globex.test", password: PASSWORD, organizationId: globex.id } });
    const gabe = await login(t, "gabe");
    expect((await users(`/${member.user.id}/password`, { token: gabe.token, json: { password: "Temp-Desk-4471" } })).status).toBe(404);
    expect((await t.request("/api/v1/auth/login", { json: { login: "mia@acme.test", password: "Temp-Desk-4471" } })).status).toBe(401);
    const audit = (await (await t.request("/api/v1/admin/audit?limit=20", { token: owner.token })).json()) as { items: { action: string }[] };
    expect(audit.items.map((i) => i.action)).toContain("admin.user_password_set");
    expect(JSON.stringify(audit)).not.toContain("Temp-Desk-4471");
  });
});
