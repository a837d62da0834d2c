import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../config.js";
import { createTestApp, login, ORIGIN, PASSWORD, registerMember, setupOwner, type TestApp } from "../test/harness.js";
import { cookieFrom, pageLogin, setCookieLine } from "./pages/test-helpers.js";

/**
 * Issue 7 item 5, SPEC §6: CSRF on every state-changing browser route,
 * cookie attributes, and security headers on every page. Routes are
 * enumerated from the app itself, so a route added later is covered too.
 */

const EVIL = "https://evil.example";

interface World {
  owner: string; // page cookie
  memberId: string;
  memberSessionId: string;
  orgId: string;
  invitationId: string;
  invitationToken: string;
  apiKeyId: string;
  importJobId: string;
  mailId: string;
}

/** A route's path with its parameters filled by real ids of the right kind, so the handler behind it would act. */
function fill(path: string, w: World): string {
  const id = (): string => {
    if (path.startsWith("/account/sessions/") || path.startsWith("/api/v1/me/sessions/")) return w.memberSessionId;
    if (path.includes("/api-keys/")) return w.apiKeyId;
    if (path.includes("/invitations/") && path.startsWith("/admin")) return w.invitationId;
    if (path.includes("/api/v1/admin/invitations/")) return w.invitationId;
    if (path.includes("/organizations/")) return w.orgId;
    if (path.includes("/import/")) return w.importJobId;
    if (path.includes("/mail/")) return w.mailId;
    return w.memberId; // users, approvals
  };
  return path
    .replace(":token", w.invitationToken)
    .replace(":lang", "en")
    .replace(":name", "app.css")
    .replace(":action", "disable")
    .replace(":id", encodeURIComponent(id()));
}

// Created now, not in beforeAll: the route lists below are read while the tests are collected.
const t: TestApp = createTestApp();
const w = {} as World;

/** Every row of every table: what "nothing changed" compares. */
function snapshot(): string {
  const tables = (t.db.$client.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'accounts_fts%' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
  return JSON.stringify(tables.map((name) => [name, t.db.$client.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).all()]), (_, v: unknown) => (Buffer.isBuffer(v) ? v.toString("hex") : v));
}

beforeAll(async () => {
  const ownerApi = (await setupOwner(t)).token;
  const member = await registerMember(t, "member@acme.test", { userId: "member" });
  w.memberId = member.user.id;
  const sessions = (await (await t.request("/api/v1/me/sessions", { token: member.token })).json()) as { items: { id: string }[] };
  w.memberSessionId = sessions.items[0]!.id;
  const json = async (path: string, body: unknown) => (await t.request(path, { token: ownerApi, json: body })).json() as Promise<Record<string, string>>;
  w.orgId = (await json("/api/v1/admin/organizations", { name: "Globex" })).id!;
  w.invitationId = (await json("/api/v1/admin/invitations", { email: "invitee@acme.test" })).id!;
  w.invitationToken = new URL(t.mailbox.linkIn(t.mailbox.lastMessage("invitee@acme.test"))).pathname.split("/").pop()!;
  w.apiKeyId = (await json("/api/v1/admin/api-keys", { name: "chat" })).id!;
  w.mailId = t.mailbox.lastMessage("invitee@acme.test")!.id;
  w.owner = await pageLogin(t, "owner");
  // An import job, checked and waiting to run.
  const upload = new FormData();
  upload.append("file", new File(["userId,email\nnew.one,new.one@acme.test\n"], "people.csv", { type: "text/csv" }));
  const checked = await t.app.request(`${ORIGIN}/admin/users/import`, { method: "POST", body: upload, headers: { origin: ORIGIN, cookie: w.owner } });
  w.importJobId = (checked.headers.get("location") ?? "").split("/").pop()!;
  expect(w.importJobId).not.toBe("");
});

const routes = () => t.app.routes.filter((r) => r.method !== "ALL");
const changing = (api: boolean) =>
  [...new Set(routes().filter((r) => ["POST", "PUT", "PATCH", "DELETE"].includes(r.method) && r.path.startsWith("/api/") === api).map((r) => `${r.method} ${r.path}`))].sort();

