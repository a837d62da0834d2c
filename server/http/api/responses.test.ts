import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import { backupDatabase } from "../../backup.js";
import { smtpTransport } from "../../mail/transports.js";
import { createTestApp, PASSWORD, type TestApp } from "../../test/harness.js";
import { schemaChecker, type Schema } from "../../test/json-schema.js";
import { startUpstream, type Upstream } from "../../test/smtp-upstream.js";
import { tempDirs } from "../../test/temp.js";
import { componentName, Problem } from "../openapi-responses.js";
import { operations, type Answer, type Operation } from "../openapi.js";

/**
 * The JSON API answers what /api/openapi.json says it answers. Every operation
 * is called on a real server (a database file, a mail worker delivering to an
 * SMTP server) and each body is checked against the schema the served document
 * gives for its status, and against the zod schema that schema is generated
 * from. A field a presenter adds or drops, or a type it changes, fails here
 * with the field's path; so does an operation this file never calls.
 */

interface Doc {
  paths: Record<string, Record<string, { responses: Record<string, { description: string; content?: Record<string, { schema: Schema }> }> }>>;
  components: { schemas: Record<string, Schema> };
}

const tempDir = tempDirs("roster-responses-");
const key = (o: Pick<Operation, "method" | "path">) => `${o.method} ${o.path}`;
const byKey = new Map(operations.map((o) => [key(o), o]));
/** The statuses each operation has answered in this file. */
const seen = new Map<string, Set<number>>();

let t: TestApp;
let u: Upstream;
let doc: Doc;
let dataDir: string;

beforeAll(async () => {
  u = await startUpstream();
  dataDir = tempDir();
  t = createTestApp({ file: path.join(dataDir, "roster.db"), config: { dataDir, backupKeep: 7 }, mailTransport: smtpTransport({ url: u.url }) });
  t.worker!.start();
  doc = (await (await t.request("/api/openapi.json")).json()) as Doc;
});

afterAll(async () => {
  await t.worker?.stop();
  t.db.$client.close();
  await u.close();
});

interface Call {
  params?: Record<string, string>;
  query?: string;
  token?: string;
  cookie?: string;
  json?: unknown;
  body?: string;
  headers?: Record<string, string>;
}

// Bodies are read loosely: each has passed its schema check before a test reads a field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = any;

/**
 * Calls the operation named `method path` (as in `operations`), and checks the
 * answer against the served document: a documented status; a success answer's
 * body against its schema (JSON Schema from the document, and the zod schema it
 * comes from); an error against Problem, with a code the document lists for that status.
 */
async function call(name: string, c: Call = {}, app: TestApp = t): Promise<{ status: number; body: Body; headers: Headers; text: string }> {
  const o = byKey.get(name);
  if (!o) throw new Error(`${name} is not in operations`);
  const url =
    o.path.replace(/\{(\w+)\}/g, (_, p: string) => {
      const v = c.params?.[p];
      if (v === undefined) throw new Error(`${name}: no value for {${p}}`);
      return encodeURIComponent(v);
    }) + (c.query ? `?${c.query}` : "");
  const r = await app.request(url, { method: o.method.toUpperCase(), json: c.json, body: c.body, token: c.token, cookie: c.cookie, headers: c.headers });
  const text = await r.text();
  const where = `${o.method.toUpperCase()} ${url} → ${r.status}`;
  (seen.get(name) ?? seen.set(name, new Set()).get(name)!).add(r.status);

  const documented = doc.paths[o.path]?.[o.method]?.responses[String(r.status)];
  const type = r.headers.get("content-type") ?? "";
  const json = /json/.test(type) ? (JSON.parse(text) as Body) : null;
  const answer = { status: r.status, body: json, headers: r.headers, text };
  // Soft: a test goes on after an answer that is not as documented, so each one is reported, and the next tests get what they need.
  if (!documented) {
    expect.soft(Object.keys(doc.paths[o.path]?.[o.method]?.responses ?? {}), `${where}: the document has no ${r.status} answer for ${name}; body: ${text.slice(0, 500)}`).toContain(String(r.status));
    return answer;
  }
  const success = [o.ok, ...(o.also ?? [])].find((a: Answer) => a[0] === r.status);
  if (success) {
    const schema = success[2];
    if (!schema) {
      expect.soft(text, `${where} has no body`).toBe("");
      expect.soft(documented.content, `${where}: the document gives no body`).toBeUndefined();
    } else if (/^text\/csv/.test(type)) {
      expect.soft(documented.content?.["text/csv"], `${where}: the document offers CSV`).toBeDefined();
    } else {
      expect.soft(type, where).toMatch(/^application\/json/);
      conforms(where, documented.content?.["application/json"]?.schema, schema, json);
    }
    return answer;
  }
  expect.soft(type, `${where}: ${text.slice(0, 300)}`).toMatch(/^application\/problem\+json/);
  conforms(where, documented.content?.["application/problem+json"]?.schema, Problem, json);
  expect.soft(json?.status, where).toBe(r.status);
  expect.soft(documented.description.split(", "), `${where}: the document's codes for ${r.status}`).toContain(json?.code);
  return answer;
}

