import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, registerMember, setupOwner, type TestApp } from "../../test/harness.js";
import { anyString, expectNo5xx, isWellFormed, jsonBody, queryString, someIp } from "../../test/hostile.js";
import { captureTransport } from "../../mail/transports.js";
import { expectProblem } from "../../test/api.js";

/**
 * Issue 7 item 4: every JSON endpoint, given random shapes, types, sizes,
 * Unicode and control characters, answers 2xx or a 4xx problem+json — never
 * a 5xx. Bounded: RUNS cases an endpoint, in-process, fast hasher.
 */
const RUNS = 100;

interface World {
  owner: string;
  member: string;
  spare: string;
  apiKey: string;
  victimId: string;
  orgId: string;
  invitationId: string;
  invitationToken: string;
  mailId: string;
}

let t: TestApp;
const w = {} as World;

beforeAll(async () => {
  // A worker that "sends" at once: POST /admin/mail/test waits for the first attempt.
  t = createTestApp({ mailTransport: captureTransport() });
  t.worker!.start();
  w.owner = (await setupOwner(t)).token;
  w.member = (await registerMember(t, "member@acme.test", { userId: "member" })).token;
  w.victimId = (await registerMember(t, "victim@acme.test", { userId: "victim" })).user.id;
  w.spare = (await registerMember(t, "spare@acme.test", { userId: "spare" })).token;
  const post = async (path: string, json: unknown) => (await t.request(path, { token: w.owner, json })).json() as Promise<Record<string, string>>;
  w.orgId = (await post("/api/v1/admin/organizations", { name: "Globex", domains: ["globex.test"] })).id!;
  w.invitationId = (await post("/api/v1/admin/invitations", { email: "invitee@acme.test" })).id!;
  w.invitationToken = new URL(t.mailbox.linkIn(t.mailbox.lastMessage("invitee@acme.test"))).pathname.split("/").pop()!;
  w.apiKey = (await post("/api/v1/admin/api-keys", { name: "chat" })).key!;
  await t.worker!.drain();
  const mail = (await (await t.request("/api/v1/admin/mail", { token: w.owner })).json()) as { items: { id: string }[] };
  w.mailId = mail.items[0]!.id;
});

afterAll(async () => {
  await t.worker?.stop();
});

type Who = "owner" | "member" | "spare" | "apiKey" | null;

interface Endpoint {
  method: string;
  path: (w: World) => string;
  who: Who;
  fields: readonly string[];
}

const profile = ["nickname", "avatarUrl", "groupName", "gender", "birthDate", "location", "statusMessage", "language", "friendPolicy", "messageSettings"] as const;
const fixed = (p: string) => () => p;

/** A path with its ids named, for the test's title: `/api/v1/admin/users/:victimId`. */
const titled = (path: (w: World) => string) => path(new Proxy({} as World, { get: (_, k) => `:${String(k)}` }));

