import { describe, expect, it } from "vitest";
import { isProbe } from "./probes.js";

describe("probes", () => {
  it("are the health checks and the metrics, with or without a query, and nothing else", () => {
    for (const url of ["/healthz", "/readyz", "/metrics", "/readyz?x=1"]) expect(isProbe(url), url).toBe(true);
    for (const url of ["/", "/api/v1/me", "/login", "/metrics/x", "/healthzz", "/admin/users?q=readyz", undefined]) expect(isProbe(url), String(url)).toBe(false);
  });
});
