import { readFileSync } from "node:fs";
import path from "node:path";
import type Database from "better-sqlite3";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { migrationsFolder } from "../db/client.js";

/**
 * Makes `sqlite` a database as an older Roster left it: the migrations before
 * `tag` (by default, every one but the newest) applied, and recorded as
 * drizzle records them, so migrating it applies the rest for real.
 */
export function migrateBefore(sqlite: Database.Database, tag?: string): void {
  const all = readMigrationFiles({ migrationsFolder: migrationsFolder() });
  // The journal names each migration; readMigrationFiles keeps only its SQL, hash and time, in the same order.
  const journal = JSON.parse(readFileSync(path.join(migrationsFolder(), "meta", "_journal.json"), "utf8")) as { entries: { tag: string }[] };
  const upTo = tag === undefined ? all.length - 1 : journal.entries.findIndex((e) => e.tag === tag);
  if (upTo < 1) throw new Error(`no migration ${tag} after the first`);
  sqlite.exec("CREATE TABLE IF NOT EXISTS `__drizzle_migrations` (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)");
  for (const m of all.slice(0, upTo)) {
    for (const statement of m.sql) if (statement.trim()) sqlite.exec(statement);
    sqlite.prepare("INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)").run(m.hash, m.folderMillis);
  }
}
