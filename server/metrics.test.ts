import fc from "fast-check";
import { Counter, Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { openDatabase } from "./db/client.js";
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

describe("request metrics", () => {
  it("expose exactly what prom-client's own counter and histogram would for the same requests", async () => {
    const db = openDatabase(":memory:");
    const observation = fc.record({
      method: fc.constantFrom("GET", "POST", "DELETE"),
      route: fc.constantFrom("/api/v1/me", "/admin/users", "unmatched", '/we"ird\\route'),
      status: fc.constantFrom(200, 201, 401, 404, 500),
      seconds: fc.oneof(fc.double({ min: 0, max: 5, noNaN: true }), fc.constantFrom(0.001, 0.0025, 0.1, 2.5)),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(observation, { maxLength: 60 }), async (requests) => {
        const ours = createMetrics(db);
        const registry = new Registry();
        const counter = new Counter({ name: "roster_http_requests_total", help: "HTTP requests by method, route and status", labelNames: ["method", "route", "status"], registers: [registry] });
        const histogram = new Histogram({
          name: "roster_http_request_duration_seconds",
          help: "HTTP request latency by method and route",
          labelNames: ["method", "route"],
          buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
          registers: [registry],
        });
        for (const r of requests) {
          ours.observeRequest(r.method, r.route, r.status, r.seconds);
          counter.inc({ method: r.method, route: r.route, status: String(r.status) });
          histogram.observe({ method: r.method, route: r.route }, r.seconds);
        }
        const lines = (text: string) => text.split("\n").filter((l) => l.startsWith("roster_http_") || l.startsWith("# ") && l.includes("roster_http_")).sort();
        const text = await ours.registry.metrics();
        expect(lines(text)).toEqual(lines(await registry.metrics()));
      }),
      { numRuns: 150 },
    );
    db.$client.close();
  });
});
