import { describe, expect, it } from "vitest";
import { credentials, expectApi, expectNothingLogged5xx, expectRefused, expectServerUp, HOST, message, ORIGIN, request, s, send, startHostileServer, troubleLogged } from "./hostile-http.js";

/** Hostile use of connections: pipelined requests, clients that go away, and the server after all that. What every answer must be: e2e/hostile-http.ts. */
startHostileServer();

describe("pipelined requests on one connection", () => {
  const creds = '{"login":"nobody","password":"not the password"}';
  const keep = (method: string, target: string, headers: string[] = [], body?: string) =>
    message(`${method} ${target} HTTP/1.1`, [`Host: ${HOST}`, ...headers, ...(body === undefined ? [] : [`Content-Length: ${body.length}`])], body);
  it("are answered in order", async () => {
    const x = await send(keep("GET", "/healthz") + keep("POST", "/api/v1/auth/login", ["Content-Type: application/json"], creds) + keep("GET", "/api/v1/nope") + request("GET", "/login"));
    expect(x.timedOut).toBe(false);
    expect(x.replies.map((r) => r.status)).toEqual([200, expect.any(Number), 404, 200]);
    expectApi(x.replies[1]!);
    expect(x.replies[1]!.status).toBeGreaterThanOrEqual(400);
  });
  it.each([
    ["an API error whose body was never read", keep("POST", "/api/v1/auth/login", ["Content-Type: text/plain"], "hello")],
    ["a GET with a body", keep("GET", "/api/v1/server", [], "hello")],
    ["a HEAD with a body", keep("HEAD", "/api/v1/server", [], "hello")],
    ["a chunked POST to nowhere", keep("POST", "/api/v1/nope", ["Transfer-Encoding: chunked"]) + "5\r\nhello\r\n0\r\n\r\n"],
    ["a 2 MB body refused with 413", keep("POST", "/api/v1/auth/login", ["Content-Type: application/json", `Content-Length: ${2 * 1024 * 1024}`]) + "a".repeat(2 * 1024 * 1024)],
  ])("after %s, the next request is answered", async (_, first) => {
    const x = await send(first + request("GET", "/healthz"), { heads: [first.startsWith("HEAD"), false] });
    expect(x.timedOut).toBe(false);
    expect(x.replies.map((r) => r.status)).toEqual([expect.any(Number), 200]);
    expect(x.replies[0]!.status).toBeLessThan(500);
  });
  it("a malformed request after a log in does not replace the log in's answer: its 401 comes, then the connection closes", async () => {
    // The log in is answered once the password is hashed; the 400 for what follows was written in its place.
    const wrong = JSON.stringify({ login: "owner", password: "not the password" });
    const x = await send(keep("POST", "/api/v1/auth/login", ["Content-Type: application/json", "X-Forwarded-For: 10.77.0.1"], wrong) + `GET /\x01 HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`);
    expect(x.timedOut).toBe(false);
    expect(x.replies.map((r) => r.status)).toEqual([401]);
    expectApi(x.replies[0]!, 401);
    expect(JSON.parse(x.replies[0]!.body)).toMatchObject({ code: "invalid_credentials" });
    expect(x.replies[0]!.headers.connection).toBe("close");
    expect(x.trailing).toBe("");
  });
  it("fifty at once", async () => {
    const x = await send(keep("GET", "/healthz").repeat(49) + request("GET", "/healthz"));
    expect(x.replies.map((r) => r.status)).toEqual(new Array(50).fill(200));
  });
});

describe("clients that go away", () => {
  // A body that breaks off (the client goes, or Node's parser refuses the body after the headers) rejects the app's body read
  // with "aborted": the client's mistake, a 400, not an "unexpected error" with a stack (toAppError in server/app.ts).
  it("a body that breaks off is not a server error", async () => {
    const from = s.logs.length;
    const login = (headers: string[], body: string) => message("POST /api/v1/auth/login HTTP/1.1", [`Host: ${HOST}`, "Content-Type: application/json", ...headers], body);
    const creds = '{"login":"nobody","password":"not the password"}';
    // Content-Length larger than the body, then FIN: Node answers 400 at once.
    expectRefused(await send(login(["Content-Length: 1000"], '{"login":'), { halfClose: true }));
    // A chunk size that is not hex, and Transfer-Encoding Node does not take: refused after the headers.
    expectRefused(await send(login(["Transfer-Encoding: chunked"], `zz\r\n${creds}\r\n0\r\n\r\n`)));
    expectRefused(await send(login(["Transfer-Encoding: identity"], creds)));
    // Gone mid-body: nobody is left to answer; the server must just let go.
    await send(login(["Content-Length: 1000"], '{"login":'), { abortAfter: 30 });
    await send(login(["Transfer-Encoding: chunked"], '5\r\n{"log\r\n'), { abortAfter: 30 });
    await send(message("POST /api/v1/introspect HTTP/1.1", [`Host: ${HOST}`, ...credentials("key"), "Content-Type: application/x-www-form-urlencoded", "Content-Length: 1000"], "token=ab"), { abortAfter: 30 });
    await send(message("POST /login HTTP/1.1", [`Host: ${HOST}`, ORIGIN, "Content-Type: multipart/form-data; boundary=zz", "Content-Length: 1000"], '--zz\r\nContent-Disposition: form-data; name="login"\r\n\r\nab'), { abortAfter: 30 });
    // Gone before the answer: a log in hashing, an export streaming.
    await send(login([`Content-Length: ${creds.length}`], creds), { abortAfter: 0 });
    await send(request("GET", "/api/v1/admin/users/export?format=json", credentials("bearer")), { abortAfter: 0 });
    await send("POST /api/v1/auth/lo", { abortAfter: 0 });
    await new Promise((r) => setTimeout(r, 300));
    expect(troubleLogged(from).map((l) => `${l.level} ${l.method} ${l.path} ${l.status ?? ""} ${l.msg}`)).toEqual([]);
  });
});

// Every hostile-http file checks this of its own server once it is done (startHostileServer); here it is a test of its own.
describe("after all that", () => {
  it("the server is up, healthy, and wrote no uncaught exception", () => expectServerUp());
  it("no request of the whole run was logged as a 5xx or an unexpected error", () => expectNothingLogged5xx());
});
