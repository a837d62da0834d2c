import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { killChildren, spawnServer, type ServerProcess } from "./process.js";

/**
 * Under the real server, cookies are written straight onto Node's response
 * (server/http/cookies.ts) rather than through hono: what the browser gets
 * must be the same, and no Set-Cookie may replace another.
 */
const PASSWORD = "correct horse battery";
let s: ServerProcess;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), "roster-cookies-"));
  s = await spawnServer(dataDir);
  const r = await fetch(`${s.base}/api/v1/auth/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "owner@acme.test", userId: "owner", password: PASSWORD, organizationName: "Acme" }),
  });
  expect(r.status).toBe(201);
}, 30_000);
afterAll(() => {
  killChildren();
  rmSync(dataDir, { recursive: true, force: true });
});

const logIn = (headers: Record<string, string> = {}) =>
  fetch(`${s.base}/api/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ login: "owner", password: PASSWORD }) });

describe("cookies from the real server", () => {
  it("an API log in sets the session cookie: HttpOnly, SameSite=Lax, Path=/, expiring with the session, beside the security headers", async () => {
    const r = await logIn();
    expect(r.status).toBe(200);
    const body = (await r.json()) as { token: string; expiresAt: string };
    const lines = r.headers.getSetCookie();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(`roster_session=${body.token}; Path=/; Expires=${new Date(body.expiresAt).toUTCString()}; HttpOnly; SameSite=Lax`);
    expect(r.headers.get("x-content-type-options")).toBe("nosniff");
    expect(r.headers.get("cache-control")).toBe("no-store");
    expect(r.headers.get("content-type")).toMatch(/^application\/json/);
    // The cookie works.
    const me = await fetch(`${s.base}/api/v1/me`, { headers: { cookie: `roster_session=${body.token}` } });
    expect(((await me.json()) as { userId: string }).userId).toBe("owner");
  });

  it("logging in with a stale cookie clears it and sets the new one, in that order (the browser keeps the last)", async () => {
    const r = await logIn({ cookie: "roster_session=stale.cookie" });
    expect(r.status).toBe(200);
    const { token } = (await r.json()) as { token: string };
    const lines = r.headers.getSetCookie();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^roster_session=; Max-Age=0; Path=\//);
    expect(lines[1]).toMatch(new RegExp(`^roster_session=${token.replace(".", "\\.")}; Path=/; Expires=`));
  });

  it("a page that sets its own cookie keeps the session cookie's line too (the language switch with a stale session)", async () => {
    const r = await fetch(`${s.base}/lang/ja?next=/login`, { headers: { cookie: "roster_session=stale.cookie" }, redirect: "manual" });
    expect(r.status).toBe(303);
    const lines = r.headers.getSetCookie();
    expect(lines.some((l) => /^roster_session=; Max-Age=0; Path=\//.test(l))).toBe(true);
    expect(lines.some((l) => /^roster_lang=ja; Max-Age=31536000; Path=\/; HttpOnly; SameSite=Lax$/.test(l))).toBe(true);
    expect(r.headers.get("location")).toBe("/login");
  });

  it("scripts and styles, public and cached for a year, never carry a cookie (a shared cache could replay it)", async () => {
    const page = await (await fetch(`${s.base}/login`)).text();
    const css = /\/static\/app\.css\?v=[\w-]+/.exec(page)![0];
    const r = await fetch(`${s.base}${css}`, { headers: { cookie: "roster_session=stale.cookie" } });
    expect(r.status).toBe(200);
    expect(r.headers.get("cache-control")).toMatch(/public/);
    expect(r.headers.getSetCookie()).toEqual([]);
  });
});
