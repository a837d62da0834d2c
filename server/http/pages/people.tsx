import { Hono } from "hono";
import { AppError } from "../../errors.js";
import { groupTree, listDirectory } from "../../organizations/directory.js";
import type { AppEnv } from "../context.js";
import { PeoplePage, PeoplePersonalPage } from "../../../views/pages/people.js";
import { PeopleResultsSection, peopleHref, type PeopleResults } from "../../../views/partials/people-parts.js";
import { attempt, errorMessage, page, sessionUser, viewOf } from "./render.js";

const PAGE_SIZE = 30;

/** /people: the directory of the member's own organization. */
export const peoplePages = new Hono<AppEnv>().get("/people", async (c) => {
  const user = sessionUser(c);
  // Visitors log in and come back here (the pages' error handler does the redirect).
  if (!user) throw new AppError("unauthenticated");
  const v = viewOf(c);
  if (!user.account.organizationId) {
    return page(c, { v, title: v.t("people.personal.title"), body: <PeoplePersonalPage v={v} /> });
  }
  const q = (c.req.query("q") ?? "").trim();
  const group = (c.req.query("group") ?? "").trim();
  const cursor = c.req.query("cursor") || undefined;
  const r = await attempt(c, () => listDirectory(c.get("deps"), user.account, { q: q || undefined, group: group || undefined, cursor, limit: PAGE_SIZE }));
  const results: PeopleResults = {
    items: r.ok ? r.value.items : [],
    total: r.ok ? r.value.total : 0,
    q,
    group,
    first: cursor ? peopleHref({ q, group }) : undefined,
    next: r.ok && r.value.nextCursor ? peopleHref({ q, group, cursor: r.value.nextCursor }) : undefined,
    error: r.ok ? undefined : errorMessage(r.err),
  };
  const status = r.ok ? 200 : r.err.status;
  const tree = groupTree(c.get("deps"), user.account);
  const body = <PeoplePage v={v} organization={user.organizationName ?? ""} tree={tree} results={results} />;
  // A search as one types replaces the results alone.
  return page(c, { v, title: v.t("people.title"), status, body, fragment: <PeopleResultsSection v={v} r={results} /> });
});
