import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { getCookie } from "hono/cookie";
import { csrf } from "hono/csrf";
import { HTTPException } from "hono/http-exception";
import type { Deps } from "./deps.js";
import { AppError, errorCode, isAppError } from "./errors.js";
import { fromAcceptLanguage, toLang, type Lang } from "./i18n/index.js";
import { isMigrated } from "./db/client.js";
import { loadAuth, type ApiKeyValidator } from "./http/auth.js";
import { SESSION_COOKIE } from "./auth/sessions.js";
import { clientIp } from "./http/client-ip.js";
import { storageProblem, type AppEnv, type Ctx } from "./http/context.js";
import { BODY_LIMITS, type NodeEnv } from "./http/listener.js";
import { accessLogger, loggedPath } from "./log.js";
import { api } from "./http/api/index.js";
import { problem } from "./http/api/respond.js";
import { pages, renderErrorPage } from "./http/pages/index.js";
import { go } from "./http/pages/render.js";
import { staticFiles } from "./http/static.js";
import { nodeResponse } from "./http/node-response.js";
import { apiDocs } from "./http/docs.js";
import { validateApiKey } from "./admin/api-keys.js";
import { routePath } from "hono/route";
import { allowList } from "./allow-list.js";
import { PROBE_PATHS } from "./probes.js";

export const LANG_COOKIE = "roster_lang";
const isApi = (path: string) => path.startsWith("/api/");
/** JSON answers; /api/docs is a page. */
const isJsonApi = (path: string) => path.startsWith("/api/v1/") || path === "/api/openapi.json";

export interface AppOptions {
  validateApiKey?: ApiKeyValidator;
}

function pickLang(c: Ctx): Lang {
  const chosen = getCookie(c, LANG_COOKIE);
  if (chosen === "en" || chosen === "ja") return chosen;
  return fromAcceptLanguage(c.req.header("accept-language"));
}

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: https: http:",
  "connect-src 'self'",
  "font-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join("; ");

/**
 * The headers every page carries (SPEC §6), built once. JSON answers get the
 * short set OWASP gives for APIs: nothing may run, frame or sniff them, and
 * nothing caches them.
 */
export function securityHeaders(https: boolean): { page: [string, string][]; api: [string, string][] } {
  const hsts: [string, string][] = https ? [["strict-transport-security", "max-age=31536000"]] : [];
  const page: [string, string][] = [
    ["content-security-policy", CSP],
    ["x-frame-options", "DENY"],
    ["x-content-type-options", "nosniff"],
    ["referrer-policy", "same-origin"],
    ["cross-origin-opener-policy", "same-origin"],
    ["cross-origin-resource-policy", "same-origin"],
    ["origin-agent-cluster", "?1"],
    ["x-dns-prefetch-control", "off"],
    ["x-download-options", "noopen"],
    ["x-permitted-cross-domain-policies", "none"],
    ["x-xss-protection", "0"],
    ...hsts,
  ];
  const api: [string, string][] = [
    ["content-security-policy", "default-src 'none'; frame-ancestors 'none'"],
    ["x-content-type-options", "nosniff"],
    ["x-frame-options", "DENY"],
    ["referrer-policy", "no-referrer"],
    ["cache-control", "no-store"],
    ...hsts,
  ];
  return { page, api };
}

/**
 * What a session whose password must be changed still reaches: its account
 * (page and API) and the password change, logging in and out, the language
 * switch, the mailed confirmation and reset links, and what needs no account.
 */
const openBeforePasswordChange =
  /^\/(account(\/.*)?|login|logout|lang\/.*|verify-email|reset-password|forgot-password|static\/.*|healthz|readyz|metrics|api\/docs|api\/openapi\.json|api\/v1\/(me|me\/password|server|auth\/.*))$/;

/** Maps any thrown value to the AppError a client may see; logs what was not expected. */
function toAppError(c: Ctx, err: unknown): AppError {
  if (isAppError(err)) return err;
  if (err instanceof HTTPException) {
    if (err.status === 413) return new AppError("payload_too_large");
    if (err.status === 403) return new AppError("forbidden", undefined, undefined, "The request came from another site (CSRF check).");
    if (err.status === 400) return new AppError("validation_failed");
    if (err.status === 404) return new AppError("not_found");
  }
  // The client stopped sending its body (closed the connection, broke the chunking): its mistake.
  if (bodyBrokeOff(c, err)) return new AppError("validation_failed", undefined, undefined, "The request body ended early.");
  const storage = storageProblem(c, err);
  if (storage) return storage;
  c.get("deps").log.error({ err, path: loggedPath(c.req.path, routePath(c) || "unmatched"), method: c.req.method, requestId: c.get("requestId") }, "unexpected error");
  return new AppError("internal_error");
}

