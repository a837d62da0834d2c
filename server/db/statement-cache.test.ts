import Database from "better-sqlite3";
import { eq, inArray, sql } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { openDatabase } from "./client.js";
import { organizations } from "./schema.js";
import { preparedFor } from "./prepared.js";

afterEach(() => vi.restoreAllMocks());

describe("compiled statements for drizzle's one-time queries", () => {
  it("compiles a query shape once, whatever values it is run with (an import ran each row's SQL through SQLite's parser again)", () => {
    const db = openDatabase(":memory:");
    const compiles = vi.spyOn(Database.prototype, "prepare");
    const names: string[] = [];
    for (let i = 0; i < 50; i++) {
      db.insert(organizations).values({ id: `o${i}`, name: `Org ${i}`, createdAt: new Date(), updatedAt: new Date() }).run();
      names.push(db.select({ name: organizations.name }).from(organizations).where(eq(organizations.id, `o${i}`)).get()!.name);
    }
    expect(names.at(-1)).toBe("Org 49");
    expect(new Set(names).size).toBe(50);
    // One insert and one select, each compiled the first time only.
    expect(compiles).toHaveBeenCalledTimes(2);
  });

  it("does not keep SQL as long as a bulk action's list of ids: each length would be a statement of its own", () => {
    const db = openDatabase(":memory:");
    const ids = Array.from({ length: 2000 }, (_, i) => `o${i}`);
    const compiles = vi.spyOn(Database.prototype, "prepare");
    for (let i = 0; i < 3; i++) expect(db.select({ id: organizations.id }).from(organizations).where(inArray(organizations.id, ids)).all()).toEqual([]);
    expect(compiles).toHaveBeenCalledTimes(3);
  });

  it("hands a shared statement out in object mode again after drizzle put it in array mode", () => {
    const db = openDatabase(":memory:");
    db.insert(organizations).values({ id: "o1", name: "Acme", createdAt: new Date(), updatedAt: new Date() }).run();
    const text = db.select({ name: organizations.name }).from(organizations).toSQL().sql;
    // drizzle maps the columns itself: it runs the statement in array mode...
    expect(db.select({ name: organizations.name }).from(organizations).all()).toEqual([{ name: "Acme" }]);
    // ...and the same SQL text as a plain query gets rows as objects, not arrays.
    expect(db.all(sql.raw(text))).toEqual([{ name: "Acme" }]);
  });

  it("never shares a statement that code holds on to in a mode of its own", () => {
    const db = openDatabase(":memory:");
    db.insert(organizations).values({ id: "o1", name: "Acme", createdAt: new Date(), updatedAt: new Date() }).run();
    const text = db.select({ name: organizations.name }).from(organizations).toSQL().sql;
    const held = preparedFor(db, "test.held", () => db.$client.prepare(text).pluck());
    expect(held.get()).toBe("Acme");
    expect(db.all(sql.raw(text))).toEqual([{ name: "Acme" }]);
    expect(held.get()).toBe("Acme");
  });

  it("prepares a statement of its own while the shared one is still being read", () => {
    const db = openDatabase(":memory:");
    for (const id of ["o1", "o2"]) db.insert(organizations).values({ id, name: id, createdAt: new Date(), updatedAt: new Date() }).run();
    const text = db.select({ id: organizations.id }).from(organizations).toSQL().sql;
    db.all(sql.raw(text)); // now in the cache
    // The cached statement itself, as drizzle's one-time path hands it out.
    const session = (db as unknown as { session: { prepareOneTimeQuery(q: object, ...rest: unknown[]): { stmt: Database.Statement } } }).session;
    const shared = session.prepareOneTimeQuery({ sql: text, params: [] }, undefined, "all", false).stmt;
    const compiles = vi.spyOn(Database.prototype, "prepare");
    const seen: unknown[] = [];
    for (const row of shared.iterate()) seen.push(row, db.all(sql.raw(text)));
    expect(seen).toEqual([{ id: "o1" }, [{ id: "o1" }, { id: "o2" }], { id: "o2" }, [{ id: "o1" }, { id: "o2" }]]);
    expect(compiles).toHaveBeenCalledTimes(2); // busy: one of its own each time
  });
});