let checker: ReturnType<typeof schemaChecker> | undefined;
const checkSchema = () => (checker ??= schemaChecker(doc as unknown as Schema));

/** The body against the document's schema for the answer ($refs resolved in the document), and against the zod schema it is generated from. */
function conforms(where: string, served: Schema | undefined, schema: z.ZodType, body: unknown): void {
  const name = componentName(schema);
  expect.soft(served, `${where}: the document's schema is the ${name} component`).toEqual({ $ref: `#/components/schemas/${name}` });
  expect.soft(served ? checkSchema()(served, body) : [], `${where}: the answer is not what the document's ${name} says`).toEqual([]);
  const parsed = schema.safeParse(body);
  expect.soft(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`), `${where}: the answer is not what ${name} in openapi-responses.ts says`).toEqual([]);
}

const lastToken = (to: string) => t.mailbox.tokenIn(t.mailbox.lastMessage(to));
const inviteToken = (to: string) => new URL(t.mailbox.linkIn(t.mailbox.lastMessage(to))).pathname.split("/").pop()!;

/** The tokens and ids the tests below share, in the order they make them. */
const w = {} as Record<"owner" | "mia" | "pat" | "miaUserId" | "tomId" | "kioskId" | "samId" | "orgId" | "apiKey", string>;

async function loginAs(login: string, password = PASSWORD): Promise<string> {
  const r = await call("post /api/v1/auth/login", { json: { login, password } });
  expect(r.status).toBe(200);
  return r.body.token as string;
}

/** Registers, confirms with the mailed code, and logs in. */
async function member(email: string, userId: string): Promise<{ token: string; id: string }> {
  const reg = await call("post /api/v1/auth/register", { json: { email, password: PASSWORD, userId } });
  expect(reg.status).toBe(201);
  const v = await call("post /api/v1/auth/verify-email", { json: { email, code: t.mailbox.codeIn(t.mailbox.lastMessage(email)) } });
  expect(v.status).toBe(200);
  return { token: await loginAs(email), id: reg.body.user.id as string };
}

describe("every answer of the JSON API is what /api/openapi.json says", () => {
  it("server, health and readiness", async () => {
    expect((await call("get /api/v1/server")).status).toBe(200);
    expect((await call("get /healthz")).status).toBe(200);
    expect((await call("get /readyz")).status).toBe(200);
    // Not ready: a database that cannot be read answers 503 with what failed (not problem details).
    const broken = createTestApp();
    broken.db.$client.close();
    const r = await call("get /readyz", {}, broken);
    expect(r).toMatchObject({ status: 503, body: { status: "unavailable", database: false } });
  });

  it("registration, confirmation, log in and out, password reset", async () => {
    const first = await call("post /api/v1/auth/register", { json: { email: "owner@acme.test", password: PASSWORD, userId: "owner", organizationName: "Acme" } });
    expect(first.body).toMatchObject({ verificationRequired: false, user: { type: "owner", organization: { name: "Acme" } } });
    w.owner = await loginAs("owner");

    const mia = await call("post /api/v1/auth/register", { json: { email: "mia@acme.test", password: PASSWORD, userId: "mia" } });
    expect(mia.body).toMatchObject({ verificationRequired: true, user: { status: "pending", lastLoginAt: null, emailVerifiedAt: null } });
    w.miaUserId = mia.body.user.id;
    expect((await call("post /api/v1/auth/resend-verification", { json: { email: "nobody@acme.test" } })).status).toBe(202);
    const verified = await call("post /api/v1/auth/verify-email", { json: { email: "mia@acme.test", code: t.mailbox.codeIn(t.mailbox.lastMessage("mia@acme.test")) } });
    expect(verified.body.user.status).toBe("active");

    expect((await call("post /api/v1/auth/password-reset", { json: { email: "mia@acme.test" } })).status).toBe(202);
    expect((await call("post /api/v1/auth/password-reset/confirm", { json: { token: lastToken("mia@acme.test"), password: PASSWORD } })).status).toBe(204);
    w.mia = await loginAs("mia");
    const spare = await loginAs("mia@acme.test");
    expect((await call("post /api/v1/auth/logout", { token: spare })).status).toBe(204);

    // A personal account (its domain is no organization's), moved in by a registration request below.
    w.pat = (await member("pat@personal.test", "pat")).token;

    // Errors: problem details with a code the document lists for the status.
    await expectCode(call("post /api/v1/auth/register", { json: { email: "not an address", password: PASSWORD } }), 400, "validation_failed");
    await expectCode(call("post /api/v1/auth/login", { json: { login: "mia", password: "not the password" } }), 401, "invalid_credentials");
    await expectCode(call("post /api/v1/auth/register", { json: "{", headers: { "content-type": "text/plain" } }), 415, "unsupported_media_type");
    await expectCode(call("post /api/v1/auth/password-reset/confirm", { json: { token: "x".repeat(40), password: PASSWORD } }), 400, "invalid_token");
  });

  it("the caller's own account and sessions", async () => {
    expect((await call("get /api/v1/me", { token: w.owner })).body.organization).toMatchObject({ name: "Acme" });
    const patched = await call("patch /api/v1/me", {
      token: w.mia,
      json: { nickname: "Mia", groupName: "Sales/Tokyo/Team A", birthDate: "1990-02-03", location: "Tokyo", statusMessage: "hi", gender: "female", messageSettings: { pushOffline: false } },
    });
    expect(patched.body).toMatchObject({ displayName: "Mia", birthDate: "1990-02-03", messageSettings: { pushOffline: false } });
    const other = await loginAs("mia");
    expect((await call("post /api/v1/me/password", { token: w.mia, json: { currentPassword: PASSWORD, newPassword: PASSWORD } })).status).toBe(204);
    expect((await call("post /api/v1/me/email", { token: w.mia, json: { newEmail: "mia.new@acme.test", password: PASSWORD } })).status).toBe(202);
    await loginAs("mia");
    await loginAs("mia");
    const list = await call("get /api/v1/me/sessions", { token: w.mia, query: "limit=2" });
    expect(list.body).toMatchObject({ total: 3, nextCursor: expect.any(String) });
    expect(list.body.items[0].current).toBe(true);
    const notCurrent = list.body.items[1].id as string;
    expect((await call("delete /api/v1/me/sessions/{id}", { token: w.mia, params: { id: notCurrent } })).status).toBe(204);
    expect((await call("delete /api/v1/me/sessions", { token: w.mia })).status).toBe(204);
    await expectCode(call("get /api/v1/me", { token: other }), 401, "unauthenticated");
    await expectCode(call("get /api/v1/me"), 401, "unauthenticated");
    await expectCode(call("delete /api/v1/me/sessions/{id}", { token: w.mia, params: { id: "no-such-session" } }), 404, "not_found");
    await expectCode(call("get /api/v1/me/sessions", { token: w.mia, query: "limit=0" }), 400, "validation_failed");
  });

  it("the directory and the group tree", async () => {
    expect((await call("get /api/v1/directory", { token: w.mia })).body.total).toBeGreaterThanOrEqual(2);
    expect((await call("get /api/v1/directory", { token: w.mia, query: "q=mia&group=Sales" })).body.items).toHaveLength(1);
    const groups = await call("get /api/v1/groups", { token: w.mia });
    expect(groups.body.items[0]).toMatchObject({ name: "Sales", children: [{ name: "Tokyo", children: [{ path: "Sales/Tokyo/Team A" }] }] });
    await expectCode(call("get /api/v1/directory", { token: w.pat }), 403, "forbidden");
  });

  it("registration requests, sent by an admin and accepted by their link", async () => {
    const one = await call("post /api/v1/admin/invitations", { token: w.owner, json: { email: "ivy@acme.test", message: "Welcome" } });
    expect(one).toMatchObject({ status: 201, body: { status: "pending", organization: { name: "Acme" } } });
    const many = await call("post /api/v1/admin/invitations", { token: w.owner, json: { email: "pat@personal.test, rob@acme.test, not-an-address" } });
    expect(many.status).toBe(200);
    expect(many.body.results.map((x: Body) => x.status)).toEqual(["sent", "sent", "error"]);
    expect(many.body.results[2]).toMatchObject({ code: "validation_failed", errors: { email: expect.any(String) } });
    expect((await call("get /api/v1/admin/invitations", { token: w.owner, query: "status=pending" })).body.total).toBe(3);
    expect((await call("post /api/v1/admin/invitations/{id}/resend", { token: w.owner, params: { id: one.body.id } })).body.status).toBe("pending");
    const rob = many.body.results[1].invitation.id as string;
    expect((await call("delete /api/v1/admin/invitations/{id}", { token: w.owner, params: { id: rob } })).status).toBe(204);

    const ivy = inviteToken("ivy@acme.test");
    expect((await call("get /api/v1/invitations/{token}", { params: { token: ivy } })).body).toMatchObject({ mode: "new_account", viewerMatches: null });
    const created = await call("post /api/v1/invitations/{token}/accept", { params: { token: ivy }, json: { userId: "ivy", nickname: "Ivy", password: PASSWORD } });
    expect(created).toMatchObject({ status: 201, body: { user: { userId: "ivy", status: "active" } } });

    const pat = inviteToken("pat@personal.test");
    expect((await call("get /api/v1/invitations/{token}", { params: { token: pat }, token: w.pat })).body).toMatchObject({ mode: "move_personal", viewerMatches: true });
    const moved = await call("post /api/v1/invitations/{token}/accept", { params: { token: pat }, token: w.pat });
    expect(moved).toMatchObject({ status: 200, body: { user: { userId: "pat", organization: { name: "Acme" } } } });

    await expectCode(call("get /api/v1/invitations/{token}", { params: { token: "not-a-token" } }), 400, "invalid_token");
    await expectCode(call("post /api/v1/admin/invitations", { token: w.owner, json: { email: "mia@acme.test" } }), 409, "already_member");
  });

  it("API keys and token introspection", async () => {
    const created = await call("post /api/v1/admin/api-keys", { token: w.owner, json: { name: "chat" } });
    expect(created.body.key).toMatch(/^rk_/);
    w.apiKey = created.body.key;
    const active = await call("post /api/v1/introspect", { token: w.apiKey, body: new URLSearchParams({ token: w.mia }).toString(), headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(active.body).toMatchObject({ active: true, username: "mia", organization: { name: "Acme" } });
    expect((await call("post /api/v1/introspect", { token: w.apiKey, json: { token: "no-such-token" } })).body).toEqual({ active: false });
    expect((await call("get /api/v1/directory", { token: w.apiKey })).status).toBe(200);
    const keys = await call("get /api/v1/admin/api-keys", { token: w.owner });
    expect(keys.body.items[0]).toMatchObject({ name: "chat", createdBy: "owner", lastUsedAt: expect.any(String) });
    const spare = await call("post /api/v1/admin/api-keys", { token: w.owner, json: { name: "spare" } });
    expect((await call("delete /api/v1/admin/api-keys/{id}", { token: w.owner, params: { id: spare.body.id } })).status).toBe(204);
    await expectCode(call("post /api/v1/introspect", { token: w.mia, json: { token: w.mia } }), 401, "unauthenticated");
    await expectCode(call("delete /api/v1/admin/api-keys/{id}", { token: w.owner, params: { id: "no-such-key" } }), 404, "not_found");
  });

  it("accounts an admin creates, reads, edits and changes", async () => {
    const mailed = await call("post /api/v1/admin/users", { token: w.owner, json: { userId: "sam", email: "sam@acme.test" } });
    expect(mailed.body).toMatchObject({ outcome: "setup_mail", user: { status: "invited" } });
    expect(mailed.body).not.toHaveProperty("setupUrl");
    w.samId = mailed.body.user.id;
    const link = await call("post /api/v1/admin/users", { token: w.owner, json: { userId: "kiosk", nickname: "Front desk" } });
    expect(link.body).toMatchObject({ outcome: "setup_link", setupUrl: expect.stringContaining("/setup?token=") });
    w.kioskId = link.body.user.id;
    const tom = await call("post /api/v1/admin/users", { token: w.owner, json: { userId: "tom", email: "tom@acme.test", password: PASSWORD, level: 2, role: 1 } });
    expect(tom.body).toMatchObject({ outcome: "password", user: { mustChangePassword: true, level: 2 } });
    w.tomId = tom.body.user.id;

    expect((await call("post /api/v1/admin/users/{id}/setup-link", { token: w.owner, params: { id: w.kioskId } })).body).toMatchObject({ outcome: "setup_link", setupUrl: expect.any(String) });
    expect((await call("post /api/v1/admin/users/{id}/setup-link", { token: w.owner, params: { id: w.samId } })).body).toEqual(expect.objectContaining({ outcome: "setup_mail" }));
    expect((await call("post /api/v1/auth/setup", { json: { token: lastToken("sam@acme.test"), password: PASSWORD } })).body.user).toMatchObject({ userId: "sam", status: "active" });

    expect((await call("get /api/v1/admin/users/{id}", { token: w.owner, params: { id: w.miaUserId } })).body.birthDate).toBe("1990-02-03");
    expect((await call("patch /api/v1/admin/users/{id}", { token: w.owner, params: { id: w.tomId }, json: { friendingForbidden: true, groupName: "Support" } })).body.friendingForbidden).toBe(true);
    for (const [action, expected] of [
      ["disable", { status: "disabled" }],
      ["enable", { status: "active" }],
      ["promote", { type: "admin" }],
      ["demote", { type: "general" }],
      ["verify-email", { emailVerifiedAt: expect.any(String) }],
    ] as const) {
      expect((await call(`post /api/v1/admin/users/{id}/${action}`, { token: w.owner, params: { id: w.tomId } })).body).toMatchObject(expected);
    }
    expect((await call("post /api/v1/admin/users/{id}/password", { token: w.owner, params: { id: w.tomId }, json: { password: "another long passphrase" } })).body.mustChangePassword).toBe(true);
    expect((await call("delete /api/v1/admin/users/{id}/sessions", { token: w.owner, params: { id: w.miaUserId } })).status).toBe(204);
    w.mia = await loginAs("mia");

    // Searches: a typed query is answered from the search index, the rest from the table; both present accounts.
    expect((await call("get /api/v1/admin/users", { token: w.owner, query: "q=kiosk" })).body.items[0]).toMatchObject({ userId: "kiosk", email: null });
    expect((await call("get /api/v1/admin/users", { token: w.owner, query: "sort=createdAt&order=desc&limit=3" })).body.nextCursor).toEqual(expect.any(String));

    await expectCode(call("get /api/v1/admin/users/{id}", { token: w.owner, params: { id: "no-such-account" } }), 404, "not_found");
    await expectCode(call("get /api/v1/admin/users", { token: w.mia }), 403, "forbidden");
    await expectCode(call("post /api/v1/admin/users", { token: w.owner, json: { userId: "tom" } }), 409, "user_id_taken");
    await expectCode(call("post /api/v1/admin/users/{id}/approve", { token: w.owner, params: { id: w.tomId } }), 400, "validation_failed");
  });

  it("applications approved and declined, settings and organizations", async () => {
    expect((await call("get /api/v1/admin/settings", { token: w.owner })).body).toMatchObject({ registration: "open", deletionLocked: true });
    expect((await call("patch /api/v1/admin/settings", { token: w.owner, json: { registration: "approval" } })).body.registration).toBe("approval");
    for (const name of ["ann", "dan"]) {
      await call("post /api/v1/auth/register", { json: { email: `${name}@acme.test`, password: PASSWORD, userId: name } });
      const v = await call("post /api/v1/auth/verify-email", { json: { email: `${name}@acme.test`, code: t.mailbox.codeIn(t.mailbox.lastMessage(`${name}@acme.test`)) } });
      expect(v.body.user.status).toBe("awaiting_approval");
    }
    const ann = (await call("get /api/v1/admin/users", { token: w.owner, query: "status=awaiting_approval" })).body.items as Body[];
    const id = (userId: string) => ann.find((a) => a.userId === userId).id as string;
    expect((await call("post /api/v1/admin/users/{id}/approve", { token: w.owner, params: { id: id("ann") } })).body.status).toBe("active");
    expect((await call("post /api/v1/admin/users/{id}/decline", { token: w.owner, params: { id: id("dan") }, json: { reason: "Not staff" } })).status).toBe(204);
    await call("patch /api/v1/admin/settings", { token: w.owner, json: { registration: "open" } });

    const globex = await call("post /api/v1/admin/organizations", { token: w.owner, json: { name: "Globex", domains: ["globex.test"] } });
    expect(globex.body).toMatchObject({ claimedDomains: ["globex.test"], members: 0, admins: 0 });
    w.orgId = globex.body.id;
    expect((await call("patch /api/v1/admin/organizations/{id}", { token: w.owner, params: { id: w.orgId }, json: { pendingLimit: 20 } })).body.pendingLimit).toBe(20);
    expect((await call("get /api/v1/admin/organizations", { token: w.owner })).body.total).toBe(2);
    await expectCode(call("patch /api/v1/admin/settings", { token: w.owner, json: { deletionLocked: false } }), 400, "validation_failed");
    await expectCode(call("post /api/v1/admin/organizations", { token: w.mia, json: { name: "Mine" } }), 403, "forbidden");
  });

  it("export, import and deletion", async () => {
    const json = await call("get /api/v1/admin/users/export", { token: w.owner, query: "format=json" });
    expect(json.body.length).toBeGreaterThan(5);
    // The CSV's columns are the JSON export's fields, in order.
    const csv = await call("get /api/v1/admin/users/export", { token: w.owner, query: "format=csv" });
    const exportRow = doc.components.schemas.ExportRow as { properties: Record<string, unknown> };
    expect(csv.text.replace(/^\uFEFF/, "").split("\n")[0]?.split(",")).toEqual(Object.keys(exportRow.properties));

    const rows = [{ userId: "imp1", email: "imp1@acme.test" }, { userId: "imp2" }, { userId: "bad id!" }];
    const dry = await call("post /api/v1/admin/users/import", { token: w.owner, query: "dryRun=true", json: rows });
    expect(dry.body).toMatchObject({ dryRun: true, valid: 2, failed: 1 });
    const done = await call("post /api/v1/admin/users/import", { token: w.owner, body: "userId,email\nimp1,imp1@acme.test\nimp2,\n", headers: { "content-type": "text/csv" } });
    expect(done.body.results).toMatchObject([{ status: "created", outcome: "setup_mail" }, { status: "created", outcome: "setup_link", setupUrl: expect.any(String) }]);

    await expectCode(call("post /api/v1/admin/users/batch-delete", { token: w.owner, json: { ids: [w.kioskId] } }), 403, "deletion_locked");
    await expectCode(call("delete /api/v1/admin/users/{id}", { token: w.owner, params: { id: w.kioskId } }), 403, "deletion_locked");
    await call("patch /api/v1/admin/settings", { token: w.owner, json: { deletionLocked: false, confirmDeletionUnlock: true } });
    const imported = (await call("get /api/v1/admin/users", { token: w.owner, query: "q=imp" })).body.items.map((a: Body) => a.id as string);
    const batch = await call("post /api/v1/admin/users/batch-delete", { token: w.owner, json: { ids: [...imported, "no-such-account"] } });
    expect(batch.body.results.map((x: Body) => x.code ?? x.status)).toEqual(["deleted", "deleted", "not_found"]);
    expect((await call("delete /api/v1/admin/users/{id}", { token: w.owner, params: { id: w.kioskId } })).status).toBe(204);
    await expectCode(call("post /api/v1/admin/users/batch-delete", { token: w.owner, json: { ids: [] } }), 400, "validation_failed");
  });

  it("the audit log, its chain, and the data volume", async () => {
    const audit = await call("get /api/v1/admin/audit", { token: w.owner, query: "limit=200" });
    expect(audit.body.total).toBeGreaterThan(20);
    expect((await call("get /api/v1/admin/audit", { token: w.owner, query: "action=admin.&limit=2" })).body.nextCursor).toEqual(expect.any(String));
    expect((await call("get /api/v1/admin/audit/verify", { token: w.owner })).body).toMatchObject({ ok: true });
    const exported = await call("get /api/v1/admin/audit/export", { token: w.owner, query: "format=json" });
    expect(exported.body.length).toBeGreaterThan(20);
    // The CSV's columns are the JSON export's fields, in order.
    const csv = await call("get /api/v1/admin/audit/export", { token: w.owner, query: "format=csv&action=login." });
    const row = doc.components.schemas.AuditExportRow as { properties: Record<string, unknown> };
    expect(csv.text.replace(/^\uFEFF/, "").split("\n")[0]?.split(",")).toEqual(Object.keys(row.properties));
    await expectCode(call("get /api/v1/admin/audit/export", { token: w.owner, query: "to=soon" }), 400, "validation_failed");
    await backupDatabase({ dataDir, keep: 7, source: t.db.$client, now: t.clock.now() });
    expect((await call("get /api/v1/admin/storage", { token: w.owner })).body.backups).toMatchObject({ count: 1, lastAt: expect.any(String) });
    await expectCode(call("get /api/v1/admin/audit", { token: w.owner, query: "from=yesterday" }), 400, "validation_failed");
    await expectCode(call("get /api/v1/admin/storage", { token: w.mia }), 403, "forbidden");
  });

  it("the mail queue: list, health, a message in full, a test mail and a retry", async () => {
    await t.worker!.drain();
    const list = await call("get /api/v1/admin/mail", { token: w.owner, query: "limit=200" });
    expect(list.body.transport).toBe("capture");
    const sent = list.body.items.find((m: Body) => m.status === "sent");
    expect((await call("get /api/v1/admin/mail/{id}", { token: w.owner, params: { id: sent.id } })).body.text).toEqual(expect.any(String));
    expect((await call("get /api/v1/admin/mail/health", { token: w.owner })).body.counts.sent).toBeGreaterThan(0);
    expect((await call("post /api/v1/admin/mail/test", { token: w.owner, json: { to: "it@acme.test" } })).body).toMatchObject({ status: "sent", transport: "smtp" });
    u.setReply(550);
    const refused = await call("post /api/v1/admin/mail/test", { token: w.owner, json: { to: "no@acme.test" } });
    expect(refused.body).toMatchObject({ status: "failed", lastError: expect.any(String) });
    u.setReply("accept");
    expect((await call("post /api/v1/admin/mail/{id}/retry", { token: w.owner, params: { id: refused.body.id } })).body.status).toBe("queued");
    await expectCode(call("post /api/v1/admin/mail/{id}/retry", { token: w.owner, params: { id: sent.id } }), 400, "validation_failed");
    await expectCode(call("get /api/v1/admin/mail/{id}", { token: w.owner, params: { id: "no-such-mail" } }), 404, "not_found");
  });

  it("has called every operation in `operations`, with each success answer the document gives it", () => {
    const missing = operations.flatMap((o) => [o.ok, ...(o.also ?? [])].filter(([status]) => !seen.get(key(o))?.has(status)).map(([status]) => `${key(o)} → ${status}`));
    expect(missing, "operations (and success answers) this file never exercised").toEqual([]);
  });
});

async function expectCode(pending: ReturnType<typeof call>, status: number, code: string): Promise<void> {
  const r = await pending;
  expect({ status: r.status, code: r.body?.code }).toEqual({ status, code });
}
