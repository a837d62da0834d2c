import { describe, expect, it } from "vitest";
import { ids, world } from "./admin-api-world.js";

describe("admin users API", () => {
  it("regression: an admin's full-width userId and email (input method) are stored in ASCII, on creation and import", async () => {
    const { t, admin, j, create } = await world();
    const r = await create(admin.token, { userId: "ｓａｍ．ｏｋａ", email: "Ｓａｍ．Ｏｋａ＠ａｃｍｅ．ｔｅｓｔ" });
    expect(r.status).toBe(201);
    expect(((await j(r)) as { user: unknown }).user).toMatchObject({ userId: "sam.oka", email: "Sam.Oka@acme.test" });
    expect(t.mailbox.lastMessage("Sam.Oka@acme.test")?.text).toContain("/setup?token=");
    // The same person typed in ASCII is the same account.
    expect((await create(admin.token, { userId: "sam.oka" })).status).toBe(409);
    expect((await create(admin.token, { userId: "sam2", email: "sam.oka@acme.test" })).status).toBe(409);

    const csv = ["userId,email", "ｋｅｎｊｉ,ｋｅｎｊｉ＠ａｃｍｅ．ｔｅｓｔ", "kenji,other@acme.test"].join("\n");
    const report = (await (await t.request("/api/v1/admin/users/import?dryRun=false", { token: admin.token, body: csv, headers: { "content-type": "text/csv" } })).json()) as { results: { status: string; code?: string }[] };
    expect(report.results.map((x) => x.code ?? x.status)).toEqual(["created", "user_id_taken"]);
    const kenji = (await ids(t, admin.token, "q=kenji")).items as unknown[];
    expect(kenji).toEqual([expect.objectContaining({ userId: "kenji", email: "kenji@acme.test" })]);
  });

  it("regression: a birth date after today is reported with the other mistakes, on creation and import (SPEC §2)", async () => {
    const { t, admin, j, create } = await world();
    // The test clock reads 2026-01-15 (UTC). One answer names every field to fix, not the birth date only once the rest is right.
    const both = await create(admin.token, { userId: "x", email: "baby@acme.test", birthDate: "2026-01-16" });
    expect(both.status).toBe(400);
    expect(Object.keys(((await j(both)) as { errors: object }).errors).sort()).toEqual(["birthDate", "userId"]);
    expect((await create(admin.token, { userId: "today", email: "today@acme.test", birthDate: "2026-01-15" })).status).toBe(201);

    const csv = ["userId,email,birthDate", "x,later@acme.test,2030-05-01", "earlier,earlier@acme.test,1990-05-01"].join("\n");
    const report = (await (await t.request("/api/v1/admin/users/import?dryRun=false", { token: admin.token, body: csv, headers: { "content-type": "text/csv" } })).json()) as { results: { status: string; errors?: Record<string, string> }[] };
    expect(report.results.map((x) => x.status)).toEqual(["error", "created"]);
    expect(Object.keys(report.results[0]?.errors ?? {}).sort()).toEqual(["birthDate", "userId"]);
  });

  it("regression: level, role and friendingForbidden are kept on creation and import, and an admin cannot create in another organization", async () => {
    const { t, admin, other, j, create } = await world();
    const made = await create(admin.token, { userId: "lev", email: "lev@acme.test", level: 3, role: 2, friendingForbidden: true });
    expect(made.status).toBe(201);
    expect(((await j(made)) as { user: object }).user).toMatchObject({ level: 3, role: 2, friendingForbidden: true });

    const csv = ["userId,email,level,role,friendingForbidden", "imp1,imp1@acme.test,7,1,TRUE", "imp2,imp2@acme.test,x,,false"].join("\n");
    const report = (await (await t.request("/api/v1/admin/users/import?dryRun=false", { token: admin.token, body: csv, headers: { "content-type": "text/csv" } })).json()) as { results: { status: string; user?: object; errors?: object }[] };
    expect(report.results[0]?.status).toBe("created");
    expect(report.results[1]).toMatchObject({ status: "error", errors: { level: expect.any(String) } });
    const imp1 = (await (await t.request("/api/v1/admin/users?q=imp1", { token: admin.token })).json()) as { items: object[] };
    expect(imp1.items[0]).toMatchObject({ level: 7, role: 1, friendingForbidden: true });

    // Acme's admin naming Globex: refused, rather than created in Acme.
    const elsewhere = await create(admin.token, { userId: "sneaky", email: "sneaky@acme.test", organizationId: other.id });
    expect(elsewhere.status).toBe(400);
    expect(await j(elsewhere)).toMatchObject({ errors: { organizationId: expect.any(String) } });
    expect((await t.request("/api/v1/admin/users?q=sneaky", { token: admin.token }).then((r) => r.json())) as { total: number }).toMatchObject({ total: 0 });
  });

  it("regression: an admin removes the address only of an account an admin created (SPEC §2), never of one its person registered with", async () => {
    const { t, admin, member, j, create } = await world();
    const self = await t.request(`/api/v1/admin/users/${member.user.id}`, { method: "PATCH", token: admin.token, json: { email: "" } });
    expect(self.status).toBe(400);
    expect(await j(self)).toMatchObject({ errors: { email: expect.any(String) } });
    expect(((await j(await t.request(`/api/v1/admin/users/${member.user.id}`, { token: admin.token }))) as { email: string }).email).toBe("mia@acme.test");
    const made = ((await j(await create(admin.token, { userId: "kiosk", email: "kiosk@acme.test" }))) as { user: { id: string } }).user.id;
    const cleared = await t.request(`/api/v1/admin/users/${made}`, { method: "PATCH", token: admin.token, json: { email: null } });
    expect(cleared.status).toBe(200);
    expect(await j(cleared)).toMatchObject({ email: null });
  });
});