/** Every endpoint that reads a body, with its real field names (SPEC §4). */
const bodies: [string, Endpoint][] = (
  [
    ["POST", fixed("/api/v1/auth/register"), null, ["email", "password", "userId", "nickname", "organizationName", "claimDomain", "language"]],
    ["POST", fixed("/api/v1/auth/verify-email"), null, ["token", "email", "code"]],
    ["POST", fixed("/api/v1/auth/resend-verification"), null, ["email"]],
    ["POST", fixed("/api/v1/auth/login"), null, ["login", "password", "device"]],
    ["POST", fixed("/api/v1/auth/logout"), "spare", []],
    ["POST", fixed("/api/v1/auth/password-reset"), null, ["email"]],
    ["POST", fixed("/api/v1/auth/password-reset/confirm"), null, ["token", "password"]],
    ["POST", fixed("/api/v1/auth/setup"), null, ["token", "password"]],
    ["PATCH", fixed("/api/v1/me"), "member", profile],
    ["POST", fixed("/api/v1/me/password"), "member", ["currentPassword", "newPassword"]],
    ["POST", fixed("/api/v1/me/email"), "member", ["newEmail", "password"]],
    ["DELETE", fixed("/api/v1/me/sessions"), "member", []],
    ["POST", (x) => `/api/v1/invitations/${x.invitationToken}/accept`, null, ["userId", "nickname", "password"]],
    ["POST", fixed("/api/v1/introspect"), "apiKey", ["token"]],
    ["POST", fixed("/api/v1/admin/users"), "owner", ["type", "userId", "email", "password", "organizationId", ...profile]],
    ["PATCH", (x) => `/api/v1/admin/users/${x.victimId}`, "owner", ["email", "level", "role", "friendingForbidden", ...profile]],
    ["POST", (x) => `/api/v1/admin/users/${x.victimId}/decline`, "owner", ["reason"]],
    ["POST", fixed("/api/v1/admin/users/batch-delete"), "owner", ["ids"]],
    ["POST", fixed("/api/v1/admin/users/import"), "owner", ["items"]],
    ["PATCH", fixed("/api/v1/admin/settings"), "owner", ["registration", "verificationRequired", "deletionLocked", "confirmDeletionUnlock", "serverName"]],
    ["POST", fixed("/api/v1/admin/organizations"), "owner", ["name", "domains", "adminLimit", "pendingLimit"]],
    ["PATCH", (x) => `/api/v1/admin/organizations/${x.orgId}`, "owner", ["name", "domains", "adminLimit", "pendingLimit"]],
    ["POST", fixed("/api/v1/admin/invitations"), "owner", ["email", "emails", "type", "message", "organizationId"]],
    ["POST", (x) => `/api/v1/admin/invitations/${x.invitationId}/resend`, "owner", []],
    ["POST", fixed("/api/v1/admin/api-keys"), "owner", ["name"]],
    ["POST", fixed("/api/v1/admin/mail/test"), "owner", ["to"]],
    ["POST", (x) => `/api/v1/admin/mail/${x.mailId}/retry`, "owner", []],
  ] as [string, (w: World) => string, Who, readonly string[]][]
).map(([method, path, who, fields]) => [`${method} ${titled(path)}`, { method, path, who, fields }]);

const tokenOf = (who: Who) => (who === null ? undefined : w[who]);

/** Content types a client might send with a JSON body, right and wrong. */
const contentType = fc.oneof(
  { arbitrary: fc.constant("application/json"), weight: 8 },
  { arbitrary: fc.constantFrom("application/json; charset=utf-8", "application/merge-patch+json", "text/plain", "application/x-www-form-urlencoded", "application/xml", "multipart/form-data; boundary=x", "application/json; charset=latin1", "APPLICATION/JSON"), weight: 2 },
);

describe("random bodies never make a JSON endpoint answer 5xx", () => {
  it.each(bodies)("%s", async (name, e) => {
    await fc.assert(
      fc.asyncProperty(jsonBody(e.fields), contentType, someIp, async (body, type, ip) => {
        const r = await t.request(e.path(w), { method: e.method, body, token: tokenOf(e.who), headers: { "content-type": type, "x-test-client-ip": ip } });
        await expectNo5xx(r, `${name} ${type} ${body.slice(0, 200)}`);
      }),
      { numRuns: RUNS },
    );
  });

  it("imports random CSV (headers from the real columns, prototype keys, junk) without a 5xx", async () => {
    const columns = ["userId", "email", "type", "nickname", "avatarUrl", "groupName", "gender", "birthDate", "location", "statusMessage", "language", "friendPolicy", "pushOffline", "password", "__proto__", "constructor", ""];
    // A cell as typed (quotes, commas and line breaks break the row) or properly quoted.
    const cell = fc.tuple(anyString.filter((s) => s.length < 200), fc.boolean()).map(([c, quoted]) => (quoted ? `"${c.replace(/"/g, '""')}"` : c));
    const csv = fc
      .tuple(fc.uniqueArray(fc.constantFrom(...columns), { minLength: 1, maxLength: 6 }), fc.array(fc.array(cell, { maxLength: 7 }), { maxLength: 4 }))
      .map(([head, rows]) => [head.join(","), ...rows.map((r) => r.join(","))].join("\r\n"));
    await fc.assert(
      fc.asyncProperty(csv, fc.constantFrom("text/csv", "text/csv; charset=utf-8", "application/octet-stream", ""), fc.constantFrom("?dryRun=1", ""), async (body, type, dry) => {
        const r = await t.request(`/api/v1/admin/users/import${dry}`, { method: "POST", body, token: w.owner, headers: { "content-type": type } });
        await expectNo5xx(r, `import ${JSON.stringify(body.slice(0, 200))}`);
      }),
      { numRuns: RUNS },
    );
  });

  it("introspects form-encoded and multipart bodies without a 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom("token", "token_type_hint", "x"), anyString.filter((s) => s.length < 2000)), { maxLength: 4 }), async (pairs) => {
        const form = new URLSearchParams(pairs).toString();
        const r = await t.request("/api/v1/introspect", { method: "POST", body: form, token: w.apiKey, headers: { "content-type": "application/x-www-form-urlencoded" } });
        expect(r.status).toBe(200);
        expect(await r.json()).toMatchObject({ active: false });
      }),
      { numRuns: RUNS },
    );
    const multipart = new FormData();
    multipart.append("token", new Blob(["x"]), "token.txt");
    const r = await t.app.request("http://localhost:8080/api/v1/introspect", { method: "POST", body: multipart, headers: { authorization: `Bearer ${w.apiKey}` } });
    await expectNo5xx(r, "introspect multipart");
  });
});

