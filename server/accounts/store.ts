import { eq, sql } from "drizzle-orm";
import { accounts, type Account } from "../db/schema.js";
import { preparedFor } from "../db/prepared.js";
import type { Tx } from "../mail/outbox.js";
import { AppError } from "../errors.js";

// Prepared once per connection: log ins, registrations and imports look accounts up all the time.
const byColumn = (tx: Tx, column: "emailLower" | "userId" | "id") =>
  preparedFor(tx, `accounts.by.${column}`, () => tx.select().from(accounts).where(eq(accounts[column], sql.placeholder("v"))).prepare());

export function findByEmail(tx: Tx, email: string): Account | undefined {
  return byColumn(tx, "emailLower").get({ v: email.toLowerCase() });
}

export function findByUserId(tx: Tx, userId: string): Account | undefined {
  return byColumn(tx, "userId").get({ v: userId.toLowerCase() });
}

export function findById(tx: Tx, id: string): Account | undefined {
  return byColumn(tx, "id").get({ v: id });
}

/**
 * The account a mailed one-time token is for, read now, while it still has the address the
 * token was mailed to; `invalid_token` otherwise. An admin may have changed the address
 * since (a typo): whoever reads the old mailbox must not set the password or confirm the
 * new address. A new-address token (email change) and a setup link handed over without
 * mail carry no such address, or another one, and are only looked up.
 */
export function tokenAccount(tx: Tx, row: { accountId: string; email: string | null; kind: string }): Account {
  const a = findById(tx, row.accountId);
  if (!a) throw new AppError("invalid_token");
  if (!stillAddressed(row, a)) throw new AppError("invalid_token");
  return a;
}

/** Whether the account still has the address the token was mailed to (see tokenAccount). */
export const stillAddressed = (row: { email: string | null; kind: string }, a: Pick<Account, "emailLower">): boolean =>
  row.kind === "email_change" || row.email === null || row.email.toLowerCase() === a.emailLower;

/** By email when the login has an @, else by userId. */
export function findByLogin(tx: Tx, login: string): Account | undefined {
  return login.includes("@") ? findByEmail(tx, login) : findByUserId(tx, login);
}

/** Whether the server has any account at all (one indexed row, not a count of 100,000). */
export function anyAccount(tx: Tx): boolean {
  return tx.select({ one: sql<number>`1` }).from(accounts).limit(1).get() !== undefined;
}

/**
 * A valid, free userId made from an email's local part: "Taro.Yamada+chat"
 * → "taro.yamada.chat", then "taro.yamada.chat2", "…3" while taken.
 */
export function deriveUserId(tx: Tx, email: string): string {
  let base = email
    .slice(0, email.lastIndexOf("@"))
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, ".")
    .replace(/^[^a-z0-9]+/, "")
    .replace(/[._-]+$/, "")
    .slice(0, 28);
  if (base.length < 3) base = (base + "user").slice(0, Math.max(4, base.length + 4));
  if (!findByUserId(tx, base)) return base;
  for (let n = 2; n < 10_000; n++) {
    const candidate = `${base}${n}`;
    if (!findByUserId(tx, candidate)) return candidate;
  }
  return `${base.slice(0, 20)}${Date.now().toString(36)}`;
}
