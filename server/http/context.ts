import type { Context } from "hono";
import { errorCode, storageFailure, type AppError } from "../errors.js";
import type { Deps, RequestMeta } from "../deps.js";
import type { Account } from "../db/schema.js";
import type { Lang } from "../i18n/index.js";

/** Who is behind the request, when anyone is. */
export interface Auth {
  account: Account;
  organizationName: string | null;
  /** The session the request came with; null when an API key authenticated it. */
  sessionId: string | null;
  via: "cookie" | "bearer" | "api_key";
  /** The key, when an API key authenticated the request. */
  apiKey?: { id: string; name: string };
}

export interface AppEnv {
  Variables: {
    deps: Deps;
    auth: Auth | null;
    lang: Lang;
    meta: RequestMeta;
    requestId: string;
    /** A Bearer credential came with the request and was refused (unknown, revoked, expired): RFC 6750's invalid_token. */
    refusedBearer: boolean;
  };
}

export type Ctx = Context<AppEnv>;

/**
 * The 503 for a database that cannot be written (see `storageFailure`), with
 * one log line that names the likely cause for the sysadmin; null for any
 * other error.
 */
export function storageProblem(c: Ctx, err: unknown): AppError | null {
  const problem = storageFailure(err);
  if (problem) {
    c.get("deps").log.error(
      { code: errorCode(err), error: (err as Error).message, path: c.req.path, method: c.req.method, requestId: c.get("requestId") },
      "the database could not be written: is the data volume full or read-only?",
    );
  }
  return problem;
}
