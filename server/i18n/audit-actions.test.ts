import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dictionaries } from "./index.js";

const root = join(import.meta.dirname, "..");

/** Every audit action the server writes: the literal ones, and the ones user-status.ts builds as `admin.${action}`. */
function writtenActions(): string[] {
  const found = new Set<string>();
  const files = readdirSync(root, { recursive: true, encoding: "utf8" }).filter((f) => /\.tsx?$/.test(f) && !/\.test\.tsx?$/.test(f) && !f.startsWith("test"));
  for (const f of files) {
    const src = readFileSync(join(root, f), "utf8");
    for (const m of src.matchAll(/\baction: "([a-z_]+\.[a-z_.]+)"/g)) found.add(m[1]!);
    if (/audit\(tx, deps, \{ action: `admin\.\$\{action\}`/.test(src)) for (const m of src.matchAll(/\bact\(deps, actor, id, "([a-z_]+)"/g)) found.add(`admin.${m[1]}`);
  }
  return [...found].sort();
}

describe("audit action labels", () => {
  // Labels of actions nothing writes any more stay: older entries in the log still carry them.
  it("every action the server writes has a label in every language (a new one shows as a bare code otherwise)", () => {
    const actions = writtenActions();
    expect(actions).toContain("login.succeeded");
    expect(actions).toContain("admin.user_disabled");
    for (const lang of ["en", "ja"] as const) {
      const missing = actions.filter((a) => !(`audit.action.${a}` in dictionaries[lang]));
      expect(missing, lang).toEqual([]);
    }
  });

  it("regression: names a registration request as the admin pages do (登録依頼, not 招待)", () => {
    const labels = (lang: "en" | "ja") => Object.entries(dictionaries[lang]).filter(([k]) => /^audit\.action\.(admin\.invitation_|invitation\.)/.test(k));
    expect(labels("ja").map(([k]) => k).sort()).toEqual(["audit.action.admin.invitation_resent", "audit.action.admin.invitation_revoked", "audit.action.admin.invitation_sent", "audit.action.invitation.accepted"]);
    for (const [key, label] of labels("ja")) {
      expect(label, key).toContain((dictionaries.ja as Record<string, string>)["admin.invitations.title"]);
      expect(label, key).not.toContain("招待");
    }
    for (const [key, label] of labels("en")) expect(label, key).toContain("Registration request");
  });
});
