import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { killChildren, spawnServer, type ServerProcess } from "./process.js";

/**
 * Malformed and hostile HTTP sent to the real server over raw TCP sockets, so
 * Node's HTTP parser and @hono/node-server's request and response adaptation
 * are in the way (the in-process hostile tests go around both). Whatever
 * arrives, the server answers no 5xx, leaves no connection hanging, shows no
 * stack trace and stays up; API errors are problem+json, pages are pages.
 *
 * What Node's own parser refuses (broken framing, bytes no HTTP/1.1 message may
 * hold) never reaches the app, and its framing cannot be trusted to tell which
 * face it meant: a problem+json 400 (server/http/listener.ts), then the
 * connection closes. Headers too large (431) keep Node's bare answer.
 */
const PASSWORD = "correct horse battery";
const HOST = "roster.test";
let s: ServerProcess;
let port: number;
let dataDir: string;
let token: string;
let apiKey: string;
let stderr = "";

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), "roster-hostile-http-"));
  // Behind a proxy, X-Forwarded-For becomes the client address: its garbage reaches the throttles and the audit log.
  s = await spawnServer(dataDir, { ROSTER_MAIL_TRANSPORT: "capture", ROSTER_TRUST_PROXY: "true" });
  s.proc.stderr!.on("data", (d: Buffer) => void (stderr += d.toString()));
  port = Number(new URL(s.base).port);
  const post = (p: string, body: unknown, bearer?: string) =>
    fetch(`${s.base}${p}`, { method: "POST", headers: { "content-type": "application/json", ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) }, body: JSON.stringify(body) });
  expect((await post("/api/v1/auth/register", { email: "owner@acme.test", userId: "owner", password: PASSWORD, organizationName: "Acme" })).status).toBe(201);
  token = ((await (await post("/api/v1/auth/login", { login: "owner", password: PASSWORD })).json()) as { token: string }).token;
  apiKey = ((await (await post("/api/v1/admin/api-keys", { name: "hostile" }, token)).json()) as { key: string }).key;
}, 30_000);
afterAll(() => {
  killChildren();
  rmSync(dataDir, { recursive: true, force: true });
});

// ---- raw HTTP/1.1 over a socket -------------------------------------------------------------

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}
interface Exchange {
  replies: Reply[];
  /** Bytes after the last whole reply (a body sent to a HEAD would land here). */
  trailing: string;
  /** The server neither answered nor closed the connection in time. */
  timedOut: boolean;
}

/** The replies in `buf`; `heads[i]`: the i-th final reply answers a HEAD (no body). */
function parseReplies(buf: Buffer, heads: boolean[] = []): { replies: Reply[]; rest: Buffer } {
  const replies: Reply[] = [];
  let at = 0;
  let finals = 0;
  for (;;) {
    const end = buf.indexOf("\r\n\r\n", at);
    const m = end < 0 ? null : /^HTTP\/1\.[01] (\d{3})/.exec(buf.subarray(at, end).toString("latin1"));
    if (!m) break;
    const status = Number(m[1]);
    const headers: Record<string, string> = {};
    for (const line of buf.subarray(at, end).toString("latin1").split("\r\n").slice(1)) {
      const i = line.indexOf(":");
      const k = line.slice(0, i).trim().toLowerCase();
      const v = line.slice(i + 1).trim();
      headers[k] = k in headers ? `${headers[k]}, ${v}` : v;
    }
    let p = end + 4;
    let body: Buffer = Buffer.alloc(0);
    if (!(status < 200 || status === 204 || status === 304 || heads[finals])) {
      if (/chunked/i.test(headers["transfer-encoding"] ?? "")) {
        const parts: Buffer[] = [];
        for (;;) {
          const eol = buf.indexOf("\r\n", p);
          if (eol < 0) return { replies, rest: buf.subarray(at) };
          const size = parseInt(buf.subarray(p, eol).toString("latin1"), 16);
          if (size === 0) {
            const last = buf.indexOf("\r\n\r\n", eol);
            if (last < 0) return { replies, rest: buf.subarray(at) };
            p = last + 4;
            break;
          }
          if (buf.length < eol + 2 + size + 2) return { replies, rest: buf.subarray(at) };
          parts.push(buf.subarray(eol + 2, eol + 2 + size));
          p = eol + 2 + size + 2;
        }
        body = Buffer.concat(parts);
      } else if (headers["content-length"] !== undefined) {
        const n = Number(headers["content-length"]);
        if (buf.length < p + n) break;
        body = buf.subarray(p, p + n);
        p += n;
      } else {
        body = buf.subarray(p);
        p = buf.length;
      }
    }
    replies.push({ status, headers, body: body.toString("utf8") });
    if (status >= 200) finals++;
    at = p;
  }
  return { replies, rest: buf.subarray(at) };
}

interface Send {
  heads?: boolean[];
  /** Stop once this many final replies are in (for keep-alive connections). */
  replies?: number;
  /** Written after `data` in 64 KB slices, until the server starts answering. */
  upload?: Buffer;
  /** `data` in this many pieces, 10 ms apart. */
  pieces?: number;
  /** Half-close (FIN) once everything is written. */
  halfClose?: boolean;
  /** Drop the connection this many ms after writing, without reading. */
  abortAfter?: number;
  ms?: number;
}

