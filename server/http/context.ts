import type { Context } from "hono";
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
}

export interface AppEnv {
  Variables: {
    deps: Deps;
    auth: Auth | null;
    lang: Lang;
    meta: RequestMeta;
    requestId: string;
  };
}

export type Ctx = Context<AppEnv>;
