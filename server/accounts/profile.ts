import { eq } from "drizzle-orm";
import type { Deps, RequestMeta } from "../deps.js";
import { accounts, type Account } from "../db/schema.js";
import { noFutureBirthDate, parseInput, profileSchema, type ProfileInput } from "./fields.js";
import { audit } from "../admin/audit.js";

/**
 * The columns a profile input sets; `undefined` leaves a field as it is. The
 * input was checked with `noFutureBirthDate` where it was parsed.
 */
export function profileChanges(i: ProfileInput): Partial<Account> {
  const set: Partial<Account> = {};
  if (i.nickname !== undefined) set.nickname = i.nickname;
  if (i.avatarUrl !== undefined) set.avatarUrl = i.avatarUrl;
  if (i.groupName !== undefined) set.groupName = i.groupName;
  if (i.gender !== undefined) set.gender = i.gender;
  if (i.birthDate !== undefined) set.birthDate = i.birthDate;
  if (i.location !== undefined) set.location = i.location;
  if (i.statusMessage !== undefined) set.statusMessage = i.statusMessage;
  if (i.language !== undefined) set.language = i.language;
  if (i.friendPolicy !== undefined) set.friendPolicy = i.friendPolicy;
  if (i.messageSettings?.pushOffline !== undefined) set.pushOffline = i.messageSettings.pushOffline;
  return set;
}

const TEXT_FIELDS = ["nickname", "avatarUrl", "groupName", "location", "statusMessage"] as const;

/**
 * The input without the free-text fields it sends back as they are stored. A form sends every
 * field; one saved before a rule was tightened (a tab in a nickname, say) must not make saving
 * another field fail. Only what changes is judged.
 */
export function withoutUnchangedText(input: unknown, account: Account): unknown {
  if (!input || typeof input !== "object" || Array.isArray(input)) return input;
  const out: Record<string, unknown> = { ...(input as Record<string, unknown>) };
  for (const field of TEXT_FIELDS) {
    const given = out[field];
    if (typeof given === "string" && given.trim() === (account[field] ?? "")) delete out[field];
  }
  return out;
}

/** PATCH /me: the user-editable profile fields; groupName is normalised ("Sales / Tokyo" → "Sales/Tokyo"). */
export function updateProfile(deps: Deps, account: Account, input: unknown, meta: RequestMeta): Account {
  const now = deps.clock.now();
  const i = parseInput(profileSchema, withoutUnchangedText(input, account), noFutureBirthDate(now));
  const set = profileChanges(i);
  if (Object.keys(set).length === 0) return account;
  deps.db.transaction((tx) => {
    tx.update(accounts).set({ ...set, updatedAt: now }).where(eq(accounts.id, account.id)).run();
    const who = { id: account.id, label: account.userId };
    audit(tx, deps, { action: "account.profile_updated", actor: who, target: who, organizationId: account.organizationId, from: meta, detail: { fields: Object.keys(set) } });
  });
  return { ...account, ...set, updatedAt: now };
}
