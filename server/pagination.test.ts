import { describe, expect, it } from "vitest";
import { encodeCursor, pageOfAll } from "./pagination.js";
import { AppError } from "./errors.js";
import { createTestApp, login, setupOwner } from "./test/harness.js";

describe("pageOfAll (lists read whole)", () => {
  const letters = ["a", "b", "c", "d", "e"];

  it("pages by ?limit= and follows its own cursor to the end", () => {
    const first = pageOfAll(letters, { limit: "2" });
    expect(first).toMatchObject({ items: ["a", "b"], total: 5 });
    const second = pageOfAll(letters, { limit: "2", cursor: first.nextCursor });
    expect(second.items).toEqual(["c", "d"]);
    const third = pageOfAll(letters, { limit: "2", cursor: second.nextCursor });
    expect(third).toEqual({ items: ["e"], nextCursor: null, total: 5 });
    expect(pageOfAll(letters, {})).toEqual({ items: letters, nextCursor: null, total: 5 });
  });

  it("refuses a limit outside 1–200 and a cursor it did not make", () => {
    for (const query of [{ limit: "0" }, { limit: "201" }, { limit: "x" }, { limit: "0x10" }, { limit: "1e2" }, { limit: "" }, { cursor: "garbage" }, { cursor: encodeCursor("@-1") }, { cursor: encodeCursor("7") }]) {
      expect(() => pageOfAll(letters, query), JSON.stringify(query)).toThrow(AppError);
    }
  });
});

describe("short lists in the API take ?limit= and ?cursor= like the long ones (SPEC §4)", () => {
  it("pages API keys, organizations and one's own sessions", async () => {
    const t = createTestApp();
    const owner = await setupOwner(t);
    await login(t, "owner");
    await login(t, "owner");
    for (const name of ["chat", "wiki", "mail"]) await t.request("/api/v1/admin/api-keys", { token: owner.token, json: { name } });
    for (const name of ["Globex", "Initech"]) await t.request("/api/v1/admin/organizations", { token: owner.token, json: { name } });

    const walk = async (path: string) => {
      const seen: unknown[] = [];
      let cursor: string | null = null;
      for (let n = 0; n < 10; n++) {
        const r = await t.request(`${path}?limit=1${cursor ? `&cursor=${cursor}` : ""}`, { token: owner.token });
        expect(r.status, path).toBe(200);
        const page = (await r.json()) as { items: { id: string }[]; nextCursor: string | null; total: number };
        expect(page.items.length, path).toBeLessThanOrEqual(1);
        seen.push(...page.items.map((i) => i.id));
        cursor = page.nextCursor;
        if (cursor === null) return { seen, total: page.total };
      }
      throw new Error(`${path} never ended`);
    };
    for (const [path, count] of [["/api/v1/admin/api-keys", 3], ["/api/v1/admin/organizations", 3], ["/api/v1/me/sessions", 3]] as const) {
      const { seen, total } = await walk(path);
      expect(seen, path).toHaveLength(count);
      expect(new Set(seen).size, path).toBe(count);
      expect(total, path).toBe(count);
    }
    const bad = await t.request("/api/v1/admin/api-keys?cursor=zzz", { token: owner.token });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: "validation_failed", errors: { cursor: expect.any(String) } });
    expect((await t.request("/api/v1/me/sessions?limit=0", { token: owner.token })).status).toBe(400);
  });
});
