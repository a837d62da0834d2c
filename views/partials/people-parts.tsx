import type { GroupNode } from "../../server/organizations/directory.js";
import type { presentMember } from "../../server/accounts/present.js";
import { Pager } from "./admin-org-parts.js";
import type { Message, View } from "../view.js";

export type Member = ReturnType<typeof presentMember>;

export interface PeopleResults {
  items: Member[];
  total: number;
  q: string;
  group: string;
  first?: string;
  next?: string;
  error?: Message;
}

/** `/people` with the given search and group (and cursor), for links. */
export function peopleHref(p: { q?: string; group?: string; cursor?: string }): string {
  const s = new URLSearchParams();
  if (p.q) s.set("q", p.q);
  if (p.group) s.set("group", p.group);
  if (p.cursor) s.set("cursor", p.cursor);
  const qs = s.toString();
  return qs ? `/people?${qs}` : "/people";
}

function Avatar({ m }: { m: Member }) {
  if (m.avatarUrl) return <img class="avatar people-avatar" src={m.avatarUrl} alt="" width={40} height={40} loading="lazy" referrerpolicy="no-referrer" />;
  return (
    <span class="avatar avatar-empty people-avatar" aria-hidden="true">
      {[...m.displayName][0]?.toUpperCase()}
    </span>
  );
}

/**
 * The members found, with their count and the way to the next page; htmx
 * replaces this region on each search, and app.js reads out the count alone
 * (data-status), not the list.
 */
export function PeopleResultsSection({ v, r }: { v: View; r: PeopleResults }) {
  const t = v.t;
  return (
    <section id="people-results" class="people-results" aria-labelledby="people-count">
      <p id="people-count" class="people-count" data-status="">
        {r.group ? t("people.countInGroup", { count: r.total, group: r.group }) : t("people.count", { count: r.total })}
      </p>
      {r.error && (
        <div class="alert alert-error" role="alert">
          <p>{t(r.error.key, r.error.params)}</p>
        </div>
      )}
      {r.items.length === 0 && !r.error ? (
        <p class="muted people-empty">{t(r.q ? "people.noMatch" : "people.none")}</p>
      ) : (
        <ul class="people-list">
          {r.items.map((m) => (
            <li class="person">
              <Avatar m={m} />
              <div class="person-main">
                <p class="person-name">
                  <strong>{m.displayName}</strong> <span class="mono muted">{m.userId}</span>
                </p>
                {m.groupName && (
                  <p class="person-group">
                    <a href={peopleHref({ group: m.groupName })}>{m.groupName}</a>
                  </p>
                )}
                {m.statusMessage && <p class="person-status">{m.statusMessage}</p>}
              </div>
            </li>
          ))}
        </ul>
      )}
      <Pager v={v} first={r.first} next={r.next} target="#people-results" />
    </section>
  );
}

function Branch({ nodes, current, q }: { nodes: GroupNode[]; current: string; q: string }) {
  return (
    <ul>
      {nodes.map((n) => (
        <li>
          <a href={peopleHref({ q, group: n.path })} aria-current={n.path === current ? "page" : undefined}>
            <span class="group-name">{n.name}</span> <span class="group-count">{n.total}</span>
          </a>
          {n.children.length > 0 && <Branch nodes={n.children} current={current} q={q} />}
        </li>
      ))}
    </ul>
  );
}

/** The organization's groups with their member counts (subgroups included); a click filters to that subtree. */
export function GroupTree({ v, tree, current, q }: { v: View; tree: { items: GroupNode[]; ungrouped: number; total: number }; current: string; q: string }) {
  const t = v.t;
  return (
    <nav class="group-tree" aria-label={t("people.groups")}>
      <h2>{t("people.groups")}</h2>
      <ul>
        <li>
          <a href={peopleHref({ q })} aria-current={current === "" ? "page" : undefined}>
            <span class="group-name">{t("people.everyone")}</span> <span class="group-count">{tree.total}</span>
          </a>
          {tree.items.length > 0 && <Branch nodes={tree.items} current={current} q={q} />}
        </li>
      </ul>
      {tree.ungrouped > 0 && <p class="hint">{t("people.ungrouped", { count: tree.ungrouped })}</p>}
    </nav>
  );
}