describe("CSRF (SPEC §6): a state change from another site is refused with 403 and changes nothing", () => {
  /** What a forging page can send: forms, multipart, text/plain; from another origin, an opaque one, or only Sec-Fetch-Site. */
  const forgeries: [string, (body: string) => { body: string; headers: Record<string, string> }][] = [
    ["a urlencoded form from evil.example", (b) => ({ body: b, headers: { "content-type": "application/x-www-form-urlencoded", origin: EVIL } })],
    ["a multipart form from evil.example", () => ({ body: "--x\r\nContent-Disposition: form-data; name=\"nickname\"\r\n\r\npwned\r\n--x--\r\n", headers: { "content-type": "multipart/form-data; boundary=x", origin: EVIL } })],
    ["text/plain from an opaque origin (null)", (b) => ({ body: b, headers: { "content-type": "text/plain", origin: "null" } })],
    ["a form from a look-alike origin", (b) => ({ body: b, headers: { "content-type": "application/x-www-form-urlencoded", origin: `${ORIGIN}.evil.example` } })],
    ["a form with only Sec-Fetch-Site: cross-site", (b) => ({ body: b, headers: { "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "cross-site" } })],
    ["a form with no Origin at all", (b) => ({ body: b, headers: { "content-type": "application/x-www-form-urlencoded" } })],
  ];
  // Every field any of our forms takes, filled so that an accepted request would change something.
  const form = new URLSearchParams({
    nickname: "pwned", name: "pwned", email: "pwned@evil.example", newEmail: "pwned@evil.example", password: "pwned pwned pwned", currentPassword: PASSWORD,
    newPassword: "pwned pwned pwned", newPasswordConfirm: "pwned pwned pwned", action: "delete", ids: "x", confirmWord: "DELETE", registration: "closed",
    serverName: "pwned", message: "pwned", type: "admin", userId: "pwned", reason: "pwned", login: "owner", domains: "evil.example",
  }).toString();

  it.each(changing(false))("%s", async (route) => {
    const [method, path] = route.split(" ") as [string, string];
    const url = fill(path, w);
    const before = snapshot();
    for (const [what, forge] of forgeries) {
      const f = forge(form);
      const r = await t.app.request(`${ORIGIN}${url}`, { method, body: f.body, headers: { ...f.headers, cookie: w.owner } });
      const html = await r.text();
      expect(r.status, `${method} ${url}, ${what}`).toBe(403);
      expect(html, `${method} ${url}, ${what}`).toContain("This form was sent from another site and was refused.");
      expect(r.headers.getSetCookie(), `${method} ${url}, ${what} set a cookie`).toEqual([]);
    }
    expect(snapshot(), `${method} ${url} changed the database`).toBe(before);
  });

  it.each(changing(true))("%s with the session cookie", async (route) => {
    const [method, path] = route.split(" ") as [string, string];
    const url = fill(path, w);
    const before = snapshot();
    for (const [what, forge] of forgeries) {
      const f = forge(form);
      const r = await t.app.request(`${ORIGIN}${url}`, { method, body: f.body, headers: { ...f.headers, cookie: w.owner } });
      expect(r.status, `${method} ${url}, ${what}`).toBe(403);
      expect(r.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    }
    expect(snapshot(), `${method} ${url} changed the database`).toBe(before);
  });

  it("covers every state-changing page the app has (the lists above are not stale)", () => {
    expect(changing(false).length).toBeGreaterThanOrEqual(35);
    expect(changing(false)).toContain("POST /admin/users/:id/delete");
    expect(changing(false)).toContain("POST /admin/settings/deletion/unlock");
  });

  it("the same form from our own origin goes through (the check is the origin, not the form)", async () => {
    const r = await t.request("/account/profile", { form: { nickname: "Own" }, cookie: w.owner });
    expect(r.status).toBeLessThan(400);
    expect(t.db.$client.prepare("SELECT nickname FROM accounts WHERE user_id = 'owner'").get()).toEqual({ nickname: "Own" });
  });
});

/** The attributes of one Set-Cookie line, lower-cased names. */
function attributes(line: string | undefined): Map<string, string> {
  expect(line, "the cookie is set").toBeDefined();
  return new Map((line ?? "").split(";").slice(1).map((p) => {
    const [k = "", ...v] = p.trim().split("=");
    return [k.toLowerCase(), v.join("=")] as [string, string];
  }));
}

describe("cookies (SPEC §6)", () => {
  const cases: [string, { baseUrl: string; secureCookies: boolean } | undefined, boolean][] = [
    ["http base URL", undefined, false],
    ["https base URL", { baseUrl: "https://roster.example", secureCookies: true }, true],
  ];

  it("the configuration turns Secure on exactly when the base URL is https", () => {
    expect(loadConfig({ ROSTER_BASE_URL: "https://roster.example" }).config.secureCookies).toBe(true);
    expect(loadConfig({ ROSTER_BASE_URL: "http://roster.example" }).config.secureCookies).toBe(false);
  });

  it.each(cases)("%s: every way of getting a session sets roster_session HttpOnly, SameSite=Lax, Path=/ (Secure on https)", async (_, config, secure) => {
    const s = createTestApp(config ? { config } : {});
    const first = await s.request("/register", { form: { first: "1", organizationName: "Acme", email: "owner@acme.test", password: PASSWORD, userId: "owner", claimDomain: "on" } });
    const ownerApi = (await login(s, "owner")).token;
    await s.request("/api/v1/admin/invitations", { token: ownerApi, json: { email: "invitee@acme.test" } });
    const token = new URL(s.mailbox.linkIn(s.mailbox.lastMessage("invitee@acme.test"))).pathname.split("/").pop()!;
    const responses: [string, Response][] = [
      ["first registration (page)", first],
      ["log in (API)", await s.request("/api/v1/auth/login", { json: { login: "owner", password: PASSWORD } })],
      ["log in (page)", await s.request("/login", { form: { login: "owner", password: PASSWORD } })],
      ["invitation accepted (page)", await s.request(`/invite/${token}`, { form: { userId: "invitee", password: PASSWORD } })],
    ];
    for (const [what, r] of responses) {
      const a = attributes(setCookieLine(r, "roster_session"));
      expect(a.has("httponly"), `${what}: HttpOnly`).toBe(true);
      expect(a.get("samesite"), `${what}: SameSite`).toBe("Lax");
      expect(a.get("path"), `${what}: Path`).toBe("/");
      expect(a.has("secure"), `${what}: Secure`).toBe(secure);
      expect(a.has("domain"), `${what}: no Domain (host-only)`).toBe(false);
    }
    // Logging out clears it with the same attributes (a cookie with other attributes would be another cookie).
    const cookie = cookieFrom(responses[2]![1]);
    const out = attributes(setCookieLine(await s.request("/logout", { form: {}, cookie }), "roster_session"));
    expect(out.get("max-age")).toBe("0");
    expect([out.has("httponly"), out.get("samesite"), out.get("path"), out.has("secure")]).toEqual([true, "Lax", "/", secure]);
  });

  it.each(cases)("%s: the language cookie is HttpOnly, SameSite=Lax, Path=/ (Secure on https)", async (_, config, secure) => {
    const s = createTestApp(config ? { config } : {});
    const a = attributes(setCookieLine(await s.request("/lang/ja?next=/login"), "roster_lang"));
    expect([a.has("httponly"), a.get("samesite"), a.get("path"), a.has("secure")]).toEqual([true, "Lax", "/", secure]);
  });

  it("every log in gets a new token, and a page log in ends the session its browser carried (no fixation)", async () => {
    const s = createTestApp();
    await setupOwner(s);
    const a = await login(s, "owner");
    const b = await login(s, "owner");
    expect(a.token).not.toBe(b.token);
    const planted = `roster_session=${a.token}`;
    const r = await s.request("/login", { form: { login: "owner", password: PASSWORD }, cookie: planted });
    expect(cookieFrom(r)).not.toBe(planted);
    expect((await s.request("/api/v1/me", { token: a.token })).status).toBe(401);
  });
});

/** The directives of a Content-Security-Policy header. */
function csp(header: string | null): Map<string, string[]> {
  return new Map((header ?? "").split(";").map((d) => d.trim()).filter(Boolean).map((d) => {
    const [name = "", ...values] = d.split(/\s+/);
    return [name.toLowerCase(), values] as [string, string[]];
  }));
}

describe("security headers on every page (SPEC §6)", () => {
  const gets = () => [...new Set(routes().filter((r) => r.method === "GET").map((r) => r.path))].sort();

  /**
   * The headers every answer must carry. The one exception is a mail's own
   * HTML (`sandbox` in its CSP): framed by our own page, so it may allow
   * 'self' as its framer; it still runs no script.
   */
  function expectHeaders(r: Response, what: string) {
    const policy = csp(r.headers.get("content-security-policy"));
    expect(policy.size, `${what}: a CSP`).toBeGreaterThan(0);
    const scripts = policy.get("script-src") ?? policy.get("default-src") ?? [];
    expect(scripts.length, `${what}: script-src or default-src`).toBeGreaterThan(0);
    for (const bad of ["'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"]) expect(scripts, `${what}: script-src ${bad}`).not.toContain(bad);
    expect(policy.get("object-src") ?? policy.get("default-src"), `${what}: object-src`).toEqual(["'none'"]);
    expect(r.headers.get("x-content-type-options"), `${what}: nosniff`).toBe("nosniff");
    expect(["same-origin", "no-referrer", "strict-origin", "strict-origin-when-cross-origin"], `${what}: Referrer-Policy`).toContain(r.headers.get("referrer-policy"));
    if (policy.has("sandbox")) {
      expect(policy.get("sandbox"), `${what}: sandbox allows nothing`).toEqual([]);
      expect(policy.get("frame-ancestors"), `${what}: framed by our pages only`).toEqual(["'self'"]);
      expect(["SAMEORIGIN", "DENY"], `${what}: X-Frame-Options`).toContain(r.headers.get("x-frame-options"));
    } else {
      expect(policy.get("frame-ancestors"), `${what}: frame-ancestors`).toEqual(["'none'"]);
      expect(r.headers.get("x-frame-options"), `${what}: X-Frame-Options`).toBe("DENY");
    }
  }

  it("enumerates the pages (the list is not stale)", () => {
    expect(gets().length).toBeGreaterThanOrEqual(30);
    expect(gets()).toContain("/admin/users/:id");
  });

  it.each([["an admin", () => w.owner], ["a visitor", () => ""]])("every GET route, as %s, htmx or not", async (_, cookie) => {
    let html = 0;
    for (const path of gets()) {
      for (const headers of [{}, { "hx-request": "true" }] as Record<string, string>[]) {
        const url = fill(path, w);
        const r = await t.request(url, { cookie: cookie(), headers });
        expect(r.status, `${url}: ${r.status}`).toBeLessThan(500);
        expectHeaders(r, `GET ${url} → ${r.status}`);
        if (/^text\/html/.test(r.headers.get("content-type") ?? "")) html++;
        await r.arrayBuffer();
      }
    }
    expect(html).toBeGreaterThan(10);
  });

  it("through Node's HTTP server too, where they are set on Node's own response: every GET route, and 404s", async () => {
    const server = serve({ fetch: t.app.fetch, port: 0, hostname: "127.0.0.1" });
    await once(server, "listening");
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      for (const path of [...gets(), "/no/such/page", "/api/v1/nope"]) {
        for (const cookie of [w.owner, ""]) {
          const url = fill(path, w);
          const r = await fetch(base + url, { headers: cookie ? { cookie } : {}, redirect: "manual" });
          expect(r.status, `${url}: ${r.status}`).toBeLessThan(500);
          expectHeaders(r, `node: GET ${url} → ${r.status}`);
          expect(r.headers.get("x-request-id"), `${url}: a request id`).toBeTruthy();
          await r.arrayBuffer();
        }
      }
    } finally {
      server.close();
    }
  });

  it("error answers carry them too: 404, 403, 413, a refused form", async () => {
    const member = await pageLogin(t, "member");
    const answers: [string, Response][] = [
      ["unknown page", await t.request("/no/such/page")],
      ["a member on an admin page", await t.request("/admin/users", { cookie: member })],
      ["a body too large", await t.request("/login", { body: "x".repeat(2 * 1024 * 1024), headers: { "content-type": "application/x-www-form-urlencoded", origin: ORIGIN } })],
      ["a forged form", await t.request("/account/profile", { form: {}, cookie: member, headers: { origin: EVIL } })],
      ["an API 404", await t.request("/api/v1/nope")],
    ];
    for (const [what, r] of answers) {
      expect(r.status, what).toBeGreaterThanOrEqual(400);
      expectHeaders(r, what);
    }
  });
});
