import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { clearCookie, writeCookie } from "./cookies.js";
import { AppError } from "../errors.js";
import { SESSION_COOKIE, validateSessionToken } from "../auth/sessions.js";
import type { AppEnv, Auth, Ctx } from "./context.js";

/** Bearer API keys start with this; the admin API-key service (issue 3) validates them. */
export const API_KEY_PREFIX = "rk_";

export type ApiKeyValidator = (c: Ctx, key: string) => Auth | null;

/**
 * Finds who is behind the request: a Bearer token (session or API key) or
 * the session cookie. One indexed read; nothing is written unless the
 * session's expiry is due to slide (at most hourly).
 */
export function loadAuth(validateApiKey?: ApiKeyValidator): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const deps = c.get("deps");
    const header = c.req.header("authorization");
    let auth: Auth | null = null;
    if (header) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
      const token = m?.[1];
      if (token?.startsWith(API_KEY_PREFIX)) auth = validateApiKey?.(c, token) ?? null;
      else if (token) {
        const v = validateSessionToken(deps, token);
        if (v) auth = { account: v.account, organizationName: v.organizationName, sessionId: v.session.id, via: "bearer" };
      }
    } else {
      const token = getCookie(c, SESSION_COOKIE);
      if (token) {
        const v = validateSessionToken(deps, token);
        if (v) {
          auth = { account: v.account, organizationName: v.organizationName, sessionId: v.session.id, via: "cookie" };
          // The browser drops the cookie at its own Expires: move it with the session's.
          if (v.extended) setSessionCookie(c, token, v.session.expiresAt, deps.config.secureCookies);
        } else clearCookie(c, SESSION_COOKIE, { path: "/" });
      }
    }
    c.set("auth", auth);
    if (header && !auth && /^bearer\s/i.test(header)) c.set("refusedBearer", true);
    await next();
  };
}

/** The authenticated user of a session (cookie or Bearer), or `unauthenticated`. */
export function requireUser(c: Ctx): Auth & { sessionId: string } {
  const auth = c.get("auth");
  if (!auth || !auth.sessionId) throw new AppError("unauthenticated");
  return auth as Auth & { sessionId: string };
}

export function setSessionCookie(c: Context, token: string, expiresAt: Date, secure: boolean): void {
  writeCookie(c, SESSION_COOKIE, token, { httpOnly: true, sameSite: "Lax", path: "/", secure, expires: expiresAt });
}

export function clearSessionCookie(c: Context, secure: boolean): void {
  clearCookie(c, SESSION_COOKIE, { path: "/", secure, httpOnly: true, sameSite: "Lax" });
}
