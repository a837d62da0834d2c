import { createHash } from "node:crypto";
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { createTestApp, login, registerMember, setupOwner } from "../test/harness.js";
import { audit, GENESIS_HASH } from "./audit.js";
import { auditExportColumns } from "./audit-export.js";

interface Exported {
  seq: number;
  at: string;
  action: string;
  actorId: string | null;
  actorLabel: string;
  targetId: string | null;
  targetLabel: string;
  organizationId: string | null;
  ip: string;
  detail: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

/** What an auditor outside Roster does with the JSON file: recompute every hash from the entry and the one before. */
function chainHolds(entries: Exported[]): boolean {
  let prev = entries[0]?.prevHash ?? GENESIS_HASH;
  for (const e of entries) {
    if (e.prevHash !== prev) return false;
    const canonical = JSON.stringify([Date.parse(e.at), e.actorId, e.actorLabel, e.action, e.targetId, e.targetLabel, e.organizationId, e.ip, JSON.stringify(e.detail)]);
    if (createHash("sha256").update(prev).update("\n").update(canonical).digest("hex") !== e.hash) return false;
    prev = e.hash;
  }
  return true;
}

async function world() {
  const t = createTestApp();
  const owner = await setupOwner(t);
  const get = (path: string, token = owner.token) => t.request(path, { token });
  return { t, owner, get };
}

describe("audit log export", () => {
  it("gives the whole log oldest first, as CSV and JSON, and the JSON alone proves the chain; the export is recorded", async () => {
    const { t, owner, get } = await world();
    await registerMember(t, "mia@acme.test", { userId: "mia" });
    await t.request("/api/v1/auth/login", { json: { login: "mia", password: "wrong password!" } });
    // Anyone can put text into the log: a log in under a name that a spreadsheet would run.
    const formula = '=HYPERLINK("http://evil.example","open")';
    await t.request("/api/v1/auth/login", { json: { login: formula, password: "wrong password!" } });
    // More than one batch of 500, so the file is read in pieces.
    t.db.transaction((tx) => {
      for (let n = 0; n < 1200; n++) audit(tx, t.deps, { action: "admin.settings_changed", actor: { id: owner.user.id, label: "owner" }, ip: "10.0.0.1", detail: { n } });
    });
    const before = (t.db.$client.prepare("SELECT count(*) FROM audit_log").pluck().get() as number);

    const r = await get("/api/v1/admin/audit/export?format=json");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(r.headers.get("content-disposition")).toMatch(/^attachment; filename="roster-audit-\d{4}-\d{2}-\d{2}\.json"$/);
    expect(r.headers.get("cache-control")).toBe("no-store");
    const entries = (await r.json()) as Exported[];
    // Every entry, the export's own last: who took the log is in the file they took.
    expect(entries).toHaveLength(before + 1);
    expect(entries.map((e) => e.seq)).toEqual([...entries.map((e) => e.seq)].sort((a, b) => a - b));
    expect(entries.at(-1)).toMatchObject({ action: "admin.audit_exported", actorId: owner.user.id, detail: { format: "json" } });
    expect(entries.some((e) => e.action === "login.failed")).toBe(true);
    expect(entries[0]?.prevHash).toBe(GENESIS_HASH);
    expect(chainHolds(entries)).toBe(true);
    // An edited entry in the file no longer matches its hash.
    expect(chainHolds(entries.map((e, n) => (n === 3 ? { ...e, ip: "192.0.2.1" } : e)))).toBe(false);

    // With a byte-order mark, so Excel reads the UTF-8 (Japanese names) right.
    const csv = new TextDecoder("utf-8", { ignoreBOM: true }).decode(await (await get("/api/v1/admin/audit/export?format=csv")).arrayBuffer());
    expect(csv.startsWith("\uFEFFseq,at,action,")).toBe(true);
    const rows = parse(csv, { columns: true, bom: true }) as Record<string, string>[];
    expect(Object.keys(rows[0] ?? {})).toEqual([...auditExportColumns]);
    expect(rows).toHaveLength(before + 2);
    expect(rows.slice(0, before + 1).map((x) => x.hash)).toEqual(entries.map((e) => e.hash));
    expect(JSON.parse(rows.find((x) => x.action === "admin.settings_changed")?.detail ?? "")).toEqual({ n: 0 });
    // The CSV cell cannot run (SPEC §4); the JSON keeps what was typed.
    const labels = (xs: { targetLabel?: string }[]) => xs.map((x) => x.targetLabel).filter((l) => l?.includes("HYPERLINK"));
    expect(labels(rows)).toEqual([`'${formula}`]);
    expect(labels(entries)).toEqual([formula]);
  });

  it("takes the list's filters; an admin gets only their organization's entries", async () => {
    const { t, owner, get } = await world();
    const globex = (await (await t.request("/api/v1/admin/organizations", { token: owner.token, json: { name: "Globex", domains: ["globex.test"] } })).json()) as { id: string };
    await t.request("/api/v1/admin/users", { token: owner.token, json: { userId: "gabe", email: "gabe@globex.test", password: "correct horse battery", type: "admin", organizationId: globex.id } });
    await t.request("/api/v1/admin/users", { token: owner.token, json: { userId: "ada", email: "ada@acme.test", password: "correct horse battery", type: "admin" } });
    const gabe = await login(t, "gabe", "correct horse battery");

    const created = (await (await get("/api/v1/admin/audit/export?format=json&action=admin.user_created")).json()) as Exported[];
    expect(created.map((e) => e.targetLabel).sort()).toEqual(["ada", "gabe"]);
    expect(created.every((e) => e.action === "admin.user_created")).toBe(true);

    const theirs = (await (await get("/api/v1/admin/audit/export?format=json", gabe.token)).json()) as Exported[];
    expect(theirs.length).toBeGreaterThan(0);
    expect(theirs.every((e) => e.organizationId === globex.id)).toBe(true);
    expect(theirs.some((e) => e.targetLabel === "ada")).toBe(false);
  });

  it("refuses a member, a bad date and a bad format with problem+json; a HEAD is not recorded", async () => {
    const { t, get } = await world();
    const mia = await registerMember(t, "mia@acme.test", { userId: "mia" });
    expect((await get("/api/v1/admin/audit/export", mia.token)).status).toBe(403);
    const bad = await get("/api/v1/admin/audit/export?from=yesterday");
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-type")).toContain("application/problem+json");
    expect(((await bad.json()) as { errors: Record<string, string> }).errors).toHaveProperty("from");
    expect((await get("/api/v1/admin/audit/export?format=xlsx")).status).toBe(400);

    const count = () => t.db.$client.prepare("SELECT count(*) FROM audit_log WHERE action = 'admin.audit_exported'").pluck().get();
    expect((await t.request("/api/v1/admin/audit/export", { method: "HEAD", token: (await login(t, "owner")).token })).status).toBe(200);
    expect(count()).toBe(0);
  });

  it("the audit page links to the export of the entries as filtered, in both languages", async () => {
    const { t, owner } = await world();
    const cookie = `roster_session=${owner.token}`;
    const page = await (await t.request("/admin/audit?action=login.&from=2020-01-01", { cookie })).text();
    expect(page).toContain("Export these entries (oldest first; the export is recorded):");
    expect(page).toContain('href="/api/v1/admin/audit/export?action=login.&amp;from=2020-01-01&amp;format=csv"');
    const ja = await (await t.request("/admin/audit", { cookie: `${cookie}; roster_lang=ja` })).text();
    expect(ja).toContain("この条件の記録をエクスポート");
    // A filter that is not valid exports nothing: no links under its error.
    expect(await (await t.request("/admin/audit?from=nope", { cookie })).text()).not.toContain("/api/v1/admin/audit/export");
  });
});
