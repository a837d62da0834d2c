import { describe, expect, it } from "vitest";
import { api, credentials, expectApi, expectRefused, HOST, message, only, ORIGIN, page, request, send, startHostileServer, token, utf8 } from "./hostile-http.js";

/** Hostile bodies and their framing: Content-Type, broken or huge bodies, Content-Length and Transfer-Encoding. What every answer must be: e2e/hostile-http.ts. */
startHostileServer();

describe("Content-Type on POST routes", () => {
  const creds = JSON.stringify({ login: "nobody", password: "not the password" });
  const types = [undefined, "text/plain", "application/json; charset=shift_jis", "multipart/form-data", "multipart/form-data; boundary=", ";;;", "application/x-www-form-urlencoded", "application/json\r\nContent-Type: text/plain"];
  it.each(types)("POST /api/v1/auth/login with Content-Type %j", (type) => api(request("POST", "/api/v1/auth/login", type === undefined ? [] : [`Content-Type: ${type}`], creds)));
  it.each(types)("POST /api/v1/auth/register with Content-Type %j", (type) =>
    api(request("POST", "/api/v1/auth/register", type === undefined ? [] : [`Content-Type: ${type}`], JSON.stringify({ email: "x@acme.test", password: "x" }))),
  );
  it("introspection: multipart without a boundary, and a form with broken percent-encoding", async () => {
    await api(request("POST", "/api/v1/introspect", [...credentials("key"), "Content-Type: multipart/form-data"], "token=x"));
    await api(request("POST", "/api/v1/introspect", [...credentials("key"), "Content-Type: application/x-www-form-urlencoded"], "token=%ff%&x=%E0%A4%A"), 200);
  });
  it.each([
    ["no Content-Type, no body", [], ""],
    ["multipart without a boundary", ["Content-Type: multipart/form-data"], "login=a"],
    ["multipart not starting with its boundary", ["Content-Type: multipart/form-data; boundary=zz"], 'zz\r\nContent-Disposition: form-data; name="login"\r\n\r\nab'],
    ["multipart never closed", ["Content-Type: multipart/form-data; boundary=zz"], '--zz\r\nContent-Disposition: form-data; name="login"\r\n\r\nab'],
    ["text/plain", ["Content-Type: text/plain"], "login=a"],
    ["broken JSON", ["Content-Type: application/json"], "{"],
    ["a form with broken percent-encoding", ["Content-Type: application/x-www-form-urlencoded"], "login=%ff&password=%E0%A4%A&next=%"],
  ])("POST /login with %s: a page", (_, headers, body) => page(request("POST", "/login", [ORIGIN, ...headers], body)));
  it("a form post from another site is refused with a page", () => page(request("POST", "/login", ["Origin: http://evil.test", "Content-Type: application/x-www-form-urlencoded"], "login=a"), 403));
});

describe("bodies", () => {
  const badUtf8 = "\xff\xfe\xc3\x28\xed\xa0\x80\xf0\x28\x8c\x28";
  it("invalid UTF-8 in JSON, in a form, in an introspected token", async () => {
    await api(request("POST", "/api/v1/auth/login", ["Content-Type: application/json"], `{"login":"${badUtf8}","password":"${badUtf8}"}`));
    await page(request("POST", "/login", [ORIGIN, "Content-Type: application/x-www-form-urlencoded"], `login=${badUtf8}&password=x`));
    await api(request("POST", "/api/v1/introspect", [...credentials("key"), "Content-Type: application/json"], `{"token":"${badUtf8}"}`), 200);
  });
  it("JSON 10,000 levels deep is a 400", async () => {
    const arrays = "[".repeat(10_000) + "]".repeat(10_000);
    const objects = '{"a":'.repeat(10_000) + "1" + "}".repeat(10_000);
    const json = ["Content-Type: application/json"];
    await api(request("POST", "/api/v1/auth/register", json, arrays), 400);
    await api(request("POST", "/api/v1/auth/register", json, objects), 400);
    await api(request("PATCH", "/api/v1/me", [...json, ...credentials("bearer")], `{"messageSettings":${arrays}}`), 400);
    await api(request("POST", "/api/v1/admin/users/batch-delete", [...json, ...credentials("bearer")], `{"ids":${arrays}}`), 400);
  });

  const tenMegabytes = Buffer.alloc(10 * 1024 * 1024, "a");
  it("10 MB with a Content-Length: 413, not buffered", () =>
    api(`POST /api/v1/auth/login HTTP/1.1\r\nHost: ${HOST}\r\nContent-Type: application/json\r\nContent-Length: ${tenMegabytes.length}\r\n\r\n`, 413, { upload: tenMegabytes, replies: 1 }));
  it("10 MB chunked: 413, not buffered", () =>
    api(`POST /api/v1/auth/register HTTP/1.1\r\nHost: ${HOST}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${tenMegabytes.length.toString(16)}\r\n`, 413, {
      upload: Buffer.concat([tenMegabytes, Buffer.from("\r\n0\r\n\r\n")]),
      replies: 1,
    }));
  it("an import over 10 MB: 413", () =>
    api(
      `POST /api/v1/admin/users/import HTTP/1.1\r\nHost: ${HOST}\r\nAuthorization: Bearer ${token}\r\nContent-Type: text/csv\r\nContent-Length: ${tenMegabytes.length + 1024}\r\n\r\n`,
      413,
      { upload: tenMegabytes, replies: 1 },
    ));
  it("a 2 MB form post: a 413 page", () =>
    page(`POST /login HTTP/1.1\r\nHost: ${HOST}\r\n${ORIGIN}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${2 * 1024 * 1024}\r\n\r\n`, 413, {
      upload: tenMegabytes.subarray(0, 2 * 1024 * 1024),
      replies: 1,
    }));
});

