import type { Account } from "../db/schema.js";

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** An account as the API shows it to its owner and to admins: never a hash or token. */
export function presentAccount(a: Account, organizationName: string | null = null) {
  return {
    id: a.id,
    userId: a.userId,
    email: a.email,
    type: a.type,
    status: a.status,
    organization: a.organizationId ? { id: a.organizationId, name: organizationName ?? "" } : null,
    nickname: a.nickname,
    displayName: a.nickname || a.userId,
    avatarUrl: a.avatarUrl,
    groupName: a.groupName,
    gender: a.gender,
    birthDate: a.birthDate,
    location: a.location,
    statusMessage: a.statusMessage,
    language: a.language,
    friendPolicy: a.friendPolicy,
    friendingForbidden: a.friendingForbidden,
    messageSettings: { pushOffline: a.pushOffline },
    level: a.level,
    role: a.role,
    mustChangePassword: a.mustChangePassword,
    createdAt: iso(a.createdAt),
    updatedAt: iso(a.updatedAt),
    lastLoginAt: iso(a.lastLoginAt),
    emailVerifiedAt: iso(a.emailVerifiedAt),
  };
}
export type PresentedAccount = ReturnType<typeof presentAccount>;

/** What members of an organization see of each other in the directory. */
export function presentMember(a: Account) {
  return {
    id: a.id,
    userId: a.userId,
    nickname: a.nickname,
    displayName: a.nickname || a.userId,
    email: a.email,
    avatarUrl: a.avatarUrl,
    groupName: a.groupName,
    statusMessage: a.statusMessage,
    location: a.location,
    type: a.type,
  };
}
