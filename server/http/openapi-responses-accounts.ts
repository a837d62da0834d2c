import { z } from "zod";
import { accountStatuses, accountTypes, friendPolicies, genders } from "../db/schema.js";
import { registrationPolicies } from "../admin/settings.js";
import { count, listOf, named, note, OrganizationRef, timestamp } from "./openapi-responses-common.js";

/** Response schemas of accounts as their people see them: registration, log in, the caller's own account and sessions, the directory and its groups. */

/** Who an account is: the fields an account and an export row both begin with. */
export const identityFields = {
  id: z.string(),
  userId: z.string(),
  email: z.string().nullable(),
  type: z.enum(accountTypes),
  status: z.enum(accountStatuses),
};

/** The profile fields an account and an export row both carry, in this order. */
export const profileFields = {
  groupName: z.string(),
  gender: z.enum(genders),
  birthDate: z.iso.date().nullable(),
  location: z.string(),
  statusMessage: z.string(),
  language: z.string(),
  friendPolicy: z.enum(friendPolicies),
  friendingForbidden: z.boolean(),
};

export const Account = named(
  "Account",
  "An account as its owner and admins see it; never a hash or token.",
  z.strictObject({
    ...identityFields,
    organization: note("null for a personal account.", OrganizationRef.nullable()),
    nickname: z.string(),
    displayName: note("The nickname, or the userId when it has none.", z.string()),
    avatarUrl: z.string(),
    ...profileFields,
    messageSettings: z.strictObject({ pushOffline: z.boolean() }),
    level: count(),
    role: count(),
    mustChangePassword: z.boolean(),
    createdAt: timestamp(),
    updatedAt: timestamp(),
    lastLoginAt: timestamp().nullable(),
    emailVerifiedAt: timestamp().nullable(),
  }),
);

export const AccountList = listOf("AccountList", Account);
export const UserEnvelope = named("UserEnvelope", "The account concerned.", z.strictObject({ user: Account }));
export const Registered = named("Registered", "The new account; verificationRequired: a confirmation mail was sent.", z.strictObject({ user: Account, verificationRequired: z.boolean() }));
export const LoggedIn = named("LoggedIn", "A new session: the token is shown once.", z.strictObject({ token: z.string(), expiresAt: timestamp(), user: Account }));

export const ServerInfo = named("ServerInfo", "", z.strictObject({ name: z.string(), version: z.string(), registration: z.enum(registrationPolicies), verificationRequired: z.boolean() }));

export const Session = named(
  "Session",
  "One of the caller's sessions.",
  z.strictObject({ id: z.string(), device: z.string(), ip: z.string(), createdAt: timestamp(), lastUsedAt: timestamp(), expiresAt: timestamp(), current: note("The session of this request.", z.boolean()) }),
);
export const SessionList = listOf("SessionList", Session);

export const Member = named(
  "Member",
  "What members of an organization see of each other.",
  z.strictObject({
    id: z.string(),
    userId: z.string(),
    nickname: z.string(),
    displayName: z.string(),
    email: z.string().nullable(),
    avatarUrl: z.string(),
    groupName: z.string(),
    statusMessage: z.string(),
    location: z.string(),
    type: z.enum(accountTypes),
  }),
);
export const MemberList = listOf("MemberList", Member);

export const GroupNode: z.ZodType<GroupNodeShape> = named(
  "GroupNode",
  "A group: members directly in it, total with its subgroups.",
  z.strictObject({
    name: z.string(),
    path: z.string(),
    members: count(),
    total: count(),
    get children() {
      return z.array(GroupNode);
    },
  }),
);
interface GroupNodeShape {
  name: string;
  path: string;
  members: number;
  total: number;
  children: GroupNodeShape[];
}
export const GroupTree = named("GroupTree", "The top-level groups; ungrouped: active members without a group.", z.strictObject({ items: z.array(GroupNode), ungrouped: count(), total: count() }));
