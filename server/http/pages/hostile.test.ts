import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { createTestApp, login, registerMember, setupOwner, type TestApp } from "../../test/harness.js";
import { setSetting } from "../../test/api.js";
import { anyString, HOSTILE_STRINGS, isWellFormed, queryString } from "../../test/hostile.js";
// Refused in free text (fields.test.ts), so nothing to render.
import { badCharacters } from "../../accounts/fields.js";
import { hx, pageLogin } from "./test-helpers.js";

/**
 * Issue 7 item 4, pages (SPEC §6 "nothing that users send is ever rendered
 * unescaped"): hostile strings stored in every field a page shows, and put
 * in every query parameter a page reads, come back only escaped.
 */

/** What hono/jsx does to text and attribute values. */
const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");

/** A payload for one field: script, attribute break-out, template syntax, an RTL override; `tag` says which field it sits in. Fits 64 characters. */
// A right-to-left mark, which text may hold (the overrides that reverse a name are refused: fields.test.ts).
const payload = (tag: string) => `${tag}<script>alert(1)</script>"><img src=x onerror=alert(1)>\u200F{{x}}`;


/** The raw fragments that would run if a page echoed a payload unescaped. */
const RAW = ["<script>alert(1)</script>", "<img src=x", "onerror=alert(1)>", "</textarea><svg", "<svg onload", "' onmouseover='"];

