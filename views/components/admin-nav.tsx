import type { View } from "../view.js";

interface NavLink {
  href: string;
  key: string;
  ownerOnly?: boolean;
}

/** The admin console's sections, in the order the navigation shows them. */
export const adminSections: readonly NavLink[] = [
  { href: "/admin", key: "admin.nav.dashboard" },
  { href: "/admin/users", key: "admin.nav.users" },
  { href: "/admin/invitations", key: "admin.nav.invitations" },
  { href: "/admin/approvals", key: "admin.nav.approvals" },
  { href: "/admin/settings", key: "admin.nav.settings", ownerOnly: true },
  { href: "/admin/api-keys", key: "admin.nav.apiKeys" },
  { href: "/admin/audit", key: "admin.nav.audit" },
  { href: "/admin/mail", key: "admin.nav.mail" },
  { href: "/admin/organizations", key: "admin.nav.organizations", ownerOnly: true },
];

/** `current` marks the section a page belongs to: "/admin/users/…" belongs to Users, "/admin/import" too. */
function isCurrent(href: string, current: string): boolean {
  if (href === "/admin") return current === "/admin";
  if (href === "/admin/users" && current === "/admin/import") return true;
  return current === href || current.startsWith(`${href}/`);
}

/**
 * The sub-navigation every admin page shows under the header. `owner` adds
 * the server-wide sections (settings, organizations), which other admins
 * cannot open; `pendingApprovals` puts a count badge on the approval queue.
 * `oob`: sent along with an htmx answer that changed that count.
 */
export function AdminNav({ v, current, pendingApprovals, owner, oob }: { v: View; current: string; pendingApprovals?: number; owner?: boolean; oob?: boolean }) {
  return (
    <nav id="admin-nav" class="admin-nav" aria-label={v.t("admin.nav.label")} hx-swap-oob={oob ? "true" : undefined}>
      <ul>
        {adminSections
          .filter((s) => owner || !s.ownerOnly)
          .map((s) => {
            const here = isCurrent(s.href, current);
            return (
              <li>
                <a href={s.href} class={here ? "current" : undefined} aria-current={here ? "page" : undefined}>
                  {v.t(s.key)}
                  {s.href === "/admin/approvals" && pendingApprovals ? (
                    <span class="admin-nav-count">
                      <span aria-hidden="true">{String(pendingApprovals)}</span>
                      <span class="vh">{v.t("admin.nav.pendingCount", { count: pendingApprovals })}</span>
                    </span>
                  ) : null}
                </a>
              </li>
            );
          })}
      </ul>
    </nav>
  );
}
