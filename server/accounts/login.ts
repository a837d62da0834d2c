import { eq, sql } from "drizzle-orm";
import { preparedFor } from "../db/prepared.js";
import { z } from "zod";
import type { Deps, RequestMeta } from "../deps.js";
import { accounts, type Account } from "../db/schema.js";
import type { Tx } from "../db/client.js";
import { AppError } from "../errors.js";
import { audit } from "../admin/audit.js";
import { createSession, deviceName, invalidateSession } from "../auth/sessions.js";
import { credentialSucceededIn, endCredentialCheck, IP_FAILURE_LIMIT, IP_FAILURE_WINDOW, startCredentialCheck } from "../auth/throttle.js";
import { generateSecret } from "../auth/tokens.js";
import { parseInput, typedIdentifier, withoutBadCharacters } from "./fields.js";
import { presentAccount, type PresentedAccount } from "./present.js";
import { findById, findByLogin } from "./store.js";
import { organizationName } from "../organizations/organizations.js";

export const loginSchema = z.object({
  // NFKC: "ｔａｎａｋａ．ｈａｎａｋｏ" typed with an input method is the account
  // "tanaka.hanako", and its failures count against that account's throttle.
  login: typedIdentifier("field.required").min(1, "field.required").max(254, "field.tooLong"),
  // As typed: the hasher applies the password's own normalisation (normalizePassword).
  password: z.string({ message: "field.required" }).min(1, "field.required").max(1024, "field.tooLong"),
  // A client's own name for itself: control characters are dropped rather than failing the log in.
  device: z
    .string({ message: "field.invalid" })
    .transform((s) => withoutBadCharacters(s).trim())
    .pipe(z.string().max(100, "field.tooLong"))
    .optional(),
});

export interface LoginResult {
  token: string;
  expiresAt: Date;
  sessionId: string;
  user: PresentedAccount;
}

const dummyHashes = new WeakMap<object, Promise<string>>();
/** A hash to verify against when the login names no account, so the answer takes as long. */
function dummyHash(deps: Deps): Promise<string> {
  let h = dummyHashes.get(deps.hasher);
  if (!h) {
    h = deps.hasher.hash(generateSecret());
    dummyHashes.set(deps.hasher, h);
  }
  return h;
}

/**
 * Checks a password for an account (or for nobody, at the same cost) under
 * the SPEC §6 throttles. Throws `invalid_credentials` or `rate_limited`.
 * The throttle is taken synchronously before the first await; an attempt
 * refused only because checks of the same account or address are under way
 * waits for them to end (startCredentialCheck).
 */
export async function checkPassword(deps: Deps, account: Account | undefined, subjectIfMissing: string, password: string, meta: RequestMeta): Promise<void> {
  await checkPasswordThen(deps, account, subjectIfMissing, password, meta, () => undefined);
}

/**
 * `checkPassword`, and when the password is right, `then` runs in the same
 * transaction that takes back the reserved failure: a log in commits its
 * session, last-log-in time and audit entry with it, in one commit.
 */
