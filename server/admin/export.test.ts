import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { csvRow, exportColumns, neutralizeCell } from "./export.js";
import { createTestApp, setupOwner } from "../test/harness.js";

/** The row as exports wrote it with csv-stringify: every cell a string, formulas neutralised. */
const asBefore = (raw: unknown[]) => {
  const cells = raw.map((v, n) => {
    if (v === null) return "";
    if (exportColumns[n] === "friendingForbidden" || exportColumns[n] === "pushOffline") return String(v === 1);
    if (exportColumns[n]!.endsWith("At")) return new Date(v as number).toISOString();
    return typeof v === "string" ? neutralizeCell(v) : String(v);
  });
  return stringify([cells]);
};

describe("users export", () => {
  it("writes every CSV line exactly as csv-stringify did (commas, quotes, line breaks, formulas, any text)", () => {
    const text = fc.oneof(fc.string({ unit: fc.constantFrom(",", '"', "\n", "\r", "=", "+", "-", "@", "\t", "'", "a", " ", "田", "😀", "\uFF1D") }), fc.string({ unit: "grapheme" }));
    const value = (n: number) =>
      exportColumns[n] === "friendingForbidden" || exportColumns[n] === "pushOffline"
        ? fc.constantFrom(0, 1)
        : exportColumns[n]!.endsWith("At")
          ? fc.option(fc.integer({ min: 0, max: 4_102_444_800_000 }), { nil: null })
          : exportColumns[n] === "level" || exportColumns[n] === "role"
            ? fc.integer({ min: 0, max: 2_147_483_647 })
            : fc.option(text, { nil: null });
    fc.assert(
      fc.property(fc.tuple(...exportColumns.map((_, n) => value(n))), (raw) => {
        expect(csvRow(raw)).toBe(asBefore(raw));
      }),
      { numRuns: 500 },
    );
  });

  it("lists every account once, in userId order, when there are more than one batch of them", async () => {
    const t = createTestApp();
    const owner = await setupOwner(t);
    const org = t.db.$client.prepare("SELECT organization_id FROM accounts WHERE user_id = 'owner'").pluck().get() as string;
    const insert = t.db.$client.prepare(
      "INSERT INTO accounts (id, organization_id, user_id, email, email_lower, status, nickname, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'active', ?, 0, 0)",
    );
    const made: string[] = [];
    t.db.$client.transaction(() => {
      for (let n = 0; n < 1234; n++) {
        const userId = `u${(n * 7919) % 1234}`;
        made.push(userId);
        insert.run(`id-${n}`, org, userId, `${userId}@acme.test`, `${userId}@acme.test`, n % 3 ? `Nick, "${n}"` : `=cmd|${n}`);
      }
    })();
    const expected = [...made, "owner"].sort();

    const csv = await (await t.request("/api/v1/admin/users/export?format=csv", { token: owner.token })).text();
    const rows = parse(csv, { columns: true, bom: true }) as Record<string, string>[];
    expect(rows.map((r) => r.userId)).toEqual(expected);
    expect(rows.find((r) => r.userId === "u0")?.nickname).toBe("'=cmd|0");
    const json = (await (await t.request("/api/v1/admin/users/export?format=json", { token: owner.token })).json()) as { userId: string }[];
    expect(json.map((r) => r.userId)).toEqual(expected);
  });

  it("a download given up halfway leaves the server answering", async () => {
    const t = createTestApp();
    const owner = await setupOwner(t);
    const insert = t.db.$client.prepare("INSERT INTO accounts (id, user_id, status, created_at, updated_at) VALUES (?, ?, 'active', 0, 0)");
    t.db.$client.transaction(() => {
      for (let n = 0; n < 1500; n++) insert.run(`id-${n}`, `user${n}`);
    })();
    const r = await t.request("/api/v1/admin/users/export?format=csv", { token: owner.token });
    const reader = r.body!.getReader();
    expect((await reader.read()).done).toBe(false);
    await reader.cancel();
    const search = await t.request("/api/v1/admin/users?q=user149", { token: owner.token });
    expect(((await search.json()) as { total: number }).total).toBe(11);
  });

  it("a HEAD of the export takes nothing away and is not recorded as an export; a GET is", async () => {
    const t = createTestApp();
    const owner = await setupOwner(t);
    const exports = () => t.db.$client.prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'admin.users_exported'").get() as { n: number };
    const head = await t.request("/api/v1/admin/users/export?format=csv", { method: "HEAD", token: owner.token });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(exports().n).toBe(0);
    const get = await t.request("/api/v1/admin/users/export?format=csv", { token: owner.token });
    expect(await get.text()).toContain("userId");
    expect(exports().n).toBe(1);
  });
});
