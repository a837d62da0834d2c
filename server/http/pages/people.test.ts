import { describe, expect, it } from "vitest";
import { createTestApp, PASSWORD, registerMember, setupOwner } from "../../test/harness.js";
import { hx, HOSTILE, pageLogin } from "./test-helpers.js";
import { visibleText } from "./admin-org-world.js";

async function world() {
  const t = createTestApp();
  const owner = await setupOwner(t);
  const add = (userId: string, groupName: string, extra: Record<string, unknown> = {}) =>
    t.request("/api/v1/admin/users", { token: owner.token, json: { userId, email: `${userId}@acme.test`, password: PASSWORD, groupName, ...extra } });
  await add("mia", "Sales/Tokyo", { nickname: "Mia Mori", statusMessage: HOSTILE[0] });
  await add("kai", "Sales/Osaka");
  await add("lou", "Engineering");
  await add("sal", "Salesforce");
  const cookie = await pageLogin(t, "mia");
  return { t, owner, add, cookie };
}

describe("/people", () => {
  it("sends visitors to log in and back", async () => {
    const t = createTestApp();
    const r = await t.request("/people?group=Sales");
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe("/login?next=%2Fpeople%3Fgroup%3DSales");
  });

  it("lists the members with the group tree and its counts", async () => {
    const { t, cookie } = await world();
    const html = await (await t.request("/people", { cookie })).text();
    const text = visibleText(html);
    expect(text).toContain("Members of Acme.");
    expect(text).toContain("People: 5");
    expect(text).toMatch(/Everyone 5 Engineering 1 Sales 2 Osaka 1 Tokyo 1 Salesforce 1/);
    expect(text).toContain("Without a group: 1");
    expect(html).toContain('href="/people?group=Sales%2FTokyo"');
    expect(text).toContain("Mia Mori mia Sales/Tokyo");
    // What a member typed is shown as text.
    expect(html).not.toContain(HOSTILE[0]);
    expect(html).toContain("&lt;script&gt;");
  });

  it("filters by a group and its subgroups, not by a name that merely starts alike", async () => {
    const { t, cookie } = await world();
    const html = await (await t.request("/people?group=Sales", { cookie })).text();
    const text = visibleText(html);
    expect(text).toContain("People in Sales: 2");
    expect(html).toContain('href="/people?group=Sales" aria-current="page"');
    expect(text).toContain("kai");
    expect(text).not.toContain("lou@");
    expect(html).not.toContain('<span class="mono muted">sal</span>');
    expect(html).toContain('<input type="hidden" name="group" value="Sales"/>');
  });

  it("searches as one types: htmx gets the results region alone", async () => {
    const { t, cookie } = await world();
    const r = await t.request("/people?q=KAI", { cookie, headers: hx });
    const html = await r.text();
    expect(html).toMatch(/^<section id="people-results"/);
    expect(visibleText(html)).toContain("People: 1");
    expect(html).toContain('<span class="mono muted">kai</span>');
    const none = visibleText(await (await t.request("/people?q=zzz", { cookie, headers: hx })).text());
    expect(none).toContain("Nobody matches your search.");
    // The search box is wired for a debounced htmx search, and works as a plain GET form too.
    const page = await (await t.request("/people", { cookie })).text();
    expect(page).toContain('hx-trigger="input changed delay:300ms, search"');
    expect(page).toContain('<form method="get" action="/people" role="search"');
  });

  it("pages with a cursor", async () => {
    const { t, add, cookie } = await world();
    for (let i = 0; i < 30; i++) await add(`extra${String(i).padStart(2, "0")}`, "Extra");
    const html = await (await t.request("/people", { cookie })).text();
    expect(html.match(/<li class="person">/g)?.length).toBe(30);
    const next = html.match(/href="(\/people\?cursor=[^"]+)" rel="next"/)?.[1];
    expect(next).toBeDefined();
    const second = await (await t.request(next!, { cookie })).text();
    expect(second.match(/<li class="person">/g)?.length).toBe(5);
    expect(second).toContain('<a class="btn btn-quiet" href="/people"');
  });

  it("tells a personal account it is not in an organization", async () => {
    const { t } = await world();
    await registerMember(t, "solo@gmail.test", { userId: "solo" });
    const cookie = await pageLogin(t, "solo");
    const r = await t.request("/people", { cookie });
    expect(r.status).toBe(200);
    const text = visibleText(await r.text());
    expect(text).toContain("You are not in an organization");
    expect(text).not.toContain("Everyone");
  });
});
