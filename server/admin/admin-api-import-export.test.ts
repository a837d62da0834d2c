import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { world } from "./admin-api-world.js";

describe("admin users API", () => {
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
