import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { describe, expect, it } from "vitest";
import { migrateDatabase } from "./client.js";
import { migrateBefore } from "../test/older-database.js";

function databaseBefore(tag: string) {
  const sqlite = new Database(":memory:");
  sqlite.pragma("foreign_keys = ON");
  migrateBefore(sqlite, tag);
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
