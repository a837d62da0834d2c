import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { accounts } from "../db/schema.js";
import { createTestApp, PASSWORD, registerMember, setupOwner, type TestApp } from "../test/harness.js";
import { expectJson, expectProblem, register } from "../test/api.js";
import type { GroupNode } from "./directory.js";
import { createOrganization } from "./organizations.js";

interface Member {
  userId: string;
  nickname: string;
  email: string;
  groupName: string;
}
type Page = { items: Member[]; nextCursor: string | null; total: number };

/**
 * Acme (acme.test): owner and seven active members in groups, one pending
 * and one disabled. Globex (globex.test) has one member; one person is personal.
 */
let t: TestApp;
let token: string;
let personalToken: string;
let globexToken: string;

const people: [string, string, string][] = [
  // userId, nickname, group
  ["ken", "Ken Tanaka", "Sales"],
  ["mari", "Mari Sato", "Sales/Tokyo"],
  ["jun", "", "Sales/Tokyo/Team A"],
  ["aya", "Aya", "Salesforce"],
  ["rin", "Rin", "Sales Ops"],
  ["tom", "Tom_100%", "Engineering"],
  ["yui", "", ""],
];

beforeAll(async () => {
  t = createTestApp();
  token = (await setupOwner(t)).token;
  for (const [userId, nickname, groupName] of people) {
    const m = await registerMember(t, `${userId}@acme.test`, { userId, nickname });
    t.db.update(accounts).set({ groupName }).where(eq(accounts.id, m.user.id)).run();
  }
  await register(t, { email: "pending@acme.test", password: PASSWORD, userId: "pending" });
  const gone = await registerMember(t, "gone@acme.test", { userId: "gone" });
  t.db.update(accounts).set({ status: "disabled", groupName: "Sales" }).where(eq(accounts.id, gone.user.id)).run();
  createOrganization(t.db, t.deps, "Globex", ["globex.test"]);
  globexToken = (await registerMember(t, "hank@globex.test", { userId: "hank" })).token;
  t.db.update(accounts).set({ groupName: "Sales" }).where(eq(accounts.userId, "hank")).run();
  personalToken = (await registerMember(t, "solo@example.test", { userId: "solo" })).token;
});

const dir = (query = "", as = token) => t.request(`/api/v1/directory${query}`, { token: as });
const ids = (p: Page) => p.items.map((m) => m.userId);

