import { describe, it } from "vitest";
import { api, expectRefused, HOST, message, page, request, send, startHostileServer, token, utf8 } from "./hostile-http.js";

/** Hostile header fields: Host, cookies, Authorization, Accept-Language and X-Forwarded-For. What every answer must be: e2e/hostile-http.ts. */
startHostileServer();

describe("odd or missing Host", () => {
  it("HTTP/1.0 without Host gets the API and the pages", async () => {
    await api(message("GET /api/v1/server HTTP/1.0", []), 200);
    await page(message("GET /login HTTP/1.0", []), 200);
  });
  it("HTTP/1.1 without Host is refused (RFC 9112) as any bad request: a problem on the API, a page elsewhere", async () => {
    await api(message("GET /api/v1/server HTTP/1.1", ["Connection: close"]), 400);
    await page(message("GET /login HTTP/1.1", ["Connection: close"]), 400);
  });
  it.each([
    ["an 8 KB Host", `Host: ${"a".repeat(8000)}`],
    ["an IPv6 literal", "Host: [::1]:8080"],
    ["upper case", "Host: X.EXAMPLE"],
    ["an empty Host", "Host: "],
    ["two Hosts", `Host: ${HOST}\r\nHost: other.test`],
  ])("%s", async (_, host) => {
    const get = (target: string) => message(`GET ${target} HTTP/1.1`, [host, "Connection: close"]);
    await api(get("/api/v1/server"));
    await page(get("/login"));
  });
  it("a 20 KB Host is refused", async () => expectRefused(await send(message("GET /api/v1/server HTTP/1.1", [`Host: ${"a".repeat(20_000)}`, "Connection: close"]))));
  // A Host the URL parser rejects makes no URL: @hono/node-server alone would answer a bare, empty 400; server/http/listener.ts has the app answer it.
  it.each([
    ["Host: a b", "Host: a b"],
    ["Host: [::1", "Host: [::1"],
    ["Host: exa%mple", "Host: exa%mple"],
    ["Host: roster.test:abc", "Host: roster.test:abc"],
    ["Host: ロスター (UTF-8 bytes)", `Host: ${utf8("ロスター")}`],
  ])("%s: a problem+json 400 on the API, an error page on pages", async (_, host) => {
    const get = (target: string) => message(`GET ${target} HTTP/1.1`, [host, "Connection: close"]);
    await api(get("/api/v1/server"), 400);
    await page(get("/login"), 400);
  });
});

describe("cookies", () => {
  const many = Array.from({ length: 500 }, (_, i) => `c${i}=${"v".repeat(10)}`).join("; ");
  it.each([
    ["garbage", 'Cookie: ;;;=;==; roster_session; =x; "quoted"; roster_session=='],
    ["500 cookies", `Cookie: ${many}; roster_session=x.y`],
    ["an invalid-percent session", "Cookie: roster_session=%E0%A4%A; roster_lang=%ff"],
    ["non-ASCII bytes", `Cookie: roster_session=${utf8("セッション")}\xff`],
    ["a 12 KB session", `Cookie: roster_session=${"a".repeat(12_000)}`],
  ])("%s: the API says unauthenticated, pages still work", async (_, cookie) => {
    await api(request("GET", "/api/v1/me", [cookie]), 401);
    await page(request("GET", "/account", [cookie]), 303);
    await page(request("GET", "/login", [cookie]), 200);
    await api(request("POST", "/api/v1/auth/logout", [cookie]));
  });
  it("a valid session among broken cookies still works", async () => {
    await api(request("GET", "/api/v1/me", [`Cookie: x=%E0%A4%A; ;; roster_session=${token}; y=%`]), 200);
  });
});

describe("Authorization", () => {
  it.each([
    ["a 10 KB Bearer token", `Bearer ${"a".repeat(10 * 1024)}`],
    ["a 10 KB id.secret", `Bearer ${"a".repeat(5000)}.${"b".repeat(5000)}`],
    ["a non-ASCII Bearer token", `Bearer ${utf8("トークン")}.\xff\xfe`],
    ["an empty Bearer token", "Bearer "],
    ["Bearer alone", "Bearer"],
    ["an empty API key", "Bearer rk_"],
    ["a 10 KB API key", `Bearer rk_${"a".repeat(10_000)}_x`],
    ["Basic garbage", "Basic !!!"],
    ["an empty Authorization", ""],
  ])("%s: 401 problem+json", async (_, value) => {
    await api(request("GET", "/api/v1/me", [`Authorization: ${value}`]), 401);
    await page(request("GET", "/account", [`Authorization: ${value}`]));
  });
});

describe("Accept-Language and X-Forwarded-For", () => {
  it.each([
    ["broken q-values and a 5 KB tag", `;;;,,,q=abc;q=;ja;q=NaN,*;q=-1,${"x".repeat(5000)}`],
    ["an infinite q", "ja;q=1e999, en;q=0.5"],
    ["non-ASCII bytes", `${utf8("日本語")}\xff;q=1`],
    ["a lone comma", ","],
  ])("Accept-Language with %s: pages still render", async (_, value) => {
    await page(request("GET", "/login", [`Accept-Language: ${value}`]), 200);
    await page(request("GET", "/register", [`Accept-Language: ${value}`]), 200);
    await api(request("GET", "/api/v1/nope", [`Accept-Language: ${value}`]), 404);
  });
  it.each([
    ["empty entries and a 3 KB one", `, ,,, not-an-ip, ${"9".repeat(3000)}`],
    ["a broken IPv6 literal", "[::1"],
    ["an impossible IPv4", "999.999.1.1"],
    ["non-ASCII bytes", `${utf8("東京")}\xff`],
    ["a lone comma", ","],
  ])("X-Forwarded-For with %s", async (_, value) => {
    await page(request("GET", "/login", [`X-Forwarded-For: ${value}`]), 200);
    await api(request("POST", "/api/v1/auth/login", [`X-Forwarded-For: ${value}`, "Content-Type: application/json"], '{"login":"nobody","password":"x"}'));
    await api(request("POST", "/api/v1/auth/password-reset", [`X-Forwarded-For: ${value}`, "Content-Type: application/json"], '{"email":"nobody@acme.test"}'));
  });
});
