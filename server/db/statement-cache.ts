import type Database from "better-sqlite3";

/**
 * Compiled statements kept per connection for drizzle's one-time queries.
 *
 * A drizzle query run without `.prepare()` (`db.select()…get()`,
 * `tx.insert()…run()`) has SQLite parse and plan its SQL again on every
 * call: in an import of 10,000 accounts that was 39% of the server's time.
 * The SQL text of a query shape is always the same (values are bound as
 * parameters), so the statement compiled for it the first time is reused.
 *
 * Only drizzle's one-time queries go through here: statements that code holds
 * on to (`preparedFor`, drizzle's `.prepare()`, `$client.prepare()`) are
 * compiled as before and never shared, so the modes they were given
 * (`.raw()`, `.pluck()`) stay theirs. A shared statement is handed out with
 * its row mode reset (drizzle sets `.raw()` when it maps rows itself), and
 * one still being iterated is not handed out at all.
 */
export const STATEMENT_CACHE_SIZE = 200;
/**
 * SQL longer than this is compiled every time, not kept: its length comes from a list of values
 * (`IN (?, ?, …)` for a bulk action's ids), so each size is a shape of its own, and a few of
 * them would hold more memory than all the others.
 */
export const STATEMENT_CACHE_MAX_SQL = 4096;

interface Session {
  client: Pick<Database.Database, "prepare">;
  prepareQuery(query: { sql: string }, ...rest: unknown[]): unknown;
  prepareOneTimeQuery(query: { sql: string }, ...rest: unknown[]): unknown;
}

export function cacheOneTimeStatements(db: { $client: Database.Database }, size = STATEMENT_CACHE_SIZE): void {
  const session = (db as unknown as { session?: Session }).session;
  if (!session || typeof session.prepareQuery !== "function") throw new Error("drizzle's session is not the one this cache was written for");
  const sqlite = db.$client;
  const cache = new Map<string, Database.Statement>();
  const prepare = (sql: string): Database.Statement => {
    if (sql.length > STATEMENT_CACHE_MAX_SQL) return sqlite.prepare(sql);
    const known = cache.get(sql);
    if (known?.busy) return sqlite.prepare(sql);
    if (known) {
      // Most recently used last: the first key is the one to drop.
      cache.delete(sql);
      cache.set(sql, known);
      if (known.reader) known.raw(false);
      return known;
    }
    const stmt = sqlite.prepare(sql);
    cache.set(sql, stmt);
    if (cache.size > size) cache.delete(cache.keys().next().value as string);
    return stmt;
  };
  const cachingClient = { prepare } as Session["client"];
  const prepareQuery = session.prepareQuery;
  // prepareQuery takes the statement from `this.client`: for a one-time query, that is the cache.
  session.prepareOneTimeQuery = function (this: Session, query: { sql: string }, ...rest: unknown[]) {
    return prepareQuery.call(Object.create(this, { client: { value: cachingClient } }) as Session, query, ...rest);
  };
}
