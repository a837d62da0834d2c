import pino from "pino";
import { describe, expect, it } from "vitest";
import { accessLogger, isoTimeOncePerMs, loggedPath } from "./log.js";

const capture = () => {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: "info", timestamp: isoTimeOncePerMs(), redact: { paths: ["password", "*.token"], censor: "[redacted]" } }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
  return { log, lines };
};

describe("the log", () => {
  it("stamps lines with the ISO time", () => {
    const { log, lines } = capture();
    const before = Date.now();
    log.info("one");
    log.info("two");
    for (const l of lines) {
      expect(l.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(Date.parse(l.time as string)).toBeGreaterThanOrEqual(before);
      expect(Date.parse(l.time as string)).toBeLessThanOrEqual(Date.now());
    }
  });

  it("keeps redacting every other line while the access log skips the pass (its fields are fixed and hold no secret)", () => {
    const { log, lines } = capture();
    const access = accessLogger();
    // A field the logger would redact goes through as given: the pass is skipped, not merely idle.
    access(log).info({ requestId: "r1", method: "GET", path: "/api/v1/me", status: 200, user: { token: "fixed" } }, "request");
    log.info({ password: "hunter2", user: { token: "abc" } }, "something else");
    expect(lines[0]).toMatchObject({ msg: "request", requestId: "r1", path: "/api/v1/me", status: 200, user: { token: "fixed" } });
    expect(lines[1]).toMatchObject({ password: "[redacted]", user: { token: "[redacted]" } });
    // One child per logger: made again when the logger is replaced.
    expect(access(log)).toBe(access(log));
    const other = capture();
    access(other.log).info("to the new one");
    expect(other.lines).toHaveLength(1);
  });

  it.each([
    ["/invite/tok3n", "/invite/:token", "/invite/[redacted]"],
    ["/invite/tok3n/accept", "/invite/:token/accept", "/invite/[redacted]/accept"],
    ["/api/v1/invitations/tok3n/accept", "/api/v1/invitations/:token/accept", "/api/v1/invitations/[redacted]/accept"],
    ["/reset-password?token=tok3n", "/reset-password", "/reset-password"],
    // Shapes no route matches still lose the token.
    ["//invite/tok3n", "unmatched", "//invite/[redacted]"],
    // A 404 or 403 answers under the catch-all route (/*), not "unmatched".
    ["//invite/tok3n", "/*", "//invite/[redacted]"],
    ["/api/v1//invitations/tok3n", "/api/v1/*", "/api/v1//invitations/[redacted]"],
    ["/admin/invitations/inv-1/revoke", "/admin/invitations/:id/revoke", "/admin/invitations/inv-1/revoke"],
    ["/api/v1//invitations/tok3n", "unmatched", "/api/v1//invitations/[redacted]"],
    ["/invite%2Ftok3n", "unmatched", "/invite%2F[redacted]"],
    ["/api/v1/invitations/tok3n?x=1#y", "unmatched", "/api/v1/invitations/[redacted]"],
    // Ids of an admin's invitations are not secrets.
    ["/api/v1/admin/invitations/inv-1/resend", "/api/v1/admin/invitations/:id/resend", "/api/v1/admin/invitations/inv-1/resend"],
  ])("logs %s (route %s) as %s", (target, route, logged) => {
    expect(loggedPath(target, route)).toBe(logged);
  });
});