/** An attribute that would run a `javascript:` URL. */
const JS_URL = /\s(?:href|src|action|formaction|hx-get|hx-post|hx-push-url)\s*=\s*["']?\s*javascript:/i;

function expectEscaped(html: string, where: string) {
  for (const raw of RAW) expect(html.includes(raw), `${where} contains raw ${raw}`).toBe(false);
  expect(html, `${where}: a javascript: URL in an attribute`).not.toMatch(JS_URL);
}

let t: TestApp;
let owner: string; // page cookie
let member: string; // page cookie
let memberId: string;
let applicantId: string;
let orgId: string;
let invitationToken: string;

const fields = { nickname: "n", location: "l", statusMessage: "s", groupName: "g" } as const;

beforeAll(async () => {
  t = createTestApp();
  const ownerApi = (await setupOwner(t)).token;
  const m = await registerMember(t, "member@acme.test", { userId: "member" });
  memberId = m.user.id;
  const profile = Object.fromEntries(Object.entries(fields).map(([f, tag]) => [f, payload(tag)]));
  const patched = await t.request("/api/v1/me", { method: "PATCH", token: m.token, json: { ...profile, avatarUrl: 'https://x.test/a"><img src=x onerror=alert(1)>' } });
  expect(patched.status, await patched.clone().text()).toBe(200);
  // javascript: is no avatar URL (SPEC §2: http(s) only), so it can never reach an <img src>.
  expect((await t.request("/api/v1/me", { method: "PATCH", token: m.token, json: { avatarUrl: "javascript:alert(1)" } })).status).toBe(400);

  const api = (path: string, json: unknown, method = "POST") => t.request(path, { method, token: ownerApi, json });
  const acme = ((await (await t.request("/api/v1/admin/organizations", { token: ownerApi })).json()) as { items: { id: string }[] }).items[0]!;
  expect((await api(`/api/v1/admin/organizations/${acme.id}`, { name: payload("o") }, "PATCH")).status).toBe(200);
  orgId = ((await (await api("/api/v1/admin/organizations", { name: payload("p"), domains: ["globex.test"] })).json()) as { id: string }).id;
  expect((await api("/api/v1/admin/invitations", { email: "invitee@acme.test", message: payload("m") })).status).toBe(201);
  invitationToken = new URL(t.mailbox.linkIn(t.mailbox.lastMessage("invitee@acme.test"))).pathname.split("/").pop()!;
  expect((await api("/api/v1/admin/api-keys", { name: payload("k") })).status).toBe(201);
  expect((await api("/api/v1/admin/users", { userId: "hostile.created", nickname: payload("c"), email: "created@acme.test" })).status).toBe(201);

  // An applicant waiting for approval, for the approvals queue.
  setSetting(t, "registration", "approval");
  const r = await t.request("/api/v1/auth/register", { json: { email: "applicant@acme.test", password: "correct horse battery", nickname: payload("a") } });
  expect(r.status).toBe(201);
  const code = t.mailbox.codeIn(t.mailbox.lastMessage("applicant@acme.test"));
  applicantId = ((await (await t.request("/api/v1/auth/verify-email", { json: { email: "applicant@acme.test", code } })).json()) as { user: { id: string } }).user.id;
  setSetting(t, "registration", "open");

  owner = await pageLogin(t, "owner");
  member = await pageLogin(t, "member");
  await login(t, "member"); // a second session, so the sessions list has a device row
});

describe("stored hostile strings render escaped", () => {
  const pages: [string, () => string, () => string, string[], number?][] = [
    ["the member's own account page", () => "/account", () => member, ["n", "l", "s", "g", "o"]],
    ["the people directory", () => "/people", () => member, ["n", "g", "o"]],
    ["the admin users table", () => "/admin/users", () => owner, ["n", "g"]],
    ["the admin users table, searched", () => "/admin/users?q=member", () => owner, ["n"]],
    ["the admin user edit page", () => `/admin/users/${memberId}`, () => owner, ["n", "l", "s", "g"]],
    // Deletion is locked (the default): the page says so, with a 403.
    ["the delete confirmation, locked", () => `/admin/users/${memberId}/delete`, () => owner, [], 403],
    ["the approvals queue", () => "/admin/approvals", () => owner, ["a"]],
    ["the applicant's page", () => `/admin/users/${applicantId}`, () => owner, ["a"]],
    ["the registration requests page", () => "/admin/invitations", () => owner, []],
    ["the API keys page", () => "/admin/api-keys", () => owner, ["k"]],
    ["the organizations page", () => "/admin/organizations", () => owner, ["o", "p"]],
    ["an organization's edit page", () => `/admin/organizations/${orgId}`, () => owner, ["p"]],
    ["the audit log", () => "/admin/audit", () => owner, ["k"]],
    ["the dashboard", () => "/admin", () => owner, []],
    ["the invitation page", () => `/invite/${invitationToken}`, () => "", ["m", "o"]],
  ];

  it.each(pages)("%s", async (what, path, cookie, shown, status = 200) => {
    for (const headers of [{}, hx]) {
      const r = await t.request(path(), { cookie: cookie(), headers });
      const html = await r.text();
      expect(r.status, `${what}: ${html.slice(0, 300)}`).toBe(status);
      expectEscaped(html, what);
      // Positive control: the value is on the page, escaped (so the check above looked at the right page).
      // (The audit log shows details as JSON, so only the part without quotes is compared.)
      if (headers === hx) continue;
      for (const tag of shown) expect(html, `${what} shows field ${tag} escaped`).toContain(escapeHtml(`${tag}<script>alert(1)</script>`));
    }
  });

  it("the batch delete confirmation, unlocked, names the accounts escaped", async () => {
    setSetting(t, "deletionLocked", false);
    try {
      const html = await (await t.request("/admin/users/bulk", { form: { action: "delete", ids: memberId }, cookie: owner })).text();
      expectEscaped(html, "batch delete confirmation");
      expect(html).toContain(escapeHtml(payload("n")));
    } finally {
      setSetting(t, "deletionLocked", true);
    }
  });

  it("the avatar URL stays inside its attribute", async () => {
    const html = await (await t.request(`/admin/users/${memberId}`, { cookie: owner })).text();
    expect(html).toContain(escapeHtml('https://x.test/a"><img src=x onerror=alert(1)>'));
    expectEscaped(html, "admin user page with avatar");
  });

  it("any typed nickname comes back exactly, escaped, on the account page and the admin's (property)", async () => {
    const memberApi = (await login(t, "member")).token;
    await fc.assert(
      fc.asyncProperty(anyString.filter((s) => s.length <= 50 && isWellFormed(s) && !badCharacters(s)), async (s) => {
        const nick = `Z${s}Z`;
        const r = await t.request("/api/v1/me", { method: "PATCH", token: memberApi, json: { nickname: nick } });
        if (r.status !== 200) return; // over 64 characters: refused, nothing to render
        for (const [path, cookie] of [["/account", member], [`/admin/users/${memberId}`, owner]] as const) {
          const html = await (await t.request(path, { cookie })).text();
          expect(html, path).toContain(escapeHtml(nick));
          if (escapeHtml(nick) !== nick) expect(html.includes(nick), `${path} contains the raw ${JSON.stringify(nick)}`).toBe(false);
        }
      }),
      { numRuns: 40 },
    );
  });
});

describe("hostile query parameters render escaped", () => {
  const values = [...HOSTILE_STRINGS, payload("q"), "/\"><img src=x onerror=alert(1)>", "javascript:alert(1)//", "/%0d%0aSet-Cookie:x=1"];
  const reads: [string, string[], () => string][] = [
    ["/admin/users", ["q", "group", "type", "status", "sort", "order", "organizationId", "cursor", "from"], () => owner],
    ["/admin/users/rows", ["q", "group", "cursor", "from"], () => owner],
    ["/people", ["q", "group", "cursor"], () => member],
    ["/admin/audit", ["action", "who", "ip", "from", "to", "cursor"], () => owner],
    ["/admin/invitations", ["status", "cursor"], () => owner],
    ["/admin/approvals", ["cursor"], () => owner],
    ["/login", ["next", "notice"], () => ""],
    ["/reset-password", ["token"], () => ""],
    ["/setup", ["token"], () => ""],
    ["/setup/done", ["login"], () => ""],
    ["/verify-email", ["token"], () => ""],
    ["/account", ["saved", "notice"], () => member],
  ];

  it.each(reads)("%s", async (path, params, cookie) => {
    for (const value of values) {
      for (const param of params) {
        for (const headers of [{}, hx]) {
          const url = `${path}?${param}=${encodeURIComponent(value)}`;
          const r = await t.request(url, { cookie: cookie(), headers });
          const html = await r.text();
          expect(r.status, `${url}: ${html.slice(0, 200)}`).toBeLessThan(500);
          expectEscaped(html, url);
          for (const [k, v] of r.headers) expect(`${k}: ${v}`, url).not.toMatch(/[\r\n]|javascript:/i);
        }
      }
    }
  });

  it("an invitation link that is a hostile string renders escaped", async () => {
    for (const value of values) {
      const html = await (await t.request(`/invite/${encodeURIComponent(value)}`)).text();
      expectEscaped(html, `/invite/${value}`);
    }
  });

  it("never sends anyone to another site or a javascript: URL after log in or a language switch", async () => {
    // Dot segments that resolve to "//host" only once the URL is parsed: "/.//evil.example" is "//evil.example".
    const dotted = ["/.//evil.example", "/%2e//evil.example", "/a/..//evil.example", "/./\\evil.example"];
    for (const next of [...values, "//evil.example", "/\\evil.example", "https://evil.example", "\tjavascript:alert(1)", ...dotted]) {
      const lang = await t.request(`/lang/en?next=${encodeURIComponent(next)}`);
      const to = lang.headers.get("location") ?? "";
      expect(to, next).toMatch(/^\/(?![/\\])/);
      const html = await (await t.request(`/login?next=${encodeURIComponent(next)}`)).text();
      const hidden = /name="next" value="([^"]*)"/.exec(html)?.[1];
      expect(hidden ?? "/account", next).toMatch(/^\/(?![/\\])/);
    }
  });

  it("random query strings on every page that reads one never answer 5xx nor echo raw markup (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...reads), queryString(["q", "group", "next", "token", "status", "action", "who", "from", "to", "notice", "saved", "login"]), fc.boolean(), async ([path, , cookie], qs, asHx) => {
        const r = await t.request(`${path}?${qs}`, { cookie: cookie(), headers: asHx ? hx : {} });
        const html = await r.text();
        expect(r.status, `${path}?${qs}`).toBeLessThan(500);
        expectEscaped(html, `${path}?${qs}`);
      }),
      { numRuns: 150 },
    );
  });
});

describe("query values that name Object.prototype's members", () => {
  const keys = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"];

  it.each(keys)("%s in /login?notice=, /admin/users/:id?done= and /account?saved= is a plain page, not a 500", async (key) => {
    expect((await t.request(`/login?notice=${key}`)).status).toBe(200);
    expect((await t.request(`/admin/users/${memberId}?done=${key}`, { cookie: owner })).status).toBe(200);
    expect((await t.request(`/account?saved=${key}&notice=${key}`, { cookie: member })).status).toBe(200);
  });

  // Regression: doneNotice() looked `?done=` up as a plain object key, so "constructor" was a 500.
  it.each(["/admin/users", "/admin/api-keys", "/admin/approvals", "/admin/invitations", "/admin/organizations", "/admin/settings"])(
    "%s?done=constructor is a plain page, not a 500",
    async (path) => {
      for (const key of keys) expect((await t.request(`${path}?done=${key}`, { cookie: owner })).status, `${path}?done=${key}`).toBe(200);
    },
  );
});
