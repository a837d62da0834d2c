import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect } from "vitest";
import { killChildren, spawnServer, type ServerProcess } from "./process.js";
import { sendTo, type Exchange, type Reply, type Send } from "./raw-http.js";

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
 * connection closes. Headers too large get a 431 with a problem body of the same kind.
 */
const PASSWORD = "correct horse battery";
export const HOST = "roster.test";
export let s: ServerProcess;
let port: number;
let dataDir: string;
/** The owner's session token. */
export let token: string;
let apiKey: string;
let stderr = "";

/**
 * The server the calling test file sends its requests to, started once for
 * the file. When the file is done, what "after all that" checks is checked of
 * it too: each hostile-http file runs its own server, and none may leave it
 * down, or with an uncaught exception or a 5xx in its log.
 */
export function startHostileServer(): void {
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
  afterAll(async () => {
    try {
      if (s) {
        await expectServerUp();
        expectNothingLogged5xx();
      }
    } finally {
      killChildren();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
}

/** Writes `data` (a latin1 string: one char a byte) and collects what comes back until the server closes. */
export const send = (data: string | Buffer, o: Send = {}): Promise<Exchange> => sendTo(port, data, o);

export const utf8 = (text: string) => Buffer.from(text, "utf8").toString("latin1");
/** A request exactly as given: request line, header lines, body. */
export const message = (line: string, headers: string[], body = "") => `${line}\r\n${headers.map((h) => `${h}\r\n`).join("")}\r\n${body}`;
/** A request with Host, Content-Length when it has a body, and Connection: close. */
export const request = (method: string, target: string, headers: string[] = [], body?: string) =>
  message(`${method} ${target} HTTP/1.1`, [`Host: ${HOST}`, ...headers, ...(body === undefined ? [] : [`Content-Length: ${body.length}`]), "Connection: close"], body);

export type Who = "none" | "bearer" | "cookie" | "key";
export const credentials = (who: Who): string[] =>
  who === "bearer" ? [`Authorization: Bearer ${token}`] : who === "cookie" ? [`Cookie: roster_session=${token}`] : who === "key" ? [`Authorization: Bearer ${apiKey}`] : [];
/** Same-origin, as a browser's form post is (the CSRF check wants it). */
export const ORIGIN = `Origin: http://${HOST}`;

// ---- what a user may see ----------------------------------------------------------------------

const LEAK = /\n\s+at |node:internal|node_modules|\.tsx?:\d+|^Error: /m;

/** The one final reply: in time, below 500, with no stack trace in it. */
export function only(x: Exchange): Reply {
  expect(x.timedOut, "answered and closed in time").toBe(false);
  const finals = x.replies.filter((r) => r.status >= 200);
  expect(finals.map((r) => r.status)).toHaveLength(1);
  const r = finals[0]!;
  expect(r.status).toBeLessThan(500);
  expect(r.body).not.toMatch(LEAK);
  return r;
}

/** An API answer: an error is problem+json with its code. */
export function expectApi(r: Reply, status?: number): void {
  if (status !== undefined) expect(r.status).toBe(status);
  if (r.status < 400) return;
  expect(r.headers["content-type"] ?? "(no content type)", `the ${r.status}'s content type`).toMatch(/^application\/problem\+json/);
  if (r.body) expect(JSON.parse(r.body)).toMatchObject({ status: r.status, code: expect.any(String) });
}

/** A page answer: HTML in the layout, or a redirect within the site. */
export function expectPage(r: Reply, status?: number): void {
  if (status !== undefined) expect(r.status).toBe(status);
  if (r.status >= 300 && r.status < 400) {
    expect(r.headers.location).toMatch(/^\/(?!\/)/);
    return;
  }
  expect(r.headers["content-type"] ?? "(no content type)", `the ${r.status}'s content type`).toMatch(/^text\/html/);
  if (r.body) expect(r.body).toMatch(/^<!DOCTYPE html>/i);
}

/** Refused by Node's parser (or dropped): at most one 4xx, a problem when it is a 400, then the connection closes. */
export function expectRefused(x: Exchange): void {
  expect(x.timedOut, "closed in time").toBe(false);
  expect(x.replies.length).toBeLessThanOrEqual(1);
  for (const r of x.replies) {
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(r.body).not.toMatch(LEAK);
    // Every refusal is a problem, with its own status in it (431 for headers too large).
    expect(r.headers["content-type"]).toBe("application/problem+json");
    expect(JSON.parse(r.body)).toMatchObject({ status: r.status, code: r.status === 413 ? "payload_too_large" : "validation_failed" });
  }
}

export const api = async (raw: string | Buffer, status?: number, o?: Send) => expectApi(only(await send(raw, o)), status);
export const page = async (raw: string | Buffer, status?: number, o?: Send) => expectPage(only(await send(raw, o)), status);

/** The server's log lines from `from` on that are a 5xx answer or an unexpected error (level 50 and up). */
export const troubleLogged = (from = 0) => s.logs.slice(from).filter((l) => (l.level as number) >= 50 || (l.msg === "request" && (l.status as number) >= 500));

/** The server is up, healthy, and wrote no uncaught exception. */
export async function expectServerUp(): Promise<void> {
  await api(request("GET", "/healthz"), 200);
  expect(s.proc.exitCode).toBeNull();
  expect(stderr).not.toMatch(/uncaught|unhandled|Error|\n\s+at /i);
}

/** No request of the file's whole run was logged as a 5xx or an unexpected error. */
export function expectNothingLogged5xx(): void {
  expect(troubleLogged().map((l) => `${l.method} ${l.path} ${l.status ?? ""} ${l.msg}`)).toEqual([]);
}
