import { desc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { MINUTE } from "../clock.js";
import type { Deps, RequestMeta } from "../deps.js";
import { accounts, apiKeys, organizations, type Account } from "../db/schema.js";
import { AppError, unlessStorageFails } from "../errors.js";
import { generateSecret, hashSecret, sameHash } from "../auth/tokens.js";
import { parseInput, textField } from "../accounts/fields.js";
import { audit } from "./audit.js";
import { adminScope, assertChangeable, isAdminType, ref } from "./access.js";

/** `rk_<id>_<secret>`: the id finds the row, the secret is compared by hash in constant time. */
export const API_KEY_PREFIX = "rk_";

export const createSchema = z.object({ name: textField("field.tooLong", { min: 1, max: 100, empty: "field.required" }) });

/**
 * `active`: whether the key works now. It acts with its creator's rights, so while they are not an
 * active admin or owner (demoted, disabled) it is refused, and it works again when they are.
 * `revocable`: whether the one asking may revoke it (an owner's key only an owner may).
 */
const presentKey = (k: typeof apiKeys.$inferSelect, creator: Pick<Account, "userId" | "type" | "status"> | undefined, revocable: boolean) => ({
  id: k.id,
  name: k.name,
  createdBy: creator?.userId ?? null,
  createdAt: k.createdAt.toISOString(),
  lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
  active: creator !== undefined && creator.status === "active" && isAdminType(creator.type),
  revocable,
});

/** Creates a key acting with the creator's rights. The key is returned once and never stored. */
export function createApiKey(deps: Deps, actor: Account, input: unknown, meta: RequestMeta) {
  adminScope(actor);
  const { name } = parseInput(createSchema, input);
  const id = generateSecret(10);
  const secret = generateSecret(20);
  const row = { id, name, accountId: actor.id, secretHash: hashSecret(secret), createdAt: deps.clock.now(), lastUsedAt: null };
  deps.db.transaction((tx) => {
    tx.insert(apiKeys).values(row).run();
    audit(tx, deps, { action: "admin.api_key_created", actor: ref(actor), organizationId: actor.organizationId, from: meta, detail: { keyId: id, name } });
  });
  return { ...presentKey(row, actor, true), key: `${API_KEY_PREFIX}${id}_${secret}` };
}

/** Keys of the caller's organization (an owner: all). */
export function listApiKeys(deps: Pick<Deps, "db">, actor: Account) {
  const scope = adminScope(actor);
  const rows = deps.db
    .select({ key: apiKeys, userId: accounts.userId, type: accounts.type, status: accounts.status })
    .from(apiKeys)
    .innerJoin(accounts, eq(accounts.id, apiKeys.accountId))
    .where(scope.organizationId ? eq(accounts.organizationId, scope.organizationId) : undefined)
    .orderBy(desc(apiKeys.createdAt))
    .all();
  return rows.map((r) => presentKey(r.key, r, scope.isOwner || r.type !== "owner"));
}

export function revokeApiKey(deps: Deps, actor: Account, id: string, meta: RequestMeta): void {
  const scope = adminScope(actor);
  deps.db.transaction((tx) => {
    const row = tx.select({ key: apiKeys, org: accounts.organizationId, type: accounts.type }).from(apiKeys).innerJoin(accounts, eq(accounts.id, apiKeys.accountId)).where(eq(apiKeys.id, id)).get();
    if (!row || (scope.organizationId && row.org !== scope.organizationId)) throw new AppError("not_found");
    // An owner's key is the owner's: only an owner revokes it (SPEC §2).
    assertChangeable(scope, row);
    tx.delete(apiKeys).where(eq(apiKeys.id, id)).run();
    audit(tx, deps, { action: "admin.api_key_revoked", actor: ref(actor), organizationId: row.org, from: meta, detail: { keyId: id, name: row.key.name } });
  });
}

function prepareKeyLookup(deps: Pick<Deps, "db">) {
  return deps.db
    .select({ key: apiKeys, account: accounts, organizationName: organizations.name })
    .from(apiKeys)
    .innerJoin(accounts, eq(accounts.id, apiKeys.accountId))
    .leftJoin(organizations, eq(organizations.id, accounts.organizationId))
    .where(eq(apiKeys.id, sql.placeholder("id")))
    .prepare();
}

/** One prepared statement per database: every introspection call authenticates with a key, so this is the chat server's hot path. */
const keyLookups = new WeakMap<object, ReturnType<typeof prepareKeyLookup>>();

/**
 * The account a presented key acts as, or null. A key whose creator is no
 * longer an active admin stops working with them. Last use is written at
 * most once a minute.
 */
export function validateApiKey(deps: Pick<Deps, "db" | "clock">, presented: string): { account: Account; organizationName: string | null; key: { id: string; name: string } } | null {
  const m = /^rk_([a-z2-7]{16})_([a-z2-7]{32})$/.exec(presented);
  if (!m) return null;
  let lookup = keyLookups.get(deps.db);
  if (!lookup) {
    lookup = prepareKeyLookup(deps);
    keyLookups.set(deps.db, lookup);
  }
  const row = lookup.get({ id: m[1] as string });
  if (!row || !sameHash(hashSecret(m[2] as string), row.key.secretHash)) return null;
  if (row.account.status !== "active" || !isAdminType(row.account.type)) return null;
  const now = deps.clock.now();
  if (!row.key.lastUsedAt || now.getTime() - row.key.lastUsedAt.getTime() > MINUTE) {
    // Only a note of use: on a full data volume the key still works.
    unlessStorageFails(() => deps.db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, row.key.id)).run());
  }
  return { account: row.account, organizationName: row.organizationName, key: { id: row.key.id, name: row.key.name } };
}
