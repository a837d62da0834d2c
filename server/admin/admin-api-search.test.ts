import { describe, expect, it } from "vitest";
import { PASSWORD } from "../test/harness.js";
import { ids, world } from "./admin-api-world.js";

describe("admin users API", () => {
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
});