/** Every list or read that takes a query string, with its real parameters. */
const lists: [string, Who, readonly string[]][] = [
  ["/api/v1/server", null, []],
  ["/api/v1/me", "member", []],
  ["/api/v1/me/sessions", "member", []],
  ["/api/v1/directory", "member", ["q", "group"]],
  ["/api/v1/groups", "member", []],
  ["/api/v1/admin/users", "owner", ["q", "type", "status", "group", "organizationId", "sort", "order"]],
  ["/api/v1/admin/users/export", "owner", ["format", "ids", "q", "type", "status", "group", "organizationId"]],
  ["/api/v1/admin/invitations", "owner", ["status", "organizationId"]],
  ["/api/v1/admin/organizations", "owner", []],
  ["/api/v1/admin/settings", "owner", []],
  ["/api/v1/admin/api-keys", "owner", []],
  ["/api/v1/admin/audit", "owner", ["action", "who", "ip", "from", "to"]],
  ["/api/v1/admin/audit/verify", "owner", []],
  ["/api/v1/admin/mail", "owner", ["status", "kind", "to"]],
  ["/api/v1/admin/mail/health", "owner", []],
];

describe("random query strings never make a list answer 5xx", () => {
  it.each(lists)("GET %s", async (path, who, params) => {
    await fc.assert(
      fc.asyncProperty(queryString(params), async (qs) => {
        const r = await t.request(`${path}?${qs}`, { token: tokenOf(who) });
        await expectNo5xx(r, `GET ${path}?${qs.slice(0, 200)}`);
      }),
      { numRuns: RUNS },
    );
  });

  it("pages through a list with a random cursor and limit", async () => {
    await fc.assert(
      fc.asyncProperty(anyString.filter((s) => s.length < 500), fc.oneof(fc.integer({ min: -5, max: 300 }).map(String), anyString.filter((s) => s.length < 20)), async (cursor, limit) => {
        for (const path of ["/api/v1/admin/users", "/api/v1/admin/audit", "/api/v1/admin/mail", "/api/v1/admin/invitations", "/api/v1/directory"]) {
          const qs = new URLSearchParams({ cursor, limit }).toString();
          await expectNo5xx(await t.request(`${path}?${qs}`, { token: path === "/api/v1/directory" ? w.member : w.owner }), `GET ${path}?${qs}`);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

/** Every route with an id in its path: a random id is 404 not_found, as problem+json. */
const idRoutes: [string, string, Who][] = [
  ["GET", "/api/v1/admin/users/:id", "owner"],
  ["PATCH", "/api/v1/admin/users/:id", "owner"],
  ["DELETE", "/api/v1/admin/users/:id", "owner"],
  ["DELETE", "/api/v1/admin/users/:id/sessions", "owner"],
  ["POST", "/api/v1/admin/users/:id/disable", "owner"],
  ["POST", "/api/v1/admin/users/:id/enable", "owner"],
  ["POST", "/api/v1/admin/users/:id/promote", "owner"],
  ["POST", "/api/v1/admin/users/:id/demote", "owner"],
  ["POST", "/api/v1/admin/users/:id/approve", "owner"],
  ["POST", "/api/v1/admin/users/:id/verify-email", "owner"],
  ["POST", "/api/v1/admin/users/:id/decline", "owner"],
  ["GET", "/api/v1/admin/mail/:id", "owner"],
  ["POST", "/api/v1/admin/mail/:id/retry", "owner"],
  ["PATCH", "/api/v1/admin/organizations/:id", "owner"],
  ["DELETE", "/api/v1/admin/invitations/:id", "owner"],
  ["POST", "/api/v1/admin/invitations/:id/resend", "owner"],
  ["DELETE", "/api/v1/admin/api-keys/:id", "owner"],
  ["DELETE", "/api/v1/me/sessions/:id", "member"],
];

/** A lone surrogate cannot be put in a URL (encodeURIComponent throws): no client can send one. */
const urlSafe = isWellFormed;

/** A path segment that names nothing: any string but the empty, dot segments, and our own ids. */
const randomId = fc
  .oneof(anyString, fc.uuid(), fc.string({ unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz234567"), minLength: 16, maxLength: 32 }))
  .filter((s) => s.length > 0 && s.length < 3000 && s !== "." && s !== ".." && urlSafe(s));

describe("random ids in paths answer 404 not_found", () => {
  it.each(idRoutes)("%s %s", async (method, path, who) => {
    await fc.assert(
      fc.asyncProperty(randomId, async (id) => {
        const url = path.replace(":id", encodeURIComponent(id));
        const body = method === "GET" || method === "DELETE" ? undefined : "{}";
        const r = await t.request(url, { method, token: tokenOf(who), body, headers: body ? { "content-type": "application/json" } : {} });
        const p = await expectNo5xx(r, `${method} ${url.slice(0, 200)}`);
        expect(p, `${method} ${url.slice(0, 200)}`).toEqual({ status: 404, code: "not_found" });
      }),
      { numRuns: RUNS },
    );
  });

  it.each(["%", "%E0%A4%A", "%ZZ", "%00", "%2F..%2F..", "a%2Fb", "%C0%AE%C0%AE"])("a raw segment %s answers 404 problem+json", async (seg) => {
    for (const [method, path, who] of idRoutes) {
      const body = method === "GET" || method === "DELETE" ? undefined : "{}";
      const r = await t.request(path.replace(":id", seg), { method, token: tokenOf(who), body, headers: body ? { "content-type": "application/json" } : {} });
      const p = await expectNo5xx(r, `${method} ${path} ${seg}`);
      expect(p?.status, `${method} ${path} ${seg}`).toBe(404);
    }
  });

  // Regression: the action was looked up with `statusActions[name]`, so these reached Object.prototype (500).
  it.each(["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"])("POST /admin/users/:id/%s is 404, not Object.prototype's member", async (action) => {
    await expectProblem(await t.request(`/api/v1/admin/users/${w.victimId}/${action}`, { token: w.owner, json: {} }), 404, "not_found");
  });

  it("an unknown user action is 404, whatever its name", async () => {
    await fc.assert(
      fc.asyncProperty(anyString.filter((s) => s.length > 0 && s.length < 200 && ![".", ".."].includes(s) && urlSafe(s)), async (action) => {
        const r = await t.request(`/api/v1/admin/users/${w.victimId}/${encodeURIComponent(action)}`, { method: "POST", token: w.owner, json: {} });
        const known = ["disable", "enable", "promote", "demote", "approve", "verify-email", "decline"].includes(action);
        const p = await expectNo5xx(r, `action ${action}`);
        if (!known) expect(p).toEqual({ status: 404, code: "not_found" });
      }),
      { numRuns: RUNS },
    );
  });
});
