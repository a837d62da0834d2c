import type { Context } from "hono";
import { generateCookie, setCookie } from "hono/cookie";
import type { CookieOptions } from "hono/utils/cookie";
import { nodeResponse } from "./node-response.js";

/**
 * Every cookie Roster sets goes through here (a lint rule keeps it so). Under the
 * real server the Set-Cookie line goes straight onto Node's response, which
 * merges it into the head it writes: hono then answers with its light
 * response, with no Headers object built for one header. That was about a
 * seventh of the main thread's work for an API log in. Since no cookie is
 * ever set through hono, the route's own headers never replace it.
 */
export function writeCookie(c: Context, name: string, value: string, opts: CookieOptions): void {
  const out = nodeResponse(c);
  if (out) out.appendHeader("set-cookie", generateCookie(name, value, { path: "/", ...opts }));
  else setCookie(c, name, value, opts);
}

/** Tells the browser to drop the cookie (as hono's deleteCookie does: empty, Max-Age=0). */
export function clearCookie(c: Context, name: string, opts: CookieOptions): void {
  writeCookie(c, name, "", { ...opts, maxAge: 0 });
}
