import { describe, expect, it } from "vitest";
import { createTestApp, setupOwner } from "../../test/harness.js";

describe("CSRF on the JSON API", () => {
  it("refuses a cookie-carrying state change from another site, and lets Bearer and cookie-less calls through to their own checks", async () => {
    const t = createTestApp();
    const owner = await setupOwner(t);
    const cookie = `roster_session=${owner.token}`;
    const forged = await t.request("/api/v1/me", { method: "PATCH", cookie, body: "nickname=x", headers: { "content-type": "text/plain", origin: "https://evil.example" } });
    expect(forged.status).toBe(403);
    const me = (await (await t.request("/api/v1/me", { token: owner.token })).json()) as { nickname: string };
    expect(me.nickname).toBe("");
    // Same origin with the cookie: allowed (the browser's own pages calling the API).
    const own = await t.request("/api/v1/me", { method: "PATCH", cookie, json: { nickname: "Own" }, headers: { origin: "http://localhost:8080" } });
    expect(own.status).toBe(200);
    // No cookie, no Origin, a text body: nothing to forge, so the API's own answer (415).
    const plain = await t.request("/api/v1/auth/login", { body: "login=a", headers: { "content-type": "text/plain" } });
    expect(plain.status).toBe(415);
    // Bearer: not subject to CSRF.
    expect((await t.request("/api/v1/auth/logout", { method: "POST", token: owner.token })).status).toBe(204);
  });
});
