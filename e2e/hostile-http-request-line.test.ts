import { describe, expect, it } from "vitest";
import { api, credentials, expectApi, expectPage, expectRefused, HOST, message, only, ORIGIN, page, request, send, startHostileServer, type Who } from "./hostile-http.js";

/** Hostile request lines: broken percent-encoding, odd and overlong paths, absolute-form targets, unusual methods. What every answer must be: e2e/hostile-http.ts. */
startHostileServer();

describe("malformed percent-encoding in path and query", () => {
  it.each<[string, Who]>([
    ["/api/v1/admin/users?q=%E0%A4%A", "bearer"],
    ["/api/v1/admin/users?q=%ff&status=%zz&limit=%", "bearer"],
    ["/api/v1/admin/users?q=%22NEAR(%2A%00", "bearer"],
    ["/api/v1/admin/users/%E0%A4%A", "bearer"],
    ["/api/v1/admin/users/export?format=csv&ids=%00,%ff,,", "bearer"],
    ["/api/v1/admin/audit?cursor=%ff&limit=abc", "bearer"],
    ["/api/v1/directory?q=%E0%A4%A&group=%ff", "bearer"],
    ["/api/v1/invitations/%E0%A4%A", "none"],
    ["/api/v1/%", "none"],
    ["/api/v1/me%00", "none"],
  ])("API %s", (target, who) => api(request("GET", target, credentials(who))));

  it.each<[string, Who]>([
    ["/%", "none"],
    ["/static/%ff", "none"],
    ["/login?next=%E0%A4%A", "none"],
    ["/lang/ja?next=%ff", "none"],
    ["/reset-password?token=%ff", "none"],
    ["/verify-email?token=%E0%A4%A", "none"],
    ["/invite/%ff", "none"],
    ["/admin/users?q=%E0%A4%A&sort=%00", "cookie"],
    ["/admin/users/%E0%A4%A", "cookie"],
    ["/admin/audit?cursor=%ff", "cookie"],
    ["/people?q=%ff&group=%E0", "cookie"],
  ])("page %s", (target, who) => page(request("GET", target, credentials(who))));

  it("an encoded dot-dot under /static/ serves nothing from disk", async () => {
    const r = only(await send(request("GET", "/static/..%2f..%2fpackage.json")));
    expectPage(r, 404);
    expect(r.body).not.toContain("devDependencies");
  });
});

describe("overlong and odd paths", () => {
  it.each([
    ["/api/v1/me/", "/api/v1/me/"],
    ["/api/v1/../v1/me", "/api/v1/../v1/me"],
    ["/api/v1/./me", "/api/v1/./me"],
    ["/api/v1//me", "/api/v1//me"],
    ["/api/v1/%2e%2e/%2e%2e/healthz", "/api/v1/%2e%2e/%2e%2e/healthz"],
    ["an 8 KB path under /api/v1", `/api/v1/${"a".repeat(8192)}`],
    ["2,000 query parameters", `/api/v1/me?${"q=1&".repeat(2000)}`],
  ])("API %s", (_, target) => api(request("GET", target)));
  it.each([
    ["//api/v1/me", "//api/v1/me"],
    ["///", "///"],
    ["an 8 KB path", `/${"a".repeat(8192)}`],
  ])("page %s", (_, target) => page(request("GET", target)));
  it("a 20 KB request target is refused, not buffered", async () => expectRefused(await send(request("GET", `/${"a".repeat(20_000)}`))));
});

describe("absolute-form request targets", () => {
  it("are answered for the path they name", async () => {
    await api(request("GET", `http://${HOST}/api/v1/server`), 200);
    await api(request("GET", `http://user:pw@${HOST}/api/v1/me`), 401);
    await page(request("GET", "http://evil.test/login"), 200);
  });
  // A backslash in the path or an unparsable target: no URL either (server/http/listener.ts).
  it.each(["http://[::1/api/v1/server", "/api/v1/me\\", "/api/v1/me\\..\\server", `ftp://${HOST}/api/v1/server`])("%s: a problem+json 400", (target) => api(request("GET", target), 400));
  // An upper-case scheme (case-insensitive by RFC 9110) is taken for a path by the adapter: refused, but as a problem.
  it("HTTP://ROSTER.TEST/api/v1/server: answered, or a problem+json 400", () => api(request("GET", `HTTP://${HOST.toUpperCase()}/api/v1/server`)));
  // Outside /api/, the same refusal is a page.
  it("/login\\: an error page", () => page(request("GET", "/login\\"), 400));
  it.each(["*", "http:/x/api/v1/server"])("%s never hangs or fails", async (target) => {
    const x = await send(request("OPTIONS", target));
    expect(x.timedOut).toBe(false);
    for (const r of x.replies) expect(r.status).toBeLessThan(500);
  });
});

describe("unusual methods", () => {
  const methods = ["OPTIONS", "TRACE", "PATCH", "PROPFIND", "DELETE", "PUT", "QUERY", "M-SEARCH"];
  it.each(methods)("%s on API routes", async (method) => {
    await api(request(method, "/api/v1/me"));
    await api(request(method, "/api/v1/server"));
    await api(request(method, "/api/v1/me", ["Authorization: Bearer x.y", "Content-Type: application/json"], "{}"));
  });
  it.each(methods)("%s on pages", async (method) => {
    await page(request(method, "/login"));
    await page(request(method, "/account", [ORIGIN]));
  });
  it.each(["get", "Get", "FOO", "TRACK"])("%s is refused", async (method) => expectRefused(await send(request(method, "/api/v1/server"))));
  it("CONNECT is dropped at once", async () => expectRefused(await send(message("CONNECT roster.test:443 HTTP/1.1", [`Host: ${HOST}`]))));

  it.each<[string, Who, "api" | "page" | "asset", number]>([
    ["/login", "none", "page", 200],
    ["/account", "none", "page", 303],
    ["/nope", "none", "page", 404],
    ["/admin/users", "cookie", "page", 200],
    ["/static/app.css", "none", "asset", 200],
    ["/api/v1/server", "none", "api", 200],
    ["/api/v1/me", "none", "api", 401],
    ["/api/v1/nope", "none", "api", 404],
    ["/api/v1/admin/users/export?format=csv", "bearer", "api", 200],
  ])("HEAD %s: the head alone", async (target, who, face, status) => {
    const x = await send(request("HEAD", target, credentials(who)), { heads: [true] });
    const r = only(x);
    expect(x.trailing, "no body after the head").toBe("");
    if (face === "api") expectApi(r, status);
    else if (face === "page") expectPage(r, status);
    else expect(r.status).toBe(status);
  });
});
