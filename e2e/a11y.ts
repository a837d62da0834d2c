import { createRequire } from "node:module";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { eq } from "drizzle-orm";
import { LANG_COOKIE } from "../server/app.js";
import { accounts } from "../server/db/schema.js";
import { PASSWORD, api, startBrowserWorld, watchedPage, type BrowserWorld } from "./browser.js";

/**
 * The world and helpers of the accessibility tests (browser-a11y*.test.ts).
 * They guard what an accessibility audit (WCAG 2.2 AA, axe-core and the
 * keyboard) found: every main page, in English and Japanese, light and dark,
 * without a serious or critical axe violation; a focus ring that shows on any
 * background; focus that stays somewhere useful after an htmx action (never
 * the body); counts and outcomes read out through the page's one live region
 * (#flash); a form error that takes the focus and names itself in the title.
 */

type Lang = "en" | "ja";
const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
/** More accounts than the users table's page of 50, so "Load more" shows. */
export const MEMBERS = 54;

/** A context in `lang` whose pages accept axe's script (the pages' CSP allows same-origin scripts only) and draw no transitions (colours read mid-change). */
export async function open(browser: Browser, base: string, lang: Lang) {
  const w = await watchedPage(browser, { locale: lang === "ja" ? "ja-JP" : "en-US", viewport: { width: 1280, height: 900 }, bypassCSP: true, reducedMotion: "reduce" }, { responses: false });
  await w.context.addCookies([{ name: LANG_COOKIE, value: lang, url: base }]);
  return w;
}

export async function logIn(page: Page, base: string, login: string) {
  await page.goto(`${base}/login`);
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill(PASSWORD);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/login")), page.locator('main button[type="submit"]').click()]);
}

/** axe-core over the page as it is: the serious and critical violations, one line each with where they are. */
async function seriousViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate("typeof window.axe === 'object'"))) await page.addScriptTag({ path: AXE });
  return page.evaluate<string[]>(`axe.run(document, { resultTypes: ["violations"], runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] } }).then((r) =>
    r.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .flatMap((v) => v.nodes.map((n) => v.id + " (" + v.impact + ") at " + n.target.join(" ") + ": " + (n.failureSummary || "").replace(/\\s+/g, " ").slice(0, 220))))`);
}

/** The serious and critical violations in the light and then the dark colour scheme, each line saying which. */
export async function bothSchemes(page: Page): Promise<string[]> {
  const found: string[] = [];
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    for (const v of await seriousViolations(page)) found.push(`${colorScheme}: ${v}`);
  }
  await page.emulateMedia({ colorScheme: "light" });
  return found;
}

/** Where the keyboard focus is, as a person would name it: the element's tag, id and classes and its text, or BODY when it is lost. */
export const focused = (page: Page) =>
  page.evaluate<string>(`(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return "BODY";
    return el.tagName + (el.id ? "#" + el.id : "") + (el.classList.length ? "." + [...el.classList].join(".") : "") + " " + (el.textContent || "").trim().slice(0, 40);
  })()`);

/** The server's base URL and its Chromium; set by startA11yWorld's beforeAll. */
export let base: string;
export let browser: Browser;
/** The pages the tests open by id: a member's account (`member`) and a message in the mail queue (`mail`). */
export const ids: Record<string, string> = {};
/** The contexts the tests opened, closed with the world. */
export const contexts: BrowserContext[] = [];

/**
 * In the calling describe: a server and a Chromium, with the owner of Acme,
 * MEMBERS members, a registration request and an API key, and one
 * application waiting for approval.
 */
export function startA11yWorld(): void {
  let w: BrowserWorld;

  beforeAll(async () => {
    w = await startBrowserWorld("roster-e2e-a11y-");
    ({ base, browser } = w);
    await api(base, "/api/v1/auth/register", null, { email: "owner@acme.test", password: PASSWORD, userId: "owner", nickname: "山田 オーナー", organizationName: "Acme" });
    const { token } = (await api(base, "/api/v1/auth/login", null, { login: "owner", password: PASSWORD })) as { token: string };
    for (let i = 0; i < MEMBERS; i++) {
      const userId = `member${String(i).padStart(2, "0")}`;
      // With a password: active, so the people directory lists them.
      const body = { userId, nickname: i % 2 ? `社員 ${i}` : `Member ${i}`, email: `${userId}@acme.test`, groupName: ["Sales/Tokyo", "Engineering", "総務部"][i % 3], password: PASSWORD };
      const { user } = (await api(base, "/api/v1/admin/users", token, body)) as { user: { id: string } };
      if (i === 0) ids.member = user.id;
    }
    // A registration request (its mail gives the mail page a message to open) and an API key.
    await api(base, "/api/v1/admin/invitations", token, { email: "hanako@example.test", message: "Welcome!" });
    ids.mail = w.mailTo("hanako@example.test")!.id;
    await api(base, "/api/v1/admin/api-keys", token, { name: "Chat bridge" });
    // One application waiting for approval: the admin tabs' count, its badge in the table, the approvals page.
    w.db.update(accounts).set({ status: "awaiting_approval" }).where(eq(accounts.userId, `member${MEMBERS - 1}`)).run();
  });

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await w?.close();
  });
}
