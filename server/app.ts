import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { getCookie } from "hono/cookie";
import { csrf } from "hono/csrf";
import { HTTPException } from "hono/http-exception";
import { secureHeaders } from "hono/secure-headers";
import type { Deps } from "./deps.js";
import { AppError, isAppError } from "./errors.js";
import { fromAcceptLanguage, toLang, type Lang } from "./i18n/index.js";
import { isMigrated } from "./db/client.js";
import { loadAuth, type ApiKeyValidator } from "./http/auth.js";
import { SESSION_COOKIE } from "./auth/sessions.js";
import { clientIp } from "./http/client-ip.js";
import type { AppEnv, Ctx } from "./http/context.js";
import { api } from "./http/api/index.js";
import { problem } from "./http/api/respond.js";
import { pages, renderErrorPage } from "./http/pages/index.js";
import { staticFiles } from "./http/static.js";
import { apiDocs } from "./http/docs.js";
import { validateApiKey } from "./admin/api-keys.js";
import { routePath } from "hono/route";
import { allowList } from "./allow-list.js";

export const LANG_COOKIE = "roster_lang";
const isApi = (path: string) => path.startsWith("/api/");

export interface AppOptions {
  validateApiKey?: ApiKeyValidator;
}

function pickLang(c: Ctx): Lang {
  const chosen = getCookie(c, LANG_COOKIE);
  if (chosen === "en" || chosen === "ja") return chosen;
  return fromAcceptLanguage(c.req.header("accept-language"));
}

/** Maps any thrown value to the AppError a client may see; logs what was not expected. */
function toAppError(c: Ctx, err: unknown): AppError {
  if (isAppError(err)) return err;
  if (err instanceof HTTPException) {
    if (err.status === 413) return new AppError("payload_too_large");
    if (err.status === 403) return new AppError("forbidden", undefined, undefined, "The request came from another site (CSRF check).");
    if (err.status === 400) return new AppError("validation_failed");
    if (err.status === 404) return new AppError("not_found");
  }
  c.var.deps.log.error({ err, path: c.req.path, method: c.req.method, requestId: c.var.requestId }, "unexpected error");
  return new AppError("internal_error");
}

/** Middleware and routes; nothing else. */
export function createApp(deps: Deps, opts: AppOptions = {}) {
  const app = new Hono<AppEnv>();
  let nextRequestId = 0;

  app.use("*", async (c, next) => {
    c.set("deps", deps);
    c.set("requestId", c.req.header("x-request-id")?.slice(0, 64) || `${process.pid.toString(36)}-${(nextRequestId++).toString(36)}`);
    const lang = pickLang(c);
    c.set("lang", lang);
    c.set("meta", { ip: clientIp(c, deps.config.trustProxy), userAgent: c.req.header("user-agent")?.slice(0, 500) ?? "", language: lang });
    await next();
  });

  // One access-log line per request (JSON, with its request id) and the request metrics.
  app.use("*", async (c, next) => {
    const start = performance.now();
    await next();
    const seconds = (performance.now() - start) / 1000;
    c.header("x-request-id", c.var.requestId);
    const route = routePath(c) || "unmatched";
    deps.metrics?.observeRequest(c.req.method, route, c.res.status, seconds);
    if (route !== "/healthz" && route !== "/readyz" && route !== "/metrics") {
      deps.log.info({ requestId: c.var.requestId, method: c.req.method, path: c.req.path, route, status: c.res.status, ms: Math.round(seconds * 10000) / 10, ip: c.var.meta.ip }, "request");
    }
  });

  app.use(
    "*",
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:", "https:", "http:"],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
      xFrameOptions: "DENY",
      referrerPolicy: "same-origin",
      strictTransportSecurity: deps.config.secureCookies ? "max-age=31536000" : false,
      crossOriginEmbedderPolicy: false,
      // A route's own headers win (the framed mail HTML at /admin/mail/:id/html); every other route gets these.
      overwrite: false,
    }),
  );

  // 1 MB for everything but imports (10 MB), refused before it is read whole.
  // Built once; GET and HEAD skip it, so the hot read path never turns the
  // light request into a full one just to look for a body.
  const tooLarge = () => {
    throw new AppError("payload_too_large");
  };
  const smallBodies = bodyLimit({ maxSize: 1024 * 1024, onError: tooLarge });
  const importBodies = bodyLimit({ maxSize: 10 * 1024 * 1024, onError: tooLarge });
  app.use("*", async (c, next) => {
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    return (/\/admin\/users\/import$/.test(c.req.path) ? importBodies : smallBodies)(c, next);
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

  app.use(
    "*",
    loadAuth(
      opts.validateApiKey ??
        ((_c, key) => {
          const v = validateApiKey(deps, key);
          return v ? { account: v.account, organizationName: v.organizationName, sessionId: null, via: "api_key" } : null;
        }),
    ),
  );
  app.use("*", async (c, next) => {
    // A logged-in user's chosen language wins over the browser's, unless they switched on this device.
    const account = c.var.auth?.account;
    if (account && !getCookie(c, LANG_COOKIE)) {
      c.set("lang", toLang(account.language));
      c.set("meta", { ...c.var.meta, language: account.language });
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
    if (!metricsAllowed(c.var.meta.ip) && c.var.auth?.via !== "api_key") throw new AppError("forbidden");
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
