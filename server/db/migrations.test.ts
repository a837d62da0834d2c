import { readFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { describe, expect, it } from "vitest";
import { migrateDatabase, migrationsFolder } from "./client.js";

/** A database as an older Roster left it: the migrations before `name` applied, and recorded as drizzle records them. */
function databaseBefore(name: string) {
  const sqlite = new Database(":memory:");
  sqlite.pragma("foreign_keys = ON");
  const all = readMigrationFiles({ migrationsFolder: migrationsFolder() });
  // The journal names each migration; readMigrationFiles keeps only its SQL, hash and time, in the same order.
  const journal = JSON.parse(readFileSync(path.join(migrationsFolder(), "meta", "_journal.json"), "utf8")) as { entries: { tag: string }[] };
  const tags = journal.entries.map((e) => e.tag);
  const upTo = tags.indexOf(name);
  if (upTo < 1) throw new Error(`no migration ${name}`);
  sqlite.exec("CREATE TABLE __drizzle_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, hash text NOT NULL, created_at numeric)");
  for (const m of all.slice(0, upTo)) {
    for (const statement of m.sql) if (statement.trim()) sqlite.exec(statement);
    sqlite.prepare("INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)").run(m.hash, m.folderMillis);
  }
  return sqlite;
}

describe("migrations over an existing database", () => {
  it("0007: each registration request keeps the language its mail went out in (the address's account's, else the sender's)", () => {
    const sqlite = databaseBefore("0007_invitation_language");
    const now = Date.now();
    sqlite.prepare("INSERT INTO organizations (id, name, created_at, updated_at) VALUES ('o1', 'Acme', ?, ?)").run(now, now);
    const account = sqlite.prepare(
      "INSERT INTO accounts (id, organization_id, user_id, email, email_lower, status, language, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'active', ?, ?, ?)",
    );
    account.run("admin-ja", "o1", "sato", "sato@acme.test", "sato@acme.test", "ja", now, now);
    account.run("personal-en", null, "solo", "Solo@Gmail.test", "solo@gmail.test", "en", now, now);
    const invite = sqlite.prepare(
      "INSERT INTO invitations (id, organization_id, email, email_lower, token_hash, invited_by, created_at, expires_at, updated_at) VALUES (?, 'o1', ?, ?, ?, ?, ?, ?, ?)",
    );
    invite.run("i-new", "new@elsewhere.test", "new@elsewhere.test", Buffer.from("a"), "admin-ja", now, now + 1, now);
    invite.run("i-personal", "Solo@Gmail.test", "solo@gmail.test", Buffer.from("b"), "admin-ja", now, now + 1, now);
    invite.run("i-orphan", "gone@elsewhere.test", "gone@elsewhere.test", Buffer.from("c"), null, now, now + 1, now);

    expect(migrateDatabase(drizzle(sqlite))).toEqual({ applied: true });

    const languages = Object.fromEntries((sqlite.prepare("SELECT id, language FROM invitations").all() as { id: string; language: string }[]).map((r) => [r.id, r.language]));
    expect(languages).toEqual({ "i-new": "ja", "i-personal": "en", "i-orphan": "en" });
    sqlite.close();
  });
});
