import path from "node:path";
import { expect } from "vitest";
import type { z } from "zod";
import { smtpTransport } from "../../mail/transports.js";
import { createTestApp, PASSWORD, type TestApp } from "../../test/harness.js";
import { schemaChecker, type Schema } from "../../test/json-schema.js";
import { startUpstream, type Upstream } from "../../test/smtp-upstream.js";
import { tempDirs } from "../../test/temp.js";
import { componentName, Problem } from "../openapi-responses.js";
import { operations, type Answer, type Operation } from "../openapi.js";

/**
 * The server responses.test.ts calls, and `call`, which checks each answer
 * against the served document. The steps (responses-*-steps.ts) share the
 * server and what they make on it (`w`), in the order they run.
 */

export interface Doc {
  paths: Record<string, Record<string, { responses: Record<string, { description: string; content?: Record<string, { schema: Schema }> }> }>>;
  components: { schemas: Record<string, Schema> };
}

const tempDir = tempDirs("roster-responses-");
export const key = (o: Pick<Operation, "method" | "path">) => `${o.method} ${o.path}`;
const byKey = new Map(operations.map((o) => [key(o), o]));
/** The statuses each operation has answered in this file. */
export const seen = new Map<string, Set<number>>();

export let t: TestApp;
export let u: Upstream;
export let doc: Doc;
export let dataDir: string;

/** A real server on a database file, its mail worker delivering to an SMTP server; and the document it serves. */
export async function startServer(): Promise<void> {
  u = await startUpstream();
  dataDir = tempDir();
  t = createTestApp({ file: path.join(dataDir, "roster.db"), config: { dataDir, backupKeep: 7 }, mailTransport: smtpTransport({ url: u.url }) });
  t.worker!.start();
  doc = (await (await t.request("/api/openapi.json")).json()) as Doc;
}

export async function stopServer(): Promise<void> {
  await t.worker?.stop();
  t.db.$client.close();
  await u.close();
}

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
export type Body = any;

/**
 * Calls the operation named `method path` (as in `operations`), and checks the
 * answer against the served document: a documented status; a success answer's
 * body against its schema (JSON Schema from the document, and the zod schema it
 * comes from); an error against Problem, with a code the document lists for that status.
 */
export async function call(name: string, c: Call = {}, app: TestApp = t): Promise<{ status: number; body: Body; headers: Headers; text: string }> {
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

export const lastToken = (to: string) => t.mailbox.tokenIn(t.mailbox.lastMessage(to));
export const inviteToken = (to: string) => new URL(t.mailbox.linkIn(t.mailbox.lastMessage(to))).pathname.split("/").pop()!;

/** The tokens and ids the steps share, in the order they make them. */
export const w = {} as Record<"owner" | "mia" | "pat" | "miaUserId" | "tomId" | "kioskId" | "samId" | "orgId" | "apiKey", string>;

export async function loginAs(login: string, password = PASSWORD): Promise<string> {
  const r = await call("post /api/v1/auth/login", { json: { login, password } });
  expect(r.status).toBe(200);
  return r.body.token as string;
}

/** Registers, confirms with the mailed code, and logs in. */
export async function member(email: string, userId: string): Promise<{ token: string; id: string }> {
  const reg = await call("post /api/v1/auth/register", { json: { email, password: PASSWORD, userId } });
  expect(reg.status).toBe(201);
  const v = await call("post /api/v1/auth/verify-email", { json: { email, code: t.mailbox.codeIn(t.mailbox.lastMessage(email)) } });
  expect(v.status).toBe(200);
  return { token: await loginAs(email), id: reg.body.user.id as string };
}

/** The answer is the problem the document lists: this status, this code. */
export async function expectCode(pending: ReturnType<typeof call>, status: number, code: string): Promise<void> {
  const r = await pending;
  expect({ status: r.status, code: r.body?.code }).toEqual({ status, code });
}
