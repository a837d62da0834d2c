import { describe, expect, it } from "vitest";
import { createTestApp } from "../test/harness.js";
import { componentName, responseComponents } from "./openapi-responses.js";
import { codesFor, errorStatuses, operations } from "./openapi.js";

interface Response {
  description: string;
  content?: Record<string, { schema: Record<string, unknown> }>;
}
interface Doc {
  paths: Record<string, Record<string, { responses: Record<string, Response> }>>;
  components: { schemas: Record<string, Record<string, unknown>> };
}

/** Every `$ref` in a JSON value. */
const refsIn = (v: unknown): string[] =>
  Array.isArray(v) ? v.flatMap(refsIn) : v && typeof v === "object" ? Object.entries(v).flatMap(([k, x]) => (k === "$ref" && typeof x === "string" ? [x] : refsIn(x))) : [];

/** Every object schema in a JSON Schema, nested ones included. */
const objectsIn = (s: unknown, at: string): [string, Record<string, unknown>][] => {
  if (!s || typeof s !== "object") return [];
  if (Array.isArray(s)) return s.flatMap((x, i) => objectsIn(x, `${at}[${i}]`));
  const o = s as Record<string, unknown>;
  const own: [string, Record<string, unknown>][] = o.type === "object" ? [[at, o]] : [];
  return [...own, ...Object.entries(o).flatMap(([k, x]) => objectsIn(x, `${at}.${k}`))];
};

describe("the API description", () => {
  const t = createTestApp();
  const toOpenApi = (p: string) => p.replace(/:(\w+)/g, "{$1}");

  it("names every operation once (operationId, for generated clients), and describes the bodies that are not JSON only", async () => {
    const doc = (await (await t.request("/api/openapi.json")).json()) as { paths: Record<string, Record<string, { operationId: string; requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> } }>> };
    const ops = Object.values(doc.paths).flatMap((m) => Object.values(m));
    const ids = ops.map((o) => o.operationId);
    expect(ids.every((id) => /^(get|post|patch|delete)[A-Z][A-Za-z]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ops.length);
    expect(doc.paths["/api/v1/admin/users/{id}/disable"]?.post?.operationId).toBe("postAdminUsersByIdDisable");
    // RFC 7662: the token form-encoded, or as JSON.
    const introspect = doc.paths["/api/v1/introspect"]?.post?.requestBody?.content ?? {};
    expect(Object.keys(introspect).sort()).toEqual(["application/json", "application/x-www-form-urlencoded"]);
    expect(Object.keys(introspect["application/x-www-form-urlencoded"]?.schema.properties ?? {})).toEqual(["token", "token_type_hint"]);
    // An import is a CSV file, or JSON rows.
    expect(Object.keys(doc.paths["/api/v1/admin/users/import"]?.post?.requestBody?.content ?? {}).sort()).toEqual(["application/json", "text/csv"]);
  });

  it("documents every JSON API route the app serves, and nothing it does not (no drift)", () => {
    const served = new Set(
      t.app.routes
        .filter((r) => r.path.startsWith("/api/v1/") && r.method !== "ALL" && !r.path.endsWith("*") && !r.path.includes("/:action"))
        .map((r) => `${r.method.toLowerCase()} ${toOpenApi(r.path)}`),
    );
    const documented = new Set(operations.filter((o) => o.path.startsWith("/api/v1/")).map((o) => `${o.method} ${o.path}`));
    const statusActions = [...documented].filter((d) => /\/users\/\{id\}\/(disable|enable|promote|demote|approve|verify-email)$/.test(d));
    expect(statusActions).toHaveLength(6);
    expect([...served].filter((s) => !documented.has(s))).toEqual([]);
    expect([...documented].filter((d) => !served.has(d) && !statusActions.includes(d))).toEqual([]);
  });

  it("serves an OpenAPI 3.1 document whose request schemas come from the validating zod schemas", async () => {
    const doc = (await (await t.request("/api/openapi.json")).json()) as { openapi: string; paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties?: Record<string, { pattern?: string }> } }> } }>> };
    expect(doc.openapi).toBe("3.1.0");
    const register = doc.paths["/api/v1/auth/register"]?.post?.requestBody?.content["application/json"]?.schema;
    expect(Object.keys(register?.properties ?? {})).toEqual(expect.arrayContaining(["email", "password", "userId", "organizationName"]));
    expect(JSON.stringify(register)).toContain("^[a-z0-9][a-z0-9._-]{2,31}$");
  });

  it("gives every JSON success answer the schema of what the code answers, as a component generated from openapi-responses.ts", async () => {
    const doc = (await (await t.request("/api/openapi.json")).json()) as Doc;
    // The served components are the zod schemas' JSON Schema, nothing written by hand beside them.
    expect(doc.components.schemas).toEqual(JSON.parse(JSON.stringify(responseComponents())));
    for (const o of operations) {
      const responses = doc.paths[o.path]?.[o.method]?.responses ?? {};
      for (const [status, description, schema] of [o.ok, ...(o.also ?? [])]) {
        const r = responses[String(status)];
        const where = `${o.method} ${o.path} ${status}`;
        expect(r?.description, where).toBe(description);
        if (status === 202 || status === 204) expect(schema, `${where}: no body`).toBeUndefined();
        if (!schema) {
          expect(r?.content, where).toBeUndefined();
          continue;
        }
        const ref = { $ref: `#/components/schemas/${componentName(schema)}` };
        expect(r?.content?.["application/json"]?.schema, where).toEqual(ref);
        expect(Object.keys(r?.content ?? {}), where).toEqual(o.file && status === o.ok[0] ? ["text/csv", "application/json"] : ["application/json"]);
      }
      // Refusals are problem details listing the codes of their status.
      for (const status of errorStatuses(o)) {
        const r = responses[String(status)];
        expect(r?.content?.["application/problem+json"]?.schema, `${o.method} ${o.path} ${status}`).toEqual({ $ref: "#/components/schemas/Problem" });
        expect(r?.description.split(", ")).toEqual(codesFor(status));
      }
    }
    // Every reference resolves, and every object says which fields it has: an undocumented one is not allowed.
    const names = new Set(Object.keys(doc.components.schemas));
    expect(refsIn(doc).filter((r) => !names.has(r.replace("#/components/schemas/", "")) || !r.startsWith("#/components/schemas/"))).toEqual([]);
    const open = Object.entries(doc.components.schemas).flatMap(([name, s]) => objectsIn(s, name)).filter(([, o]) => o.additionalProperties !== false && !o.propertyNames);
    expect(open.map(([at]) => at)).toEqual([]);
    // OpenAPI 3.1 Schema Objects: no $id or $schema of zod's carried into the components.
    expect(JSON.stringify(doc.components.schemas)).not.toMatch(/"\$(id|schema)"/);
  });

  it("renders the reference page from the image, with no script", async () => {
    const r = await t.request("/api/docs");
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(html).toContain("/api/v1/admin/users/{id}/decline");
    // What a success answer carries: its schema's name and fields.
    expect(html).toContain("LoggedIn {token, expiresAt, user: Account}");
    expect(html).toContain("AccountList {items: Account[], nextCursor, total}");
    expect(html).not.toMatch(/<script/i);
    const ja = await (await t.request("/api/docs", { cookie: "roster_lang=ja" })).text();
    expect(ja).toContain("アカウント：Account {id, userId, email,");
    expect(ja).not.toMatch(/<script/i);
    expect(r.headers.get("content-security-policy")).toContain("script-src 'self'");
  });
});
