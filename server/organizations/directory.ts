import { and, asc, eq, gt, gte, lt, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Deps } from "../deps.js";
import { accounts, type Account } from "../db/schema.js";
import { AppError } from "../errors.js";
import { groupNameField, parseInput } from "../accounts/fields.js";
import { presentMember } from "../accounts/present.js";
import { accountTextMatch, searchText } from "../accounts/text-search.js";
import { decodeCursor, encodeCursor, listQuerySchema } from "../pagination.js";

/**
 * A group includes its subgroups: "Sales" matches "Sales" and "Sales/Tokyo/…",
 * not "Salesforce" nor "sales/…". Names compare exactly, as the group tree
 * shows them (LIKE would fold case); everything under "Sales/" sorts between
 * "Sales/" and "Sales0" ("0" follows "/"), a range the group index serves.
 */
export function inGroup(column: typeof accounts.groupName, group: string): SQL {
  return or(eq(column, group), and(gte(column, `${group}/`), lt(column, `${group}0`))) as SQL;
}

export const directorySchema = listQuerySchema.extend({
  q: z.string().trim().max(100, "field.tooLong").optional(),
  group: groupNameField.optional(),
});

function requireMember(account: Account): string {
  if (!account.organizationId) throw new AppError("forbidden", undefined, undefined, "The directory belongs to organizations; this account is personal.");
  return account.organizationId;
}

/** Active members of the caller's organization, by userId, with `?q=` and `?group=` (subgroups included). */
export function listDirectory(deps: Deps, account: Account, query: unknown) {
  const orgId = requireMember(account);
  const i = parseInput(directorySchema, query);
  const filters: SQL[] = [eq(accounts.organizationId, orgId), eq(accounts.status, "active")];
  const q = searchText(i.q);
  if (q) filters.push(accountTextMatch(q));
  if (i.group) filters.push(inGroup(accounts.groupName, i.group));
  const where = and(...filters);
  const total = deps.db.select({ n: sql<number>`count(*)` }).from(accounts).where(where).get()?.n ?? 0;
  const after = decodeCursor(i.cursor, "directory");
  const rows = deps.db
    .select()
    .from(accounts)
    .where(after ? and(where, gt(accounts.userId, after)) : where)
    .orderBy(asc(accounts.userId))
    .limit(i.limit + 1)
    .all();
  const page = rows.slice(0, i.limit);
  const last = page.at(-1);
  return { items: page.map(presentMember), nextCursor: rows.length > i.limit && last ? encodeCursor(last.userId, "directory") : null, total };
}

export interface GroupNode {
  name: string;
  path: string;
  /** Members whose group is exactly this one. */
  members: number;
  /** Members here and in every subgroup. */
  total: number;
  children: GroupNode[];
}

/** The group tree of the caller's organization, built from the active members' groupName paths. */
export function groupTree(deps: Deps, account: Account): { items: GroupNode[]; ungrouped: number; total: number } {
  const orgId = requireMember(account);
  const rows = deps.db
    .select({ group: accounts.groupName, n: sql<number>`count(*)` })
    .from(accounts)
    .where(and(eq(accounts.organizationId, orgId), eq(accounts.status, "active")))
    .groupBy(accounts.groupName)
    .all();
  const root: GroupNode = { name: "", path: "", members: 0, total: 0, children: [] };
  let ungrouped = 0;
  for (const { group, n } of rows) {
    root.total += n;
    if (!group) {
      ungrouped += n;
      continue;
    }
    let node = root;
    const parts = group.split("/");
    parts.forEach((name, idx) => {
      let child = node.children.find((c) => c.name === name);
      if (!child) {
        child = { name, path: parts.slice(0, idx + 1).join("/"), members: 0, total: 0, children: [] };
        node.children.push(child);
      }
      child.total += n;
      if (idx === parts.length - 1) child.members += n;
      node = child;
    });
  }
  const sort = (nodes: GroupNode[]) => {
    nodes.sort((a, b) => a.name.localeCompare(b.name));
    nodes.forEach((c) => sort(c.children));
  };
  sort(root.children);
  return { items: root.children, ungrouped, total: root.total };
}