/** Writes `data` (a latin1 string: one char a byte) and collects what comes back until the server closes. */
function send(data: string | Buffer, o: Send = {}): Promise<Exchange> {
  const bytes = typeof data === "string" ? Buffer.from(data, "latin1") : data;
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (timedOut: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const { replies, rest } = parseReplies(Buffer.concat(chunks), o.heads);
      resolve({ replies, trailing: rest.toString("latin1"), timedOut });
    };
    const timer = setTimeout(() => finish(o.abortAfter === undefined), o.abortAfter ?? o.ms ?? 3000);
    socket.on("data", (d: Buffer) => {
      chunks.push(d);
      if (o.replies !== undefined && parseReplies(Buffer.concat(chunks), o.heads).replies.filter((r) => r.status >= 200).length >= o.replies) finish(false);
    });
    // The server may close while we still write (a refused upload): what it answered is still read.
    socket.on("error", () => {});
    socket.on("close", () => finish(false));
    void (async () => {
      const n = o.pieces ?? 1;
      for (let i = 0; i < n; i++) {
        socket.write(bytes.subarray(Math.floor((i * bytes.length) / n), Math.floor(((i + 1) * bytes.length) / n)));
        if (i < n - 1) await new Promise((r) => setTimeout(r, 10));
      }
      for (let i = 0; o.upload && i < o.upload.length && chunks.length === 0 && !socket.destroyed; i += 64 * 1024) {
        if (!socket.write(o.upload.subarray(i, i + 64 * 1024))) await new Promise((r) => (socket.once("drain", r), socket.once("close", r)));
      }
      if (o.halfClose) socket.end();
    })();
  });
}

const utf8 = (text: string) => Buffer.from(text, "utf8").toString("latin1");
/** A request exactly as given: request line, header lines, body. */
const message = (line: string, headers: string[], body = "") => `${line}\r\n${headers.map((h) => `${h}\r\n`).join("")}\r\n${body}`;
/** A request with Host, Content-Length when it has a body, and Connection: close. */
const request = (method: string, target: string, headers: string[] = [], body?: string) =>
  message(`${method} ${target} HTTP/1.1`, [`Host: ${HOST}`, ...headers, ...(body === undefined ? [] : [`Content-Length: ${body.length}`]), "Connection: close"], body);

type Who = "none" | "bearer" | "cookie" | "key";
const credentials = (who: Who): string[] =>
  who === "bearer" ? [`Authorization: Bearer ${token}`] : who === "cookie" ? [`Cookie: roster_session=${token}`] : who === "key" ? [`Authorization: Bearer ${apiKey}`] : [];
/** Same-origin, as a browser's form post is (the CSRF check wants it). */
const ORIGIN = `Origin: http://${HOST}`;

// ---- what a user may see ----------------------------------------------------------------------

const LEAK = /\n\s+at |node:internal|node_modules|\.tsx?:\d+|^Error: /m;

/** The one final reply: in time, below 500, with no stack trace in it. */
function only(x: Exchange): Reply {
  expect(x.timedOut, "answered and closed in time").toBe(false);
  const finals = x.replies.filter((r) => r.status >= 200);
  expect(finals.map((r) => r.status)).toHaveLength(1);
  const r = finals[0]!;
  expect(r.status).toBeLessThan(500);
  expect(r.body).not.toMatch(LEAK);
  return r;
}

/** An API answer: an error is problem+json with its code. */
function expectApi(r: Reply, status?: number): void {
  if (status !== undefined) expect(r.status).toBe(status);
  if (r.status < 400) return;
  expect(r.headers["content-type"] ?? "(no content type)", `the ${r.status}'s content type`).toMatch(/^application\/problem\+json/);
  if (r.body) expect(JSON.parse(r.body)).toMatchObject({ status: r.status, code: expect.any(String) });
}

/** A page answer: HTML in the layout, or a redirect within the site. */
function expectPage(r: Reply, status?: number): void {
  if (status !== undefined) expect(r.status).toBe(status);
  if (r.status >= 300 && r.status < 400) {
    expect(r.headers.location).toMatch(/^\/(?!\/)/);
    return;
  }
  expect(r.headers["content-type"] ?? "(no content type)", `the ${r.status}'s content type`).toMatch(/^text\/html/);
  if (r.body) expect(r.body).toMatch(/^<!DOCTYPE html>/i);
}

/** Refused by Node's parser (or dropped): at most one 4xx, a problem when it is a 400, then the connection closes. */
function expectRefused(x: Exchange): void {
  expect(x.timedOut, "closed in time").toBe(false);
  expect(x.replies.length).toBeLessThanOrEqual(1);
  for (const r of x.replies) {
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(r.body).not.toMatch(LEAK);
    if (r.status === 400) {
      expect(r.headers["content-type"]).toBe("application/problem+json");
      expect(JSON.parse(r.body)).toMatchObject({ status: 400, code: "validation_failed" });
    }
  }
}

const api = async (raw: string | Buffer, status?: number, o?: Send) => expectApi(only(await send(raw, o)), status);
const page = async (raw: string | Buffer, status?: number, o?: Send) => expectPage(only(await send(raw, o)), status);

// ---- the cases -------------------------------------------------------------------------------

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
    const bad = s.logs.slice(from).filter((l) => (l.level as number) >= 50 || (l.msg === "request" && (l.status as number) >= 500));
    expect(bad.map((l) => `${l.level} ${l.method} ${l.path} ${l.status ?? ""} ${l.msg}`)).toEqual([]);
  });
});

describe("after all that", () => {
  it("the server is up, healthy, and wrote no uncaught exception", async () => {
    await api(request("GET", "/healthz"), 200);
    expect(s.proc.exitCode).toBeNull();
    expect(stderr).not.toMatch(/uncaught|unhandled|Error|\n\s+at /i);
  });
  it("no request of the whole run was logged as a 5xx or an unexpected error", () => {
    const bad = s.logs.filter((l) => (l.level as number) >= 50 || (l.msg === "request" && (l.status as number) >= 500));
    expect(bad.map((l) => `${l.method} ${l.path} ${l.status ?? ""} ${l.msg}`)).toEqual([]);
  });
});
