import { describe, expect, it } from "vitest";
import { createTestApp, setupOwner, PASSWORD } from "../../test/harness.js";

describe("an account created with a password, before its first change (SPEC §3)", () => {
  it("reaches only its account and the password change through the API; afterwards, everything its type allows", async () => {
    const t = createTestApp();
    const owner = await setupOwner(t);
    expect((await t.request("/api/v1/admin/users", { token: owner.token, json: { type: "admin", userId: "ada", email: "ada@acme.test", password: PASSWORD } })).status).toBe(201);
    // The raw log in: the harness's login() would change the password itself.
    const r = await t.request("/api/v1/auth/login", { json: { login: "ada", password: PASSWORD } });
    const { token, user } = (await r.json()) as { token: string; user: { mustChangePassword: boolean } };
    expect(user.mustChangePassword).toBe(true);

    expect((await t.request("/api/v1/me", { token })).status).toBe(200);
    for (const path of ["/api/v1/admin/users", "/api/v1/directory", "/api/v1/me/sessions", "/api/v1/admin/audit"]) {
      const refused = await t.request(path, { token });
      expect(refused.status, path).toBe(403);
      expect(await refused.json(), path).toMatchObject({ code: "forbidden", detail: expect.stringContaining("/api/v1/me/password") });
    }
    const changed = await t.request("/api/v1/me/password", { token, json: { currentPassword: PASSWORD, newPassword: "ada's own passphrase 2026" } });
    expect(changed.status).toBeLessThan(300);
    expect((await t.request("/api/v1/admin/users", { token })).status).toBe(200);
    expect(((await (await t.request("/api/v1/me", { token })).json()) as { mustChangePassword: boolean }).mustChangePassword).toBe(false);
  });
});
