import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { createOrganization } from "../organizations/organizations.js";
import { putSetting } from "./settings.js";
import { createTestApp, login, registerMember, setupOwner, PASSWORD, type TestApp } from "../test/harness.js";

async function world() {
  const t = createTestApp();
  const owner = await setupOwner(t);
  const other = t.db.transaction((tx) => createOrganization(tx, t.deps, "Globex", ["globex.test"]));
  const member = await registerMember(t, "mia@acme.test");
  const j = (r: Response) => r.json() as Promise<Record<string, unknown>>;
  const create = async (token: string, body: Record<string, unknown>) => t.request("/api/v1/admin/users", { token, json: body });
  // An admin of Acme, active with a password.
  const adminRes = await create(owner.token, { type: "admin", userId: "ada", email: "ada@acme.test", password: PASSWORD });
  expect(adminRes.status).toBe(201);
  const admin = await login(t, "ada");
  // A Globex admin and member, created by the owner.
  await create(owner.token, { type: "admin", userId: "gabe", email: "gabe@globex.test", password: PASSWORD, organizationId: other.id });
  const gm = (await j(await create(owner.token, { userId: "gina", email: "gina@globex.test", password: PASSWORD, organizationId: other.id }))) as { user: { id: string } };
  return { t, owner, member, admin, other, globexMemberId: gm.user.id, j, create };
}

const ids = async (t: TestApp, token: string, query: string) =>
  ((await (await t.request(`/api/v1/admin/users?${query}`, { token })).json()) as { items: { userId: string }[]; total: number; nextCursor: string | null });

