import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { putSetting } from "../../admin/settings.js";
import { accountOf, adminWorld, idOf, postPairs } from "./admin-users-world.js";
import { HOSTILE, hx } from "./test-helpers.js";

const rowsOf = (html: string) => [...html.matchAll(/<td class="col-userid"><a href="[^"]+" class="mono">([^<]+)<\/a>/g)].map((m) => m[1]);

describe("who may see the admin pages", () => {
  it.each(["/admin", "/admin/users", "/admin/users/new", "/admin/import"])("%s: visitors go to log in and come back", async (path) => {
    const { t } = await adminWorld();
    const r = await t.request(path);
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe(`/login?next=${encodeURIComponent(path)}`);
  });

  it.each(["/admin", "/admin/users", "/admin/users/new", "/admin/import"])("%s: a member gets the 403 page", async (path) => {
    const { t, memberCookie } = await adminWorld();
    const r = await t.request(path, { cookie: memberCookie });
    expect(r.status).toBe(403);
    const html = await r.text();
    expect(html).toContain("Error 403");
    expect(html).not.toContain('class="admin-nav"');
  });

  it("a member's post is refused too, and changes nothing", async () => {
    const { t, memberCookie } = await adminWorld();
    const r = await t.request(`/admin/users/${idOf(t, "ada")}/disable`, { form: {}, cookie: memberCookie });
    expect(r.status).toBe(403);
    expect(accountOf(t, "ada")?.status).toBe("active");
  });
});

describe("the users table", () => {
  it("shows the admin's organization only, with the admin navigation", async () => {
    const { t, adminCookie } = await adminWorld();
    const html = await (await t.request("/admin/users", { cookie: adminCookie })).text();
    expect(rowsOf(html)).toEqual(["ada", "mia", "owner"]);
    expect(html).toContain('<a href="/admin/users" class="current" aria-current="page">Users</a>');
    // Server-wide sections are for owners.
    expect(html).not.toContain('href="/admin/organizations"');
    expect(html).not.toContain('name="organizationId"');
    expect(html).toContain("1–3 of 3");
  });

  it("owners see every organization, and may filter by one", async () => {
    const { t, ownerCookie, globex } = await adminWorld();
    const all = await (await t.request("/admin/users", { cookie: ownerCookie })).text();
    expect(rowsOf(all)).toEqual(["ada", "gabe", "gina", "mia", "owner"]);
    expect(all).toContain('href="/admin/organizations"');
    const only = await (await t.request(`/admin/users?organizationId=${globex.id}`, { cookie: ownerCookie })).text();
    expect(rowsOf(only)).toEqual(["gabe", "gina"]);
  });

  it("answers a search from htmx with the results fragment only, and the URL to keep in the history", async () => {
    const { t, adminCookie } = await adminWorld();
    const r = await t.request("/admin/users?q=mi&type=&status=active&group=&sort=userId&order=asc", { cookie: adminCookie, headers: hx });
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(html).toMatch(/^<div id="users-results"/);
    expect(html).not.toContain("<html");
    expect(html).not.toContain('id="users-filters"');
    expect(rowsOf(html)).toEqual(["mia"]);
    expect(r.headers.get("hx-push-url")).toBe("/admin/users?q=mi&status=active");
    expect(r.headers.get("vary")).toContain("HX-Request");
    // Reloading that URL shows the whole page with the same filters filled in.
    const page = await (await t.request("/admin/users?q=mi&status=active", { cookie: adminCookie })).text();
    expect(page).toContain('id="f-q" type="search" name="q" value="mi"');
    expect(page).toMatch(/<option value="active" selected="">/);
    expect(rowsOf(page)).toEqual(["mia"]);
  });

  it("does not push a history entry when the table reloads itself after a change", async () => {
    const { t, adminCookie } = await adminWorld();
    const r = await t.request("/admin/users?q=mi", { cookie: adminCookie, headers: { ...hx, "hx-trigger": "users-results" } });
    expect(r.headers.get("hx-push-url")).toBeNull();
  });

  it("sorts by a column and offers the other order on the same header", async () => {
    const { t, adminCookie } = await adminWorld();
    const html = await (await t.request("/admin/users?sort=userId&order=desc", { cookie: adminCookie, headers: hx })).text();
    expect(rowsOf(html)).toEqual(["owner", "mia", "ada"]);
    expect(html).toContain('aria-sort="descending"><a id="sort-userId" href="/admin/users" hx-get="/admin/users"');
    expect(html).toContain('href="/admin/users?sort=createdAt&amp;order=desc"');
    // Each link says what it does, out of sight (the header says how the column is sorted: aria-sort); its id brings focus back to it after the swap.
    expect(html).toMatch(/<a id="sort-userId"[^>]*>User ID<span class="sort-mark" aria-hidden="true">▼<\/span><span class="vh">\(sort ascending\)<\/span><\/a>/);
    expect(html).toContain('<a id="sort-createdAt" href="/admin/users?sort=createdAt&amp;order=desc"');
    expect(html).toMatch(/id="sort-createdAt"[^>]*>Created<span class="sort-mark" aria-hidden="true">↕<\/span><span class="vh">\(sort descending\)<\/span>/);
    expect(html).toContain('<caption class="vh">Accounts</caption>');
    // The count is no live region of its own (swapped whole, it would not be read): app.js reads it out (data-status).
    expect(html).toContain('<p id="users-count" class="results-count" data-status="">');
    expect(html).not.toContain('role="status"');
    const ja = await (await t.request("/admin/users?sort=userId&order=desc", { cookie: `${adminCookie}; roster_lang=ja`, headers: hx })).text();
    expect(ja).toContain('<span class="vh">（昇順に並べ替え）</span>');
  });

  it("pages with a cursor: Load more appends the next rows in place, or opens the next page without JavaScript", async () => {
    const { t, adminCookie, create } = await adminWorld();
    for (let i = 0; i < 52; i++) await create({ userId: `bulk${String(i).padStart(2, "0")}`, nickname: `Bulk ${i}` });
    const first = await (await t.request("/admin/users", { cookie: adminCookie })).text();
    expect(rowsOf(first)).toHaveLength(50);
    expect(first).toContain("1–50 of 55");
    const more = /<a class="btn btn-quiet" href="([^"]+)" hx-get="([^"]+)"/.exec(first);
    expect(more?.[2]).toMatch(/^\/admin\/users\/rows\?cursor=.+&amp;from=50&amp;start=1$/);
    const rows = await (await t.request((more?.[2] ?? "").replaceAll("&amp;", "&"), { cookie: adminCookie, headers: hx })).text();
    expect(rows).toMatch(/^<tr>/);
    expect(rowsOf(rows)).toEqual(["bulk49", "bulk50", "bulk51", "mia", "owner"]);
    // The count above the table follows, out of band: every row is on screen now.
    expect(rows).toContain('<template><p id="users-count" class="results-count" data-status="" hx-swap-oob="innerHTML">1–55 of 55</p></template>');
    expect(rows).not.toContain('id="users-more"');
    const next = await (await t.request((more?.[1] ?? "").replaceAll("&amp;", "&"), { cookie: adminCookie })).text();
    expect(next).toContain("51–55 of 55");
  });

  it.each(HOSTILE)("renders a nickname of %s as text", async (evil) => {
    const { t, adminCookie, create } = await adminWorld();
    await create({ userId: "mallory", nickname: evil, groupName: evil });
    for (const headers of [{}, hx]) {
      const html = await (await t.request("/admin/users?q=mallory", { cookie: adminCookie, headers })).text();
      expect(rowsOf(html)).toEqual(["mallory"]);
      expect(html).not.toContain("<script>alert(1)</script>");
      expect(html).not.toContain("<img src=x");
      expect(html).toContain(evil.includes("<script>") ? "&lt;script&gt;alert(1)&lt;/script&gt;" : "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
    }
  });

  it("links Export all matching to the export API with the current filters", async () => {
    const { t, adminCookie } = await adminWorld();
    const html = await (await t.request("/admin/users?q=mia&status=active", { cookie: adminCookie })).text();
    expect(html).toContain('href="/api/v1/admin/users/export?q=mia&amp;status=active&amp;format=csv"');
    const csv = await (await t.request("/api/v1/admin/users/export?q=mia&status=active&format=csv", { cookie: adminCookie })).text();
    expect((parse(csv, { columns: true, bom: true }) as { userId: string }[]).map((r) => r.userId)).toEqual(["mia"]);
    // Nothing matches: nothing to export, and no links to an empty file.
    const none = await (await t.request("/admin/users?q=nobody-at-all", { cookie: adminCookie })).text();
    expect(none).not.toContain("/api/v1/admin/users/export?");
  });
});

describe("batch actions over checked rows", () => {
  it("exports the checked rows as CSV or JSON (never another organization's)", async () => {
    const { t, adminCookie, ginaId } = await adminWorld();
    const ids = [idOf(t, "mia"), idOf(t, "owner"), ginaId];
    const csv = await postPairs(t, "/admin/users/bulk", [["action", "csv"], ...ids.map((id): [string, string] => ["ids", id])], { cookie: adminCookie });
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-disposition")).toMatch(/^attachment; filename="roster-users-\d{4}-\d{2}-\d{2}\.csv"$/);
    const bytes = new Uint8Array(await csv.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect((parse(new TextDecoder().decode(bytes), { columns: true, bom: true }) as { userId: string }[]).map((r) => r.userId)).toEqual(["mia", "owner"]);
    const json = await postPairs(t, "/admin/users/bulk", [["action", "json"], ["ids", idOf(t, "mia")]], { cookie: adminCookie });
    expect(((await json.json()) as { userId: string }[]).map((r) => r.userId)).toEqual(["mia"]);
  });

  it("with nothing checked, goes back to the table with a message", async () => {
    const { t, adminCookie } = await adminWorld();
    const r = await postPairs(t, "/admin/users/bulk", [["action", "csv"]], { cookie: adminCookie });
    expect(r.headers.get("location")).toBe("/admin/users?done=none_selected");
    expect(await (await t.request("/admin/users?done=none_selected", { cookie: adminCookie })).text()).toContain("Select at least one account first.");
  });

  it("asks before deleting, naming how many; refuses while deletion is locked", async () => {
    const { t, adminCookie, create } = await adminWorld();
    const ids = [await create({ userId: "temp1" }), await create({ userId: "temp2" }), idOf(t, "mia")];
    const pairs: [string, string][] = [["action", "delete"], ...ids.map((id): [string, string] => ["ids", id])];
    const locked = await postPairs(t, "/admin/users/bulk", pairs, { cookie: adminCookie });
    expect(locked.status).toBe(403);
    const lockedHtml = await locked.text();
    expect(lockedHtml).toContain("Delete the selected accounts (3)?");
    expect(lockedHtml).toContain("Deletion is locked on this server.");
    expect(lockedHtml).toContain("Only an owner of this server can unlock deletion.");
    expect(lockedHtml).not.toContain('action="/admin/users/batch-delete"');
    // Posting the confirmation anyway deletes nothing.
    const forced = await postPairs(t, "/admin/users/batch-delete", ids.map((id): [string, string] => ["ids", id]), { cookie: adminCookie });
    expect(forced.status).toBe(403);
    expect(accountOf(t, "temp1")).toBeDefined();

    putSetting(t.db, "deletionLocked", false);
    const confirm = await (await postPairs(t, "/admin/users/bulk", pairs, { cookie: adminCookie })).text();
    expect(confirm).toContain("Delete the selected accounts (3)?");
    expect(confirm).toContain("Delete 3 now");
    for (const id of ids) expect(confirm).toContain(`<input type="hidden" name="ids" value="${id}"/>`);
    expect(accountOf(t, "temp1")).toBeDefined();

    const done = await postPairs(t, "/admin/users/batch-delete", ids.map((id): [string, string] => ["ids", id]), { cookie: adminCookie });
    expect(done.status).toBe(200);
    const html = await done.text();
    expect(html).toContain("Deleted: 3. Not deleted: 0.");
    for (const u of ["temp1", "temp2", "mia"]) expect(accountOf(t, u)).toBeUndefined();
  });

  it("shows per-account results: the last admin stays", async () => {
    const { t, ownerCookie, globex, create } = await adminWorld();
    putSetting(t.db, "deletionLocked", false);
    const temp = await create({ userId: "temp1", organizationId: globex.id });
    const html = await (await postPairs(t, "/admin/users/batch-delete", [["ids", temp], ["ids", idOf(t, "gabe")]], { cookie: ownerCookie })).text();
    expect(html).toContain("Deleted: 1. Not deleted: 1.");
    expect(html).toContain("The organization&#39;s last active administrator cannot be removed.");
    expect(accountOf(t, "gabe")).toBeDefined();
  });
});