/** Node's side of the request (absent under app.request in tests). */
const nodeEnv = (c: Ctx): Partial<NodeEnv> => (c.env as Partial<NodeEnv> | undefined) ?? {};

/**
 * Whether `err` is the request's body breaking off: the client closed the
 * connection or broke the chunking before the body was whole. Only an error
 * of that stream counts; any other error on such a request is still ours.
 */
function bodyBrokeOff(c: Ctx, err: unknown): boolean {
  const incoming = nodeEnv(c).incoming;
  if (!incoming || incoming.complete || !(incoming.destroyed || incoming.errored)) return false;
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    const code = errorCode(e);
    if (e === incoming.errored || code === "ECONNRESET" || code === "ERR_STREAM_PREMATURE_CLOSE" || e.message === "aborted") return true;
  }
  return false;
}

/** Middleware and routes; nothing else. */
export function createApp(deps: Deps, opts: AppOptions = {}) {
  const app = new Hono<AppEnv>();

  // One middleware for what every request needs first: its id, language and
  // client address, the security headers (SPEC §6), and afterwards one
  // access-log line (JSON, with the request id) and the request metrics.
  // Nothing here touches the response after the route has made it: that
  // would turn @hono/node-server's light response into a full web Response.
  const headers = securityHeaders(deps.config.secureCookies);
  let nextRequestId = 0;
  const access = accessLogger();
  app.use("*", async (c, next) => {
    const start = performance.now();
    const requestId = c.req.header("x-request-id")?.slice(0, 64) || `${process.pid.toString(36)}-${(nextRequestId++).toString(36)}`;
    const lang = pickLang(c);
    const meta = { ip: clientIp(c, deps.config.trustProxy), userAgent: c.req.header("user-agent")?.slice(0, 500) ?? "", language: lang };
    c.set("deps", deps);
    c.set("requestId", requestId);
    c.set("lang", lang);
    c.set("meta", meta);
    // A route's own headers win (the framed mail HTML at /admin/mail/:id/html sets its own CSP).
    const outgoing = nodeResponse(c);
    const set = isJsonApi(c.req.path) ? headers.api : headers.page;
    if (outgoing) {
      // Node merges these into the head it writes; no Headers object is built for them.
      for (const [name, value] of set) outgoing.setHeader(name, value);
      outgoing.setHeader("x-request-id", requestId);
    } else {
      for (const [name, value] of set) c.header(name, value);
      c.header("x-request-id", requestId);
    }
    await next();
    const seconds = (performance.now() - start) / 1000;
    const route = routePath(c) || "unmatched";
    const status = c.res.status;
    deps.metrics?.observeRequest(c.req.method, route, status, seconds);
    if (!PROBE_PATHS.has(route)) {
      // A request whose target made no URL is logged with the target it sent.
      const bad = nodeEnv(c).badRequest;
      const path = bad ? loggedPath(bad.target.slice(0, 500), "unmatched") : loggedPath(c.req.path, route);
      access(deps.log).info({ requestId, method: c.req.method, path, route, status, ms: Math.round(seconds * 10000) / 10, ip: meta.ip }, "request");
    }
  });

  // A request whose Host header or target made no URL (server/http/listener.ts): a 400 like any
  // other, after the first middleware so it has its headers and its access-log line.
  app.use("*", (c, next) => {
    if (nodeEnv(c).badRequest) throw new AppError("validation_failed", undefined, undefined, "The request's Host header or target is not valid.");
    return next();
  });

  // BODY_LIMITS (listener.ts) by kind of route, refused before the body is read whole.
  // Built once; GET and HEAD skip it, so the hot read path never turns the light request
  // into a full one just to look for a body.
  const tooLarge = () => {
    throw new AppError("payload_too_large");
  };
  const limits = BODY_LIMITS;
  const limiters = {
    imports: bodyLimit({ maxSize: limits.imports, onError: tooLarge }),
    api: bodyLimit({ maxSize: limits.api, onError: tooLarge }),
    page: bodyLimit({ maxSize: limits.page, onError: tooLarge }),
  };
  app.use("*", async (c, next) => {
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    const kind = /\/admin\/users\/import$/.test(c.req.path) ? "imports" : isApi(c.req.path) ? "api" : "page";
    // A declared length is checked from the header alone (Node reads no more than it);
    // only a chunked body is counted as it arrives. Touching the body here would make the
    // light request a full web Request on every POST.
    const length = c.req.header("content-length");
    if (length !== undefined && !c.req.header("transfer-encoding") && /^\d+$/.test(length)) {
      if (Number(length) > limits[kind]) tooLarge();
      return next();
    }
    return limiters[kind](c, next);
  });

  // CSRF (SPEC §6): browsers' state changes must come from our own pages.
  // An API call is at risk only when it carries the session cookie (the one
  // ambient credential); Bearer tokens and API keys are not sent by a
  // browser on its own, and a call with neither has nothing to forge.
  const baseOrigin = new URL(deps.config.baseUrl).origin;
  const csrfCheck = csrf({ origin: (origin, c) => origin === baseOrigin || origin === new URL(c.req.url).origin });
  app.use("*", async (c, next) => {
    if (isApi(c.req.path) && (c.req.header("authorization") || !getCookie(c, SESSION_COOKIE))) return next();
    return csrfCheck(c, next);
  });

  const auth = loadAuth(
    opts.validateApiKey ??
      ((_c, key) => {
        const v = validateApiKey(deps, key);
        return v ? { account: v.account, organizationName: v.organizationName, sessionId: null, via: "api_key", apiKey: v.key } : null;
      }),
  );
  // Scripts and styles need no account, and their answers are public and cached for a year:
  // a session cookie renewed or cleared on one could be kept and replayed by a shared cache.
  app.use("*", (c, next) => (c.req.path.startsWith("/static/") ? next() : auth(c, next)));
  app.use("*", async (c, next) => {
    const auth = c.get("auth");
    const account = auth?.account;
    // What an API key does is its creator's; the audit log also says which key did it.
    if (auth?.apiKey) c.set("meta", { ...c.get("meta"), apiKey: { ...auth.apiKey, accountId: auth.account.id } });
    // A logged-in user's chosen language wins over the browser's, unless they switched on this device.
    if (account && account.language !== c.get("lang") && !getCookie(c, LANG_COOKIE)) {
      c.set("lang", toLang(account.language));
      c.set("meta", { ...c.get("meta"), language: account.language });
    }
    // SPEC §3: an account created with a password must change it at first log in. Until it has,
    // its session reaches only what that takes, in both faces: pages lead to the password form,
    // the API refuses with how to go on. API keys are not sessions.
    if (account?.mustChangePassword && auth?.via !== "api_key" && !openBeforePasswordChange.test(c.req.path)) {
      if (isApi(c.req.path)) throw new AppError("forbidden", undefined, undefined, "Choose a new password first: POST /api/v1/me/password.");
      return go(c, "/account?notice=must_change_password#password");
    }
    await next();
  });

  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", (c) => {
    try {
      deps.db.$client.prepare("SELECT 1").get();
    } catch {
      return c.json({ status: "unavailable", database: false }, 503);
    }
    return isMigrated(deps.db) ? c.json({ status: "ready" }) : c.json({ status: "unavailable", migrations: false }, 503);
  });
  // Prometheus: from ROSTER_METRICS_ALLOW addresses, or with an admin's API key.
  const metricsAllowed = allowList(deps.config.metricsAllow);
  app.get("/metrics", async (c) => {
    if (!deps.metrics) throw new AppError("not_found");
    if (!metricsAllowed(c.get("meta").ip) && c.get("auth")?.via !== "api_key") throw new AppError("forbidden");
    return c.body(await deps.metrics.registry.metrics(), 200, { "content-type": deps.metrics.registry.contentType, "cache-control": "no-store" });
  });
  app.route("/api", apiDocs);
  app.route("/static", staticFiles);
  app.route("/api/v1", api);
  app.route("/", pages);

  app.notFound((c) => {
    const err = new AppError("not_found");
    return isApi(c.req.path) ? problem(c, err) : renderErrorPage(c, err);
  });
  app.onError((err, c) => {
    const e = toAppError(c, err);
    return isApi(c.req.path) ? problem(c, e) : renderErrorPage(c, e);
  });
  return app;
}

export type App = ReturnType<typeof createApp>;