describe("admin users API", () => {
  it("refuses members (403) and hides other organizations' accounts from admins (404)", async () => {
    const { t, member, admin, globexMemberId } = await world();
    expect((await t.request("/api/v1/admin/users", { token: member.token })).status).toBe(403);
    expect((await t.request("/api/v1/admin/users")).status).toBe(401);
    for (const [method, path] of [
      ["GET", ""], ["PATCH", ""], ["DELETE", ""], ["POST", "/disable"], ["POST", "/enable"], ["POST", "/promote"],
      ["POST", "/demote"], ["DELETE", "/sessions"], ["POST", "/verify-email"],
    ] as const) {
      const r = await t.request(`/api/v1/admin/users/${globexMemberId}${path}`, { method, token: admin.token, json: method === "PATCH" ? { nickname: "x" } : undefined });
      expect(r.status, `${method} ${path}`).toBe(404);
    }
    const list = await ids(t, admin.token, "limit=200");
    expect(list.items.map((u) => u.userId).sort()).toEqual(["ada", "mia", "owner"]);
  });

  it("creates accounts with the three outcomes of SPEC §3", async () => {
    const { t, admin, j, create } = await world();
    const mailed = await create(admin.token, { userId: "sam", email: "sam@acme.test", nickname: "Sam" });
    expect(mailed.status).toBe(201);
    const m = (await j(mailed)) as { outcome: string; user: { status: string } };
    expect(m).toMatchObject({ outcome: "setup_mail", user: { status: "invited" } });
    expect(t.mailbox.lastMessage("sam@acme.test")?.text).toContain("/setup?token=");

    const withPassword = (await j(await create(admin.token, { userId: "pat", password: PASSWORD }))) as { outcome: string; user: { status: string; mustChangePassword: boolean } };
    expect(withPassword).toMatchObject({ outcome: "password", user: { status: "active", mustChangePassword: true } });

    const link = (await j(await create(admin.token, { userId: "lee" }))) as { outcome: string; setupUrl: string };
    expect(link.outcome).toBe("setup_link");
    expect(link.setupUrl).toMatch(/^http:\/\/localhost:8080\/setup\?token=[a-z2-7]+$/);

    expect((await create(admin.token, { userId: "sam" })).status).toBe(409);
    const taken = await create(admin.token, { userId: "sam2", email: "SAM@acme.test" });
    expect(taken.status).toBe(409);
    expect(((await j(taken)) as { code: string }).code).toBe("email_taken");

    // Every field to correct at once: a taken user ID with a taken address, and both with a weak password.
    const both = (await j(await create(admin.token, { userId: "sam", email: "sam@acme.test" }))) as { code: string; errors: Record<string, string> };
    expect(both.code).toBe("user_id_taken");
    expect(Object.keys(both.errors).sort()).toEqual(["email", "userId"]);
    const all = await create(admin.token, { userId: "sam", email: "sam@acme.test", password: "password" });
    expect(all.status).toBe(400);
    const body = (await j(all)) as { code: string; errors: Record<string, string> };
    expect(body.code).toBe("weak_password");
    expect(Object.keys(body.errors).sort()).toEqual(["email", "password", "userId"]);
  });

  it("enforces the admin limit and protects the last admin", async () => {
    const { t, owner, admin, other, j, create } = await world();
    t.db.$client.prepare("UPDATE organizations SET admin_limit = 2 WHERE id != ?").run(other.id);
    const r = await create(admin.token, { type: "admin", userId: "third" });
    expect(((await j(r)) as { code: string }).code).toBe("admin_limit_reached");
    // Globex has one admin (gabe): demoting or disabling him is refused.
    const gabe = (await ids(t, owner.token, "q=gabe")).items[0] as unknown as { id: string };
    for (const action of ["demote", "disable"]) {
      const res = await t.request(`/api/v1/admin/users/${gabe.id}/${action}`, { method: "POST", token: owner.token });
      expect(((await j(res)) as { code: string }).code).toBe("last_admin");
    }
  });

  it("disabling ends every session at once; enabling lets the person log in again", async () => {
    const { t, admin, member, j } = await world();
    const id = member.user.id;
    const r = await t.request(`/api/v1/admin/users/${id}/disable`, { method: "POST", token: admin.token });
    expect(((await j(r)) as { status: string }).status).toBe("disabled");
    expect((await t.request("/api/v1/me", { token: member.token })).status).toBe(401);
    const denied = await t.request("/api/v1/auth/login", { json: { login: "mia@acme.test", password: PASSWORD } });
    expect(((await j(denied)) as { code: string }).code).toBe("account_disabled");
    await t.request(`/api/v1/admin/users/${id}/enable`, { method: "POST", token: admin.token });
    expect((await t.request("/api/v1/auth/login", { json: { login: "mia@acme.test", password: PASSWORD } })).status).toBe(200);
  });

  it("refuses deletion while locked, deletes once an owner unlocks it, and batch-deletes per id", async () => {
    const { t, owner, admin, member, globexMemberId, j, create } = await world();
    const locked = await t.request(`/api/v1/admin/users/${member.user.id}`, { method: "DELETE", token: admin.token });
    expect(((await j(locked)) as { code: string }).code).toBe("deletion_locked");
    expect((await t.request("/api/v1/admin/settings", { method: "PATCH", token: admin.token, json: { deletionLocked: false, confirmDeletionUnlock: true } })).status).toBe(403);
    const unconfirmed = await t.request("/api/v1/admin/settings", { method: "PATCH", token: owner.token, json: { deletionLocked: false } });
    expect(unconfirmed.status).toBe(400);
    const ok = await t.request("/api/v1/admin/settings", { method: "PATCH", token: owner.token, json: { deletionLocked: false, confirmDeletionUnlock: true } });
    expect(((await j(ok)) as { deletionLocked: boolean }).deletionLocked).toBe(false);

    expect((await t.request(`/api/v1/admin/users/${member.user.id}`, { method: "DELETE", token: admin.token })).status).toBe(204);
    expect((await t.request(`/api/v1/admin/users/${member.user.id}`, { token: admin.token })).status).toBe(404);
    expect((await t.request("/api/v1/me", { token: member.token })).status).toBe(401);

    const x = (await j(await create(admin.token, { userId: "xavier" }))) as { user: { id: string } };
    const batch = await t.request("/api/v1/admin/users/batch-delete", { token: admin.token, json: { ids: [x.user.id, globexMemberId, "nope"] } });
    const results = ((await j(batch)) as { results: { id: string; status: string; code?: string }[] }).results;
    expect(results).toEqual([
      { id: x.user.id, status: "deleted" },
      { id: globexMemberId, status: "error", code: "not_found" },
      { id: "nope", status: "error", code: "not_found" },
    ]);
    putSetting(t.db, "deletionLocked", true);
    const lockedBatch = await t.request("/api/v1/admin/users/batch-delete", { token: admin.token, json: { ids: [globexMemberId] } });
    expect(lockedBatch.status).toBe(403);
  });

  it("searches by substring over userId, email and nickname, filters, sorts and pages", async () => {
    const { t, admin, create } = await world();
    for (const [userId, nickname, groupName] of [["tanaka", "田中太郎", "Sales/Tokyo"], ["tanabe", "Tana", "Sales/Osaka"], ["suzuki", "Suzu", "Salesforce"]]) {
      const r = await create(admin.token, { userId, nickname });
      const id = ((await r.json()) as { user: { id: string } }).user.id;
      await t.request(`/api/v1/admin/users/${id}`, { method: "PATCH", token: admin.token, json: { groupName } });
    }
    expect((await ids(t, admin.token, "q=ANAK")).items.map((u) => u.userId)).toEqual(["tanaka"]);
    expect((await ids(t, admin.token, "q=%E7%94%B0%E4%B8%AD%E5%A4%AA")).items.map((u) => u.userId)).toEqual(["tanaka"]);
    expect((await ids(t, admin.token, "q=ta")).items.map((u) => u.userId).sort()).toEqual(["tanabe", "tanaka"]);
    expect((await ids(t, admin.token, "group=Sales")).items.map((u) => u.userId).sort()).toEqual(["tanabe", "tanaka"]);
    expect((await ids(t, admin.token, "status=invited&sort=userId&order=desc")).items.map((u) => u.userId)).toEqual(["tanaka", "tanabe", "suzuki"]);
    const page1 = await ids(t, admin.token, "limit=2&sort=userId");
    expect(page1.total).toBe(6);
    const page2 = await ids(t, admin.token, `limit=2&sort=userId&cursor=${page1.nextCursor}`);
    const page3 = await ids(t, admin.token, `limit=2&sort=userId&cursor=${page2.nextCursor}`);
    expect([...page1.items, ...page2.items, ...page3.items].map((u) => u.userId)).toEqual(["ada", "mia", "owner", "suzuki", "tanabe", "tanaka"]);
    expect(page3.nextCursor).toBeNull();
    expect((await t.request("/api/v1/admin/users?cursor=garbage", { token: admin.token })).status).toBe(400);
    // A cursor continues the sort and order that made it; given with another one it is refused,
    // where it used to answer an empty page (a userId compared with a date).
    const byCreation = await ids(t, admin.token, "limit=2&sort=createdAt");
    for (const other of ["sort=userId", "sort=createdAt&order=desc", "sort=nickname"]) {
      const r = await t.request(`/api/v1/admin/users?limit=2&${other}&cursor=${byCreation.nextCursor}`, { token: admin.token });
      expect(r.status, other).toBe(400);
      expect(await r.json()).toMatchObject({ code: "validation_failed", errors: { cursor: expect.any(String) } });
    }
    expect((await ids(t, admin.token, `limit=2&sort=createdAt&cursor=${byCreation.nextCursor}`)).items).toHaveLength(2);
  });

  it("regression: a query in full-width letters (input method) finds accounts by userId, email and nickname", async () => {
    const { t, admin, create } = await world();
    // Nicknames are stored as written; userIds and emails are ASCII.
    for (const [userId, email, nickname] of [["tanaka.hanako", "hanako.t@acme.test", "Hanako"], ["kato", "kato@acme.test", "ＴＡＮＡＫＡ ファン"], ["sato", "sato@acme.test", "ﾀﾅｶ ｻﾄｼ"]]) {
      expect((await create(admin.token, { userId, email, nickname })).status).toBe(201);
    }
    const found = async (query: string) => (await ids(t, admin.token, query)).items.map((u) => u.userId);
    const q = (text: string, more = "") => `q=${encodeURIComponent(text)}${more}`;
    // In the trigram index: the NFKC form everywhere, the typed form in nicknames.
    expect(await found(q("ＴＡＮＡＫＡ"))).toEqual(["tanaka.hanako", "kato"]);
    expect(await found(q("ｔａｎａｋａ．ｈａｎａｋｏ"))).toEqual(["tanaka.hanako"]);
    expect(await found(q("ＨＡＮＡＫＯ．Ｔ＠ＡＣＭＥ"))).toEqual(["tanaka.hanako"]);
    expect(await found(q("ﾀﾅｶ"))).toEqual(["sato"]);
    expect(await found(q("ＴＡＮＡＫＡ", "&sort=userId"))).toEqual(["kato", "tanaka.hanako"]);
    // Through the filter the other sorts and the export use.
    expect(await found(q("ＴＡＮＡＫＡ", "&sort=createdAt"))).toEqual(["tanaka.hanako", "kato"]);
    const exported = (await (await t.request(`/api/v1/admin/users/export?format=json&${q("ＴＡＮＡＫＡ")}`, { token: admin.token })).json()) as { userId: string }[];
    expect(exported.map((u) => u.userId).sort()).toEqual(["kato", "tanaka.hanako"]);
    // Shorter than a trigram: LIKE, with the same two forms.
    expect((await found(q("ＫＡＴ"))).sort()).toEqual(["kato"]);
    expect((await found(q("ＴＡ"))).sort()).toEqual(["kato", "tanaka.hanako"]);
    expect(await found(q("ｻﾄ"))).toEqual(["sato"]);
    expect(await found(q("\u3000ｓａｔｏ\u3000"))).toEqual(["sato"]);
  });

  it("regression: a nickname written in full-width letters or half-width katakana is found by the text as usually typed, and the other way round", async () => {
    const { t, admin, member, create } = await world();
    for (const [userId, nickname] of [["kato", "ＴＡＮＡＫＡ Ｈａｎａｋｏ"], ["sato", "ﾔﾏﾀﾞ ﾀﾛｳ"], ["ito", "ヤマダ ハナコ"], ["abe", "Tanaka Jiro"]]) {
      expect((await create(admin.token, { userId, email: `${userId}@acme.test`, nickname, password: PASSWORD })).status).toBe(201);
    }
    const found = async (text: string) => (await ids(t, admin.token, `q=${encodeURIComponent(text)}`)).items.map((u) => u.userId).sort();
    // Through the trigram index (three characters or more)…
    expect(await found("tanaka")).toEqual(["abe", "kato"]);
    expect(await found("hanako")).toEqual(["kato"]);
    expect(await found("ヤマダ")).toEqual(["ito", "sato"]);
    expect(await found("ﾔﾏﾀﾞ")).toEqual(["ito", "sato"]);
    expect(await found("タロウ")).toEqual(["sato"]);
    // …and by LIKE below that.
    expect(await found("ヤマ")).toEqual(["ito", "sato"]);
    expect(await found("ta")).toEqual(expect.arrayContaining(["abe", "kato"]));
    // The People directory searches the same way.
    const people = async (text: string) =>
      ((await (await t.request(`/api/v1/directory?q=${encodeURIComponent(text)}`, { token: member.token })).json()) as { items: { userId: string }[] }).items.map((u) => u.userId).sort();
    expect(await people("tanaka")).toEqual(["abe", "kato"]);
    expect(await people("ﾔﾏﾀﾞ")).toEqual(["ito", "sato"]);
    expect(await people("ヤマ")).toEqual(["ito", "sato"]);
  });

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

  it("lists a typed query's matches oldest first unless a sort is chosen, and pages them without repeats", async () => {
    const { t, admin, create } = await world();
    const made: Record<string, string> = {};
    for (const userId of ["zed-kato", "amy-kato", "max-kato", "bob-kato", "kim-sato"]) {
      made[userId] = ((await (await create(admin.token, { userId })).json()) as { user: { id: string } }).user.id;
    }
    const all = async (query: string) => {
      const seen: string[] = [];
      let cursor: string | null = "";
      for (let n = 0; cursor !== null && n < 10; n++) {
        const page: Awaited<ReturnType<typeof ids>> = await ids(t, admin.token, `${query}&limit=3${cursor ? `&cursor=${cursor}` : ""}`);
        expect(page.total).toBe(4);
        seen.push(...page.items.map((u) => u.userId));
        cursor = page.nextCursor;
      }
      return seen;
    };
    expect(await all("q=kato")).toEqual(["zed-kato", "amy-kato", "max-kato", "bob-kato"]);
    expect(await all("q=kato&order=desc")).toEqual(["bob-kato", "max-kato", "amy-kato", "zed-kato"]);
    expect(await all("q=kato&sort=userId")).toEqual(["amy-kato", "bob-kato", "max-kato", "zed-kato"]);
    expect(await all("q=kato&sort=userId&order=desc")).toEqual(["zed-kato", "max-kato", "bob-kato", "amy-kato"]);
    // An edit moves nobody: the order is when an account was created, not what it is called now.
    await t.request(`/api/v1/admin/users/${made["zed-kato"]}`, { method: "PATCH", token: admin.token, json: { nickname: "Aaron Kato" } });
    await t.request(`/api/v1/admin/users/${made["kim-sato"]}`, { method: "PATCH", token: admin.token, json: { nickname: "Kim Kato" } });
    expect((await ids(t, admin.token, "q=kato")).items.map((u) => u.userId)).toEqual(["zed-kato", "amy-kato", "max-kato", "bob-kato", "kim-sato"]);
    // Filters narrow the same order; a cursor of another order is refused, not misread.
    expect((await ids(t, admin.token, "q=kato&group=Sales")).items.map((u) => u.userId)).toEqual([]);
    await t.request(`/api/v1/admin/users/${made["max-kato"]}`, { method: "PATCH", token: admin.token, json: { groupName: "Sales" } });
    await t.request(`/api/v1/admin/users/${made["amy-kato"]}`, { method: "PATCH", token: admin.token, json: { groupName: "Sales/Tokyo" } });
    expect((await ids(t, admin.token, "q=kato&group=Sales")).items.map((u) => u.userId)).toEqual(["amy-kato", "max-kato"]);
    // Each item is the account as reading it shows it, whichever order found it.
    const found = ((await (await t.request("/api/v1/admin/users?q=kato", { token: admin.token })).json()) as { items: { id: string }[] }).items;
    const bySort = ((await (await t.request("/api/v1/admin/users?q=kato&sort=userId", { token: admin.token })).json()) as { items: { id: string }[] }).items;
    for (const item of [...found, ...bySort]) expect(item).toEqual(await (await t.request(`/api/v1/admin/users/${item.id}`, { token: admin.token })).json());
    const byUserId = (await ids(t, admin.token, "q=kato&sort=userId&limit=1")).nextCursor;
    expect((await t.request(`/api/v1/admin/users?q=kato&cursor=${byUserId}`, { token: admin.token })).status).toBe(400);
  });

  it("exports CSV with a BOM and neutralised formulas, and JSON without secrets", async () => {
    const { t, admin, member } = await world();
    await t.request("/api/v1/me", { method: "PATCH", token: member.token, json: { nickname: '=HYPERLINK("http://evil.example","x")', location: "<script>alert(1)</script>" } });
    const r = await t.request("/api/v1/admin/users/export?format=csv", { token: admin.token });
    expect(r.headers.get("content-disposition")).toMatch(/attachment; filename="roster-users-\d{4}-\d{2}-\d{2}\.csv"/);
    const bytes = new Uint8Array(await r.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parse(new TextDecoder().decode(bytes), { columns: true }) as Record<string, string>[];
    const mia = rows.find((x) => x.userId === "mia");
    expect(mia?.nickname).toBe(`'=HYPERLINK("http://evil.example","x")`);
    expect(mia?.location).toBe("<script>alert(1)</script>");
    expect(Object.keys(mia ?? {})).not.toContain("passwordHash");
    const json = (await (await t.request(`/api/v1/admin/users/export?format=json&ids=${member.user.id}`, { token: admin.token })).json()) as Record<string, unknown>[];
    expect(json).toHaveLength(1);
    expect(JSON.stringify(json)).not.toMatch(/argon2|passwordHash|secret/i);
  });
});

describe("API keys and introspection", () => {
  it("a key whose creator is demoted stops working, and the list says so; it works again when they are an admin again", async () => {
    const { t, admin, owner, member } = await world();
    const created = (await (await t.request("/api/v1/admin/api-keys", { token: admin.token, json: { name: "chat" } })).json()) as { key: string; id: string; active: boolean };
    expect(created.active).toBe(true);
    const introspect = () => t.request("/api/v1/introspect", { token: created.key, json: { token: member.token } });
    const listed = async () => ((await (await t.request("/api/v1/admin/api-keys", { token: owner.token })).json()) as { items: { id: string; active: boolean }[] }).items.find((k) => k.id === created.id);
    expect((await introspect()).status).toBe(200);
    expect(await listed()).toMatchObject({ active: true });
    const adaId = ((await (await t.request("/api/v1/me", { token: admin.token })).json()) as { id: string }).id;
    expect((await t.request(`/api/v1/admin/users/${adaId}/demote`, { method: "POST", token: owner.token })).status).toBe(200);
    expect((await introspect()).status).toBe(401);
    expect(await listed()).toMatchObject({ active: false });
    const page = await (await t.request("/admin/api-keys", { cookie: `roster_session=${owner.token}` })).text();
    expect(page).toContain("Not working");
    expect(page).toContain("Its creator is no longer an active administrator");
    expect((await t.request(`/api/v1/admin/users/${adaId}/promote`, { method: "POST", token: owner.token })).status).toBe(200);
    expect(await listed()).toMatchObject({ active: true });
    expect((await introspect()).status).toBe(200);
  });

  it("an API key acts as its creator, and the audit log says which key it was", async () => {
    const { t, admin } = await world();
    const created = (await (await t.request("/api/v1/admin/api-keys", { token: admin.token, json: { name: "chat server" } })).json()) as { key: string; id: string };
    const viaKey = await t.request("/api/v1/admin/users", { token: created.key, json: { userId: "bot-made", email: "bot-made@acme.test" } });
    expect(viaKey.status).toBe(201);
    expect((await t.request("/api/v1/admin/users", { token: admin.token, json: { userId: "by-hand", email: "by-hand@acme.test" } })).status).toBe(201);
    const entries = ((await (await t.request("/api/v1/admin/audit?action=admin.user_created", { token: admin.token })).json()) as { items: { actor: { label: string }; target: { label: string }; detail: Record<string, unknown> }[] }).items;
    const made = (label: string) => entries.find((e) => e.target.label === label);
    expect(made("bot-made")).toMatchObject({ actor: { label: "ada" }, detail: { apiKey: { id: created.id, name: "chat server" } } });
    expect(made("by-hand")?.actor.label).toBe("ada");
    expect(made("by-hand")?.detail).not.toHaveProperty("apiKey");
    // A log in sent with the key's header is the person's own: the key is not named beside them.
    expect((await t.request("/api/v1/auth/login", { json: { login: "mia", password: PASSWORD }, headers: { authorization: `Bearer ${created.key}` } })).status).toBe(200);
    const logins = ((await (await t.request("/api/v1/admin/audit?action=login.succeeded", { token: admin.token })).json()) as { items: { actor: { label: string }; detail: Record<string, unknown> }[] }).items;
    expect(logins.find((e) => e.actor.label === "mia")?.detail).not.toHaveProperty("apiKey");
    // The audit page names the key beside the admin, in both languages.
    const cookie = `roster_session=${admin.token}`;
    expect(await (await t.request("/admin/audit?action=admin.user_created", { cookie })).text()).toContain("with the API key “chat server”");
    expect(await (await t.request("/admin/audit?action=admin.user_created", { cookie: `${cookie}; roster_lang=ja` })).text()).toContain("（APIキー「chat server」を使用）");
    // The chain still holds with the key in the detail.
    expect((await (await t.request("/api/v1/admin/audit/verify", { token: admin.token })).json()) as { ok: boolean }).toMatchObject({ ok: true });
  });

  it("introspects a user's token with an API key; disabled accounts' tokens are inactive", async () => {
    const { t, admin, member, owner } = await world();
    const created = (await (await t.request("/api/v1/admin/api-keys", { token: admin.token, json: { name: "chat" } })).json()) as { key: string; id: string };
    expect(created.key).toMatch(/^rk_/);
    const form = (token: string) => t.request("/api/v1/introspect", { token: created.key, body: new URLSearchParams({ token }).toString(), headers: { "content-type": "application/x-www-form-urlencoded" } });
    const active = (await (await form(member.token)).json()) as Record<string, unknown>;
    expect(active).toMatchObject({ active: true, sub: member.user.id, username: "mia", type: "general", organization: { name: "Acme" } });
    expect(typeof active.exp).toBe("number");
    expect(await (await form("garbage")).json()).toEqual({ active: false });
    // RFC 7662's optional hint beside the token, in either order, and the token percent-encoded.
    const hinted = await t.request("/api/v1/introspect", { token: created.key, body: `token_type_hint=access_token&token=${encodeURIComponent(member.token).replace(/\./g, "%2E")}`, headers: { "content-type": "application/x-www-form-urlencoded; charset=UTF-8" } });
    expect(await hinted.json()).toMatchObject({ active: true, sub: member.user.id });
    // A repeated token: the last counts, as the pages read a repeated field.
    const twice = await t.request("/api/v1/introspect", { token: created.key, body: `token=garbage&token=${encodeURIComponent(member.token)}`, headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(await twice.json()).toMatchObject({ active: true, sub: member.user.id });
    // A valid credential of the wrong kind is asked for the right one; only a refused one is an invalid_token (RFC 6750).
    // Neither form nor JSON: the 415 says both are taken, not "must be JSON".
    const multipart = await t.request("/api/v1/introspect", { token: created.key, body: `--b\r\nContent-Disposition: form-data; name="token"\r\n\r\n${member.token}\r\n--b--\r\n`, headers: { "content-type": "multipart/form-data; boundary=b" } });
    expect(multipart.status).toBe(415);
    expect(((await multipart.json()) as { detail: string }).detail).toBe("The body was sent as multipart/form-data; send it as application/x-www-form-urlencoded (RFC 7662) or application/json.");
    const wrongKind = await t.request("/api/v1/introspect", { token: member.token, json: { token: member.token } });
    expect(wrongKind.status).toBe(401);
    expect(wrongKind.headers.get("www-authenticate")).toBe('Bearer realm="roster"');
    expect((await t.request("/api/v1/me", { token: created.key })).headers.get("www-authenticate")).toBe('Bearer realm="roster"');
    const unknownKey = await t.request("/api/v1/introspect", { token: `${created.key.slice(0, -4)}aaaa`, json: { token: member.token } });
    expect(unknownKey.headers.get("www-authenticate")).toBe('Bearer realm="roster", error="invalid_token"');
    // A temporary password set by an admin: the new session must choose its own password first, and until
    // then it is no token for the chat either.
    expect((await t.request(`/api/v1/admin/users/${member.user.id}/password`, { token: admin.token, json: { password: "Temp-Desk-4471" } })).status).toBe(200);
    const temporary = (await (await t.request("/api/v1/auth/login", { json: { login: "mia", password: "Temp-Desk-4471" } })).json()) as { token: string };
    expect(await (await form(temporary.token)).json()).toEqual({ active: false });
    expect((await t.request("/api/v1/me/password", { token: temporary.token, json: { currentPassword: "Temp-Desk-4471", newPassword: "mias-own-pass-42" } })).status).toBe(204);
    expect(await (await form(temporary.token)).json()).toMatchObject({ active: true, sub: member.user.id });
    await t.request(`/api/v1/admin/users/${member.user.id}/disable`, { method: "POST", token: owner.token });
    expect(await (await form(temporary.token)).json()).toEqual({ active: false });
    const list = (await (await t.request("/api/v1/admin/api-keys", { token: admin.token })).json()) as { items: { lastUsedAt: string | null }[] };
    expect(list.items[0]?.lastUsedAt).not.toBeNull();
    expect(JSON.stringify(list)).not.toContain(created.key.slice(-20));
    await t.request(`/api/v1/admin/api-keys/${created.id}`, { method: "DELETE", token: admin.token });
    expect((await form(admin.token)).status).toBe(401);
  });

  it("regression: a chat server lists the directory and the groups of the key's organization with an API key (SPEC §1)", async () => {
    const { t, admin } = await world();
    const { key, id } = (await (await t.request("/api/v1/admin/api-keys", { token: admin.token, json: { name: "chat" } })).json()) as { key: string; id: string };
    const people = await t.request("/api/v1/directory", { token: key });
    expect(people.status).toBe(200);
    const userIds = ((await people.json()) as { items: { userId: string }[] }).items.map((u) => u.userId);
    // Acme's active members, not Globex's.
    expect(userIds).toEqual(expect.arrayContaining(["ada", "mia"]));
    expect(userIds).not.toContain("gina");
    expect((await t.request("/api/v1/groups", { token: key })).status).toBe(200);
    // A wrong key, and the same key once revoked, list nothing.
    expect((await t.request("/api/v1/directory", { token: `${key}x` })).status).toBe(401);
    expect((await t.request(`/api/v1/admin/api-keys/${id}`, { method: "DELETE", token: admin.token })).status).toBe(204);
    expect((await t.request("/api/v1/directory", { token: key })).status).toBe(401);
  });

  it("lists the audit log for admins and verifies its chain", async () => {
    const { t, admin } = await world();
    const list = (await (await t.request("/api/v1/admin/audit?action=login", { token: admin.token })).json()) as { items: { action: string }[] };
    expect(list.items.length).toBeGreaterThan(0);
    expect(list.items.every((e) => e.action.startsWith("login"))).toBe(true);
    expect(await (await t.request("/api/v1/admin/audit/verify", { token: admin.token })).json()).toMatchObject({ ok: true });
    // Pages follow their cursor; a cursor the list did not make is refused, not read as the first page.
    const first = (await (await t.request("/api/v1/admin/audit?limit=1", { token: admin.token })).json()) as { items: { seq: number }[]; nextCursor: string };
    const second = (await (await t.request(`/api/v1/admin/audit?limit=1&cursor=${first.nextCursor}`, { token: admin.token })).json()) as { items: { seq: number }[] };
    expect(second.items[0]?.seq).toBeLessThan(first.items[0]?.seq as number);
    const bad = await t.request("/api/v1/admin/audit?cursor=zzz", { token: admin.token });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ errors: { cursor: expect.any(String) } });
  });
});

describe("import", () => {
  const csv = [
    "userId,email,nickname,groupName,type",
    "kenji,kenji@acme.test,Kenji,Sales / Tokyo,general",
    "x,bad@acme.test,,,general",
    "kenji,other@acme.test,,,general",
    "mika,mia@acme.test,,,general",
    "noemail,,No Email,,general",
  ].join("\n");

  it("a dry run reports per-row errors and writes nothing; the real run creates the valid rows only", async () => {
    const { t, admin } = await world();
    const post = (dry: boolean, body: string, type = "text/csv") =>
      t.request(`/api/v1/admin/users/import?dryRun=${dry}`, { token: admin.token, body, headers: { "content-type": type } });
    const before = t.db.$client.prepare("SELECT count(*) AS n FROM accounts").get() as { n: number };
    const dry = (await (await post(true, "\uFEFF" + csv)).json()) as { valid: number; failed: number; results: { row: number; status: string; code?: string }[] };
    expect(dry.results.map((r) => [r.row, r.status, r.code])).toEqual([
      [1, "valid", undefined],
      [2, "error", "validation_failed"],
      [3, "error", "user_id_taken"],
      [4, "error", "email_taken"],
      [5, "valid", undefined],
    ]);
    expect(t.db.$client.prepare("SELECT count(*) AS n FROM accounts").get()).toEqual(before);

    const real = (await (await post(false, csv)).json()) as { created: number; results: { status: string; outcome?: string; setupUrl?: string }[] };
    expect(real.created).toBe(2);
    expect(real.results[4]).toMatchObject({ status: "created", outcome: "setup_link" });
    expect(real.results[4]?.setupUrl).toMatch(/\/setup\?token=/);
    const kenji = (await (await t.request("/api/v1/admin/users?q=kenji", { token: admin.token })).json()) as { items: { groupName: string; status: string }[] };
    expect(kenji.items[0]).toMatchObject({ groupName: "Sales/Tokyo", status: "invited" });

    const json = (await (await post(false, JSON.stringify([{ userId: "yui", email: "yui@acme.test" }, { userId: 42 }]), "application/json")).json()) as { created: number; failed: number };
    expect(json).toMatchObject({ created: 1, failed: 1 });
    expect((await post(false, "{not json", "application/json")).status).toBe(400);
  });
});

describe("disable and enable", () => {
  it("regression: enabling returns an account to where it was, never skipping confirmation or approval", async () => {
    const t = createTestApp();
    const owner = await setupOwner(t);
    putSetting(t.db, "registration", "approval");
    await registerMember(t, "ann@acme.test").catch(() => undefined); // awaiting approval: the login in the helper is refused
    const ann = ((await (await t.request("/api/v1/admin/users?q=ann", { token: owner.token })).json()) as { items: { id: string; status: string }[] }).items[0]!;
    expect(ann.status).toBe("awaiting_approval");
    await t.request(`/api/v1/admin/users/${ann.id}/disable`, { method: "POST", token: owner.token });
    const enabled = (await (await t.request(`/api/v1/admin/users/${ann.id}/enable`, { method: "POST", token: owner.token })).json()) as { status: string };
    expect(enabled.status).toBe("awaiting_approval");
    expect((await t.request("/api/v1/auth/login", { json: { login: "ann@acme.test", password: PASSWORD } })).status).toBe(403);
  });
});

describe("mark email verified", () => {
  it("regression: under the approval policy it puts the applicant in the queue and mails the approvers, as a confirmation link does", async () => {
    const t = createTestApp();
    const owner = await setupOwner(t);
    putSetting(t.db, "registration", "approval");
    await t.request("/api/v1/auth/register", { json: { email: "ann@acme.test", password: PASSWORD } });
    const ann = ((await (await t.request("/api/v1/admin/users?q=ann", { token: owner.token })).json()) as { items: { id: string; status: string }[] }).items[0]!;
    expect(ann.status).toBe("pending");
    const r = (await (await t.request(`/api/v1/admin/users/${ann.id}/verify-email`, { method: "POST", token: owner.token })).json()) as { status: string; emailVerifiedAt: string | null };
    expect(r).toMatchObject({ status: "awaiting_approval", emailVerifiedAt: expect.any(String) });
    expect(t.mailbox.lastMessage("owner@acme.test")?.kind).toBe("application_received");
  });
});

describe("organization limits", () => {
  it("regression: an admin limit below the admins the organization has now is refused, naming the field", async () => {
    const { t, owner } = await world();
    const acme = ((await (await t.request("/api/v1/admin/organizations", { token: owner.token })).json()) as { items: { id: string; name: string; admins: number }[] }).items.find((o) => o.name === "Acme")!;
    expect(acme.admins).toBe(2); // the owner and ada
    const low = await t.request(`/api/v1/admin/organizations/${acme.id}`, { method: "PATCH", token: owner.token, json: { adminLimit: 1 } });
    expect(low.status).toBe(400);
    expect(await low.json()).toMatchObject({ code: "validation_failed", errors: { adminLimit: expect.stringMatching(/demote/) } });
    const even = await t.request(`/api/v1/admin/organizations/${acme.id}`, { method: "PATCH", token: owner.token, json: { adminLimit: 2 } });
    expect(await even.json()).toMatchObject({ adminLimit: 2, admins: 2 });
    // An organization already over its limit (set before the rule) is still renamed with its limit as it is,
    // as the edit form sends it.
    t.db.$client.prepare("UPDATE organizations SET admin_limit = 1 WHERE id = ?").run(acme.id);
    const renamed = await t.request(`/api/v1/admin/organizations/${acme.id}`, { method: "PATCH", token: owner.token, json: { name: "Acme Corp", adminLimit: 1 } });
    expect(await renamed.json()).toMatchObject({ name: "Acme Corp", adminLimit: 1 });
  });
});
