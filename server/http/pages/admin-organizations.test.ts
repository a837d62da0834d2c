import { describe, expect, it } from "vitest";
import { listOrganizations } from "../../organizations/manage.js";
import { HOSTILE } from "./test-helpers.js";
import { accountRow, orgWorld, visibleText } from "./admin-org-world.js";

const orgs = (w: Awaited<ReturnType<typeof orgWorld>>) => listOrganizations(w.t.deps, accountRow(w.t, "owner")!);

describe("/admin/organizations", () => {
  it("is for owners only", async () => {
    const { t, adminCookie, memberCookie } = await orgWorld();
    for (const cookie of [adminCookie, memberCookie]) {
      expect((await t.request("/admin/organizations", { cookie })).status).toBe(403);
      expect((await t.request("/admin/organizations", { cookie, form: { name: "Sneaky" } })).status).toBe(403);
    }
  });

  it("lists organizations with member and admin counts and claimed domains", async () => {
    const { t, ownerCookie } = await orgWorld();
    const html = await (await t.request("/admin/organizations", { cookie: ownerCookie })).text();
    const text = visibleText(html);
    // owner, ada and mia; two administrators of the limit of 10; acme.test claimed at the first registration.
    expect(text).toMatch(/Acme 3 2 of 10 50 acme\.test Edit/);
  });

  it("creates an organization with domains one per line, and refuses a claimed domain on the form", async () => {
    const w = await orgWorld();
    const { t, ownerCookie } = w;
    const r = await t.request("/admin/organizations", { cookie: ownerCookie, form: { name: "Globex", domains: "globex.test\r\n\r\nGLOBEX.example \n" } });
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe("/admin/organizations?done=created");
    expect(orgs(w).find((o) => o.name === "Globex")?.claimedDomains).toEqual(["globex.example", "globex.test"]);
    expect(await (await t.request("/admin/organizations?done=created", { cookie: ownerCookie })).text()).toContain("The organization is created.");

    const clash = await t.request("/admin/organizations", { cookie: ownerCookie, form: { name: "Initech", domains: "initech.test\nacme.test" } });
    expect(clash.status).toBe(400);
    const html = await clash.text();
    expect(html).toContain('<p class="field-error" id="f-domains-error">Already claimed by another organization: acme.test (Acme).</p>');
    // Said on the field, and in the same words by the summary's link to it: never again in other words.
    expect(html).toContain('<li><a href="#f-domains">Claimed email domains: Already claimed by another organization: acme.test (Acme).</a></li>');
    expect(visibleText(html).match(/claimed by another organization/g)).toHaveLength(2);
    expect(html).toMatch(/<div class="field invalid"><label for="f-domains">/);
    // What was typed comes back, so nothing has to be typed again.
    expect(html).toContain('value="Initech"');
    expect(html).toContain("initech.test\nacme.test</textarea>");
    expect(orgs(w).map((o) => o.name)).toEqual(["Acme", "Globex"]);
  });

  it("edits name, domains and limits; a domain conflict is shown on the edit form", async () => {
    const w = await orgWorld();
    const { t, ownerCookie } = w;
    await t.request("/admin/organizations", { cookie: ownerCookie, form: { name: "Globex", domains: "globex.test" } });
    const globex = orgs(w).find((o) => o.name === "Globex")!;
    const edit = await (await t.request(`/admin/organizations/${globex.id}`, { cookie: ownerCookie })).text();
    expect(edit).toContain('value="Globex"');
    expect(edit).toContain('name="adminLimit" type="number" value="10"');

    const clash = await t.request(`/admin/organizations/${globex.id}`, { cookie: ownerCookie, form: { name: "Globex Corp", domains: "acme.test", adminLimit: "5", pendingLimit: "20" } });
    expect(clash.status).toBe(400);
    expect(await clash.text()).toContain('<p class="field-error" id="f-domains-error">Already claimed by another organization: acme.test (Acme).</p>');
    expect(orgs(w).find((o) => o.id === globex.id)?.name).toBe("Globex");

    const bad = await t.request(`/admin/organizations/${globex.id}`, { cookie: ownerCookie, form: { name: "Globex", domains: "", adminLimit: "ten", pendingLimit: "0" } });
    expect(bad.status).toBe(400);
    const badHtml = await bad.text();
    expect(badHtml).toContain('id="f-adminLimit-error"');
    expect(badHtml).toContain('id="f-pendingLimit-error"');

    const ok = await t.request(`/admin/organizations/${globex.id}`, { cookie: ownerCookie, form: { name: "Globex Corp", domains: "globex.example", adminLimit: "5", pendingLimit: "20" } });
    expect(ok.status).toBe(303);
    expect(orgs(w).find((o) => o.id === globex.id)).toMatchObject({ name: "Globex Corp", claimedDomains: ["globex.example"], adminLimit: 5, pendingLimit: 20 });
    expect((await t.request("/admin/organizations/nope", { cookie: ownerCookie })).status).toBe(404);
  });

  it("regression: bad domains are named once, by the line typed, on a field marked invalid (not one generic sentence per domain)", async () => {
    const w = await orgWorld();
    const { t, ownerCookie } = w;
    const domains = "good.example\nhttps://bad domain\n@kansai.example.jp";
    const r = await t.request("/admin/organizations", { cookie: ownerCookie, form: { name: "Kansai", domains } });
    expect(r.status).toBe(400);
    const html = await r.text();
    expect(html).toContain('<p class="field-error" id="f-domains-error">“https://bad domain” and “@kansai.example.jp” are not domains. Enter them like example.com.</p>');
    // Not one generic sentence per domain in the summary as well: its link to the field says what the field says.
    expect(visibleText(html)).not.toContain("Enter domains such as example.com.");
    expect(visibleText(html).match(/are not domains/g)).toHaveLength(2);
    expect(html).toContain('<a href="#f-domains">Claimed email domains: “https://bad domain” and “@kansai.example.jp” are not domains. Enter them like example.com.</a>');
    expect(html).toMatch(/<div class="field invalid"><label for="f-domains">[^]*?<textarea id="f-domains" name="domains" rows="3" placeholder="example.com" aria-invalid="true" aria-describedby="f-domains-hint f-domains-error">/);
    expect(html).toContain(`${domains}</textarea>`);
    expect(orgs(w).map((o) => o.name)).toEqual(["Acme"]);

    const ja = visibleText(await (await t.request("/admin/organizations", { cookie: `${ownerCookie}; roster_lang=ja`, form: { name: "Kansai", domains: "https://bad domain" } })).text());
    expect(ja).toContain("「https://bad domain」はドメインではありません。example.com のように入力してください。");
    expect(ja.match(/ドメインではありません/g)).toHaveLength(2);

    // The edit form names them the same way, and a domain another organization claims in one sentence that names it.
    const acme = orgs(w).find((o) => o.name === "Acme")!;
    await t.request("/admin/organizations", { cookie: ownerCookie, form: { name: "Globex", domains: "globex.test" } });
    const globex = orgs(w).find((o) => o.name === "Globex")!;
    const form = { name: "Globex", adminLimit: "10", pendingLimit: "50" };
    const bad = visibleText(await (await t.request(`/admin/organizations/${globex.id}`, { cookie: `${ownerCookie}; roster_lang=ja`, form: { ...form, domains: "@kansai.example.jp" } })).text());
    expect(bad).toContain("「@kansai.example.jp」はドメインではありません。");
    const taken = visibleText(await (await t.request(`/admin/organizations/${globex.id}`, { cookie: `${ownerCookie}; roster_lang=ja`, form: { ...form, domains: "globex.test\nacme.test" } })).text());
    expect(taken).toContain("入力内容を確認してください。");
    expect(taken).toContain("「acme.test」（Acme）はほかの組織の所有ドメインです。");
    // Once on the field, once in the summary's link to it (「所有ドメイン：…」), in the same words.
    expect(taken).toContain("所有ドメイン：「acme.test」（Acme）はほかの組織の所有ドメインです。");
    expect(taken.match(/ほかの組織/g)).toHaveLength(2);
    expect(orgs(w).find((o) => o.id === acme.id)?.claimedDomains).toEqual(["acme.test"]);
  });

  it("regression: calls a claimed domain 所有ドメイン in Japanese, not 登録 (which means registration)", async () => {
    const { t, ownerCookie } = await orgWorld();
    const ja = visibleText(await (await t.request("/admin/organizations", { cookie: `${ownerCookie}; roster_lang=ja` })).text());
    expect(ja).toContain("所有ドメイン");
    expect(ja).not.toMatch(/登録メールドメイン|ドメインを登録|登録済みのメールドメイン/);
  });

  it("escapes organization names", async () => {
    const { t, ownerCookie } = await orgWorld();
    await t.request("/admin/organizations", { cookie: ownerCookie, form: { name: HOSTILE[0]!, domains: "" } });
    const html = await (await t.request("/admin/organizations", { cookie: ownerCookie })).text();
    expect(html).not.toContain(HOSTILE[0]);
    expect(html).toContain("&lt;script&gt;");
  });
});
