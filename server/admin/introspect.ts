import { z } from "zod";
import type { Deps } from "../deps.js";
import type { Account } from "../db/schema.js";
import { validateSessionToken } from "../auth/sessions.js";
import { adminScope, inScope } from "./access.js";

/** RFC 7662's request: the token, and a hint of its type that Roster does not need (it has one kind). */
export const introspectSchema = z.object({ token: z.string(), token_type_hint: z.string().optional() });

/**
 * RFC 7662 token introspection for the chat server. The caller is an API
 * key's account: an admin's key sees tokens of its organization only, an
 * owner's key all. Anything else, including tokens of disabled or deleted
 * accounts and of sessions that must change their password first, is
 * `{active:false}` and nothing more.
 */
export function introspect(deps: Pick<Deps, "db" | "clock">, caller: Account, token: unknown) {
  const scope = adminScope(caller);
  if (typeof token !== "string" || token.length === 0 || token.length > 200) return { active: false as const };
  const v = validateSessionToken(deps, token);
  if (!v || !inScope(scope, v.account)) return { active: false as const };
  // A session whose password must be changed first reaches only that change in Roster (app.ts):
  // it is no token for the chat either, until the person has chosen their own password.
  if (v.account.mustChangePassword) return { active: false as const };
  const a = v.account;
  return {
    active: true as const,
    sub: a.id,
    username: a.userId,
    type: a.type,
    organization: a.organizationId ? { id: a.organizationId, name: v.organizationName ?? "" } : null,
    exp: Math.floor(v.session.expiresAt.getTime() / 1000),
    iat: Math.floor(v.session.createdAt.getTime() / 1000),
    token_type: "Bearer",
    nickname: a.nickname,
    email: a.email,
  };
}
