import { describe, expect, it } from "vitest";
import { createTestApp } from "../test/harness.js";
import { operations } from "./openapi.js";

describe("the API description", () => {
  const t = createTestApp();
  const toOpenApi = (p: string) => p.replace(/:(\w+)/g, "{$1}");

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

  it("renders the reference page from the image, with no script", async () => {
    const r = await t.request("/api/docs");
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(html).toContain("/api/v1/admin/users/{id}/decline");
    expect(html).not.toMatch(/<script/i);
    expect(r.headers.get("content-security-policy")).toContain("script-src 'self'");
  });
});