describe("message framing", () => {
  const creds = '{"login":"nobody","password":"not the password"}';
  const post = (headers: string[], body: string) => message("POST /api/v1/auth/login HTTP/1.1", [`Host: ${HOST}`, "Content-Type: application/json", ...headers, "Connection: close"], body);
  it("a chunked body, with extensions and a trailer", async () => {
    const chunked = `5\r\n${creds.slice(0, 5)}\r\n${(creds.length - 5).toString(16)};ext="1"\r\n${creds.slice(5)}\r\n0\r\nX-Trailer: 1\r\n\r\n`;
    await api(post(["Transfer-Encoding: chunked"], chunked));
  });
  it("a request written in pieces", () => api(request("POST", "/api/v1/auth/login", ["Content-Type: application/json"], creds), undefined, { pieces: 6 }));
  it("Expect: 100-continue gets 100, then the answer", async () => {
    const x = await send(post(["Expect: 100-continue", `Content-Length: ${creds.length}`], creds));
    expect(x.replies[0]?.status).toBe(100);
    expectApi(only(x));
  });
  it("a body over 10 MB behind Expect: 100-continue gets its 413 before it is asked for, with no 100", async () => {
    const x = await send(post(["Expect: 100-continue", `Content-Length: ${10 * 1024 * 1024 + 1}`], ""));
    expect(x.timedOut).toBe(false);
    expect(x.replies.map((r) => r.status)).toEqual([413]);
    expectApi(x.replies[0]!, 413);
  });
  it("an unknown expectation is refused with a 417 problem", async () => {
    const x = await send(post(["Expect: teapot", `Content-Length: ${creds.length}`], creds));
    expectRefused(x);
    expectApi(only(x), 417);
  });
  it.each([
    ["two Content-Lengths", [`Content-Length: ${creds.length}`, "Content-Length: 5"]],
    ["two equal Content-Lengths", [`Content-Length: ${creds.length}`, `Content-Length: ${creds.length}`]],
    ["a Content-Length list", [`Content-Length: ${creds.length}, ${creds.length}`]],
    ["a negative Content-Length", ["Content-Length: -1"]],
    ["a Content-Length past 2^53", ["Content-Length: 99999999999999999999"]],
    ["Transfer-Encoding and Content-Length", ["Transfer-Encoding: chunked", `Content-Length: ${creds.length}`]],
    ["an obs-fold", ["X-Folded: a", "  b", `Content-Length: ${creds.length}`]],
    ["a NUL in a value", ["X-Nul: a\x00b", `Content-Length: ${creds.length}`]],
    ["a space before the colon", ["X-Space : a", `Content-Length: ${creds.length}`]],
  ])("%s is refused", async (_, headers) => expectRefused(await send(post(headers, creds))));
  it("bare LF line ends are refused", async () => expectRefused(await send(`GET /api/v1/server HTTP/1.1\nHost: ${HOST}\nConnection: close\n\n`)));

  it.each([
    ["X-Custom", `X-Custom: ${utf8("山田")}\xff\x80`],
    ["User-Agent", `User-Agent: ${utf8("ブラウザ")}\xff`],
    ["X-Request-Id (echoed back)", `X-Request-Id: ${utf8("要求")}\xfe`],
    ["Accept-Language", `Accept-Language: ${utf8("日本語")}\xff`],
    ["Referer", `Referer: http://${utf8("例え")}.test/\xff`],
  ])("UTF-8 and stray bytes in %s", async (_, header) => {
    await api(request("GET", "/api/v1/server", [header]), 200);
    await page(request("GET", "/login", [header]), 200);
    await api(request("POST", "/api/v1/auth/login", [header, "Content-Type: application/json"], creds));
  });
});
