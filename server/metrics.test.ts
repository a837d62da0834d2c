import { describe, expect, it } from "vitest";
import { createMetrics } from "./metrics.js";
import { createTestApp, setupOwner } from "./test/harness.js";

describe("GET /metrics", () => {
  it("exposes requests, latency, log ins and the mail queue to allowed addresses or an API key", async () => {
    const t = createTestApp();
    t.deps.metrics = createMetrics(t.db);
    const owner = await setupOwner(t);
    await t.request("/api/v1/auth/login", { json: { login: "owner", password: "wrong password" } });
    await t.request("/api/v1/me", { token: owner.token });
    const local = await t.request("/metrics", { headers: { "x-test-client-ip": "127.0.0.1" } });
    expect(local.status).toBe(200);
    expect(local.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await local.text();
    expect(text).toContain('roster_http_requests_total{method="GET",route="/api/v1/me",status="200"} 1');
    expect(text).toContain('roster_logins_total{result="success"} 1');
    expect(text).toContain('roster_logins_total{result="failure"} 1');
    expect(text).toMatch(/roster_mail_queue\{status="queued"\} \d+/);
    expect(text).toContain("roster_http_request_duration_seconds_bucket");

    expect((await t.request("/metrics", { headers: { "x-test-client-ip": "10.1.2.3" } })).status).toBe(403);
    const key = ((await (await t.request("/api/v1/admin/api-keys", { token: owner.token, json: { name: "prometheus" } })).json()) as { key: string }).key;
    expect((await t.request("/metrics", { token: key, headers: { "x-test-client-ip": "10.1.2.3" } })).status).toBe(200);
    expect((await t.request("/metrics", { token: owner.token, headers: { "x-test-client-ip": "10.1.2.3" } })).status).toBe(403);
  });

  it("answers every request with a request id (the caller's, or a new one)", async () => {
    const t = createTestApp();
    expect((await t.request("/healthz", { headers: { "x-request-id": "abc-123" } })).headers.get("x-request-id")).toBe("abc-123");
    expect((await t.request("/healthz")).headers.get("x-request-id")).toMatch(/\S+/);
  });
});