export async function checkPasswordThen<T>(deps: Deps, account: Account | undefined, subjectIfMissing: string, password: string, meta: RequestMeta, then: (tx: Tx) => T): Promise<T> {
  const check = await startCredentialCheck(deps, account ? account.id : `unknown:${subjectIfMissing.toLowerCase()}`, meta.ip);
  try {
    // After a wait in line the password may have changed (or the account gone): check against it as it is now.
    if (check.waited && account) account = findById(deps.db, account.id);
    const ok = account?.passwordHash
      ? await deps.hasher.verify(account.passwordHash, password)
      : (await deps.hasher.verify(await dummyHash(deps), password), false);
    if (ok) {
      return deps.db.transaction((tx) => {
        credentialSucceededIn(tx, check);
        return then(tx);
      });
    }
    // What this attempt's reservation did, not the counter now: parallel attempts
    // finishing after it would otherwise each report (and log) the same lockout.
    deps.db.transaction((tx) => {
      const target = account ? { id: account.id, label: account.userId } : { id: "", label: subjectIfMissing.slice(0, 100) };
      audit(tx, deps, { action: "login.failed", target, organizationId: account?.organizationId, from: meta, detail: { failures: check.accountFailures ?? 0 } });
      if (account && check.lockMs) {
        audit(tx, deps, { action: "login.throttled", target, organizationId: account.organizationId, from: meta, detail: { scope: "account", seconds: Math.ceil(check.lockMs / 1000) } });
      }
      if (check.addressFailures === IP_FAILURE_LIMIT) {
        audit(tx, deps, { action: "login.throttled", from: meta, detail: { scope: "address", address: meta.ip, seconds: IP_FAILURE_WINDOW / 1000 } });
      }
    });
    throw new AppError("invalid_credentials");
  } finally {
    // Committed either way: attempts waiting on this one's counters now see how it turned out.
    endCredentialCheck(deps, check);
  }
}

/** SPEC §3 log in: by email or userId; a new session (and token) for every device. */
export async function login(deps: Deps, input: unknown, meta: RequestMeta): Promise<LoginResult> {
  const i = parseInput(loginSchema, input);
  const account = findByLogin(deps.db, i.login);
  let now = deps.clock.now();
  let created: ReturnType<typeof createSession> | null;
  // The account as it is once the password is checked: the hash took a while, and an admin may have
  // disabled it meanwhile (a session opened now would outlive the disable that ended the others).
  let a = account as Account;
  try {
    // The right password clears the throttle and, for an active account, opens the session in one commit.
    created = await checkPasswordThen(deps, account, i.login, i.password, meta, (tx) => {
      const fresh = findById(tx, a.id);
      // Gone, or given another password meanwhile: the one just checked no longer opens it.
      if (!fresh || fresh.passwordHash !== a.passwordHash) throw new AppError("invalid_credentials");
      a = fresh;
      if (a.status !== "active") return null;
      now = deps.clock.now();
      const s = createSession({ db: tx, clock: deps.clock }, a.id, { device: i.device || deviceName(meta.userAgent), ip: meta.ip });
      preparedFor(tx, "accounts.lastLogin", () => tx.update(accounts).set({ lastLoginAt: sql`${sql.placeholder("at")}` }).where(eq(accounts.id, sql.placeholder("id"))).prepare()).run({ at: now.getTime(), id: a.id });
      audit(tx, deps, { action: "login.succeeded", actor: { id: a.id, label: a.userId }, target: { id: a.id, label: a.userId }, organizationId: a.organizationId, from: meta, detail: { device: s.session.device } });
      return s;
    });
  } catch (e) {
    deps.metrics?.login(e instanceof AppError && e.code === "rate_limited" ? "throttled" : "failure");
    throw e;
  }
  deps.metrics?.login("success");
  if (!created) {
    // The account's state is told only to someone who knows its password.
    if (a.status === "pending") throw new AppError("email_not_verified");
    if (a.status === "awaiting_approval") throw new AppError("awaiting_approval");
    if (a.status === "disabled") throw new AppError("account_disabled");
    throw new AppError("invalid_credentials");
  }
  return {
    token: created.token,
    expiresAt: created.session.expiresAt,
    sessionId: created.session.id,
    user: presentAccount({ ...a, lastLoginAt: now }, organizationName(deps, a.organizationId)),
  };
}

/** Ends the current session. */
export function logout(deps: Deps, who: { account: Account; sessionId: string }, meta: RequestMeta): void {
  deps.db.transaction((tx) => {
    invalidateSession({ db: tx }, who.sessionId);
    audit(tx, deps, { action: "session.ended", actor: { id: who.account.id, label: who.account.userId }, target: { id: who.account.id, label: who.account.userId }, organizationId: who.account.organizationId, from: meta, detail: { reason: "logout" } });
  });
}
