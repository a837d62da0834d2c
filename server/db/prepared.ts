import type { Tx } from "./client.js";

const caches = new WeakMap<object, Map<string, unknown>>();

/**
 * A drizzle query prepared once per database connection and reused, inside
 * transactions too (a drizzle transaction shares its database's session, and
 * SQLite statements belong to the connection). Hot lookups then skip
 * building the SQL and preparing the statement on every call.
 */
export function preparedFor<T>(tx: Tx, key: string, build: () => T): T {
  const session = (tx as unknown as { session?: object }).session;
  if (!session) return build();
  let cache = caches.get(session);
  if (!cache) caches.set(session, (cache = new Map()));
  let q = cache.get(key) as T | undefined;
  if (!q) cache.set(key, (q = build()));
  return q;
}