describe("GET /api/v1/directory", () => {
  it("lists the active members of the caller's own organization only, by userId", async () => {
    const p = await expectJson<Page>(await dir(), 200);
    expect(ids(p)).toEqual(["aya", "jun", "ken", "mari", "owner", "rin", "tom", "yui"]);
    expect(p).toMatchObject({ total: 8, nextCursor: null });
    expect(JSON.stringify(p)).not.toMatch(/passwordHash|argon2|"status"/);

    const g = await expectJson<Page>(await dir("", globexToken), 200);
    expect(ids(g)).toEqual(["hank"]);
  });

  it.each([
    ["userId", "ar", ["mari"]],
    ["nickname, any case", "SATO", ["mari"]],
    ["nickname", "tanaka", ["ken"]],
    ["email", "jun@", ["jun"]],
    ["email domain", "@acme", ["aya", "jun", "ken", "mari", "owner", "rin", "tom", "yui"]],
    ["a literal %", "%", ["tom"]],
    ["a literal _", "_", ["tom"]],
    ["nothing", "zzz", []],
    ["someone not active", "gone", []],
    ["someone in another organization", "hank", []],
    // Regression: full-width letters and digits from an input method found nobody (the query is NFKC-normalised).
    ["userId in full-width letters", "ＭＡＲＩ", ["mari"]],
    ["nickname in full-width letters", "ｔａｎａｋａ", ["ken"]],
    ["email in full-width letters", "ｊｕｎ＠ａｃｍｅ", ["jun"]],
    ["a full-width ％, literal once normalised", "％", ["tom"]],
  ])("?q= matches a substring of %s (%j)", async (_, q, expected) => {
    const p = await expectJson<Page>(await dir(`?q=${encodeURIComponent(q)}`), 200);
    expect(ids(p)).toEqual(expected);
    expect(p.total).toBe(expected.length);
  });

  it.each([
    ["Sales", ["jun", "ken", "mari"]],
    [" Sales / Tokyo ", ["jun", "mari"]],
    ["Sales/Tokyo/Team A", ["jun"]],
    ["Salesforce", ["aya"]],
    ["Sales/Tok", []],
    // Group names are case-sensitive, as the group tree shows them (regression: LIKE matched subgroups in any case).
    ["sales", []],
    ["SALES/tokyo", []],
    ["Sales%", []],
  ])("?group=%j includes its subgroups, not siblings that share a prefix", async (group, expected) => {
    const p = await expectJson<Page>(await dir(`?group=${encodeURIComponent(group)}`), 200);
    expect(ids(p)).toEqual(expected);
  });

  it("regression: a nickname written in full-width or half-width characters is still found by the text as typed", async () => {
    // Nicknames are stored as written: NFKC applies to the query, so the typed form is matched too.
    const set = (nickname: string) => t.db.update(accounts).set({ nickname }).where(eq(accounts.userId, "yui")).run();
    set("ﾎﾞｽ ＹＵＩＣＨＩ");
    try {
      expect(ids(await expectJson<Page>(await dir(`?q=${encodeURIComponent("ﾎﾞｽ")}`), 200))).toEqual(["yui"]);
      expect(ids(await expectJson<Page>(await dir(`?q=${encodeURIComponent("ＹＵＩＣＨＩ")}`), 200))).toEqual(["yui"]);
      expect(ids(await expectJson<Page>(await dir(`?q=${encodeURIComponent("ＩＣＨＩ")}`), 200))).toEqual(["yui"]);
    } finally {
      set("");
    }
  });

  it("combines ?q= and ?group=", async () => {
    expect(ids(await expectJson<Page>(await dir("?group=Sales&q=mari"), 200))).toEqual(["mari"]);
  });

  it("pages with ?limit= and ?cursor=, the total staying the same", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const p: Page = await expectJson<Page>(await dir(`?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`), 200);
      expect(p.total).toBe(8);
      expect(p.items.length).toBeLessThanOrEqual(3);
      seen.push(...ids(p));
      cursor = p.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(["aya", "jun", "ken", "mari", "owner", "rin", "tom", "yui"]);
  });

  it("says what a limit may be when it is refused", async () => {
    const r = await dir("?limit=201");
    expect(((await expectProblem(r, 400, "validation_failed")) as { errors: Record<string, string> }).errors).toEqual({ limit: "A whole number from 1 to 200." });
  });

  it("refuses a cursor it did not make (made up, or another list's) with 400, never an empty last page", async () => {
    const made = (v: string) => Buffer.from(v, "utf8").toString("base64url");
    // "garbage" decodes to bytes; "bWFyaQ" is a bare "mari", the format before cursors named their list.
    for (const cursor of ["garbage", "bWFyaQ", made("mail:019abc"), made("invitations:019abc"), `${made("directory:mari")}==`]) {
      await expectProblem(await dir(`?limit=3&cursor=${encodeURIComponent(cursor)}`), 400, "validation_failed");
    }
    const first = await expectJson<Page>(await dir("?limit=3"), 200);
    expect(ids(await expectJson<Page>(await dir(`?limit=3&cursor=${encodeURIComponent(first.nextCursor!)}`), 200))).toEqual(["mari", "owner", "rin"]);
  });

  it.each(["?limit=0", "?limit=201", "?limit=-1", "?limit=abc", "?limit=1.5", "?group=1/2/3/4/5/6/7/8/9", `?q=${"x".repeat(101)}`])(
    "refuses %s with 400 validation_failed",
    async (query) => {
      await expectProblem(await dir(query), 400, "validation_failed");
    },
  );

  it("accepts ?limit=200 and ?limit=1", async () => {
    expect((await expectJson<Page>(await dir("?limit=200"), 200)).items).toHaveLength(8);
    const one = await expectJson<Page>(await dir("?limit=1"), 200);
    expect(ids(one)).toEqual(["aya"]);
    expect(one.nextCursor).not.toBeNull();
  });

  it("is for members of an organization: a personal account gets 403, nobody 401", async () => {
    await expectProblem(await dir("", personalToken), 403, "forbidden");
    await expectProblem(await t.request("/api/v1/directory"), 401, "unauthenticated");
  });
});

describe("GET /api/v1/groups", () => {
  const node = (name: string, path: string, members: number, total: number, children: GroupNode[] = []): GroupNode => ({ name, path, members, total, children });

  it("builds the caller's organization's group tree with member counts", async () => {
    const tree = await expectJson<{ items: GroupNode[]; ungrouped: number; total: number }>(await t.request("/api/v1/groups", { token }), 200);
    expect(tree).toEqual({
      items: [
        node("Engineering", "Engineering", 1, 1),
        node("Sales", "Sales", 1, 3, [node("Tokyo", "Sales/Tokyo", 1, 2, [node("Team A", "Sales/Tokyo/Team A", 1, 1)])]),
        node("Sales Ops", "Sales Ops", 1, 1),
        node("Salesforce", "Salesforce", 1, 1),
      ],
      ungrouped: 2,
      total: 8,
    });
  });

  it("shows another organization only its own groups", async () => {
    const tree = await expectJson<{ items: GroupNode[]; total: number }>(await t.request("/api/v1/groups", { token: globexToken }), 200);
    expect(tree).toMatchObject({ items: [node("Sales", "Sales", 1, 1)], total: 1 });
  });

  it("is for members of an organization: a personal account gets 403", async () => {
    await expectProblem(await t.request("/api/v1/groups", { token: personalToken }), 403, "forbidden");
  });
});
