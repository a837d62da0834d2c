import { createRequire } from "node:module";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { LANG_COOKIE } from "../server/app.js";
import { accounts } from "../server/db/schema.js";
import { PASSWORD, api, hasChromium, startBrowserWorld, watchedPage, type BrowserWorld } from "./browser.js";

type Lang = "en" | "ja";
const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
/** More accounts than the users table's page of 50, so "Load more" shows. */
const MEMBERS = 54;

/** A context in `lang` whose pages accept axe's script (the pages' CSP allows same-origin scripts only) and draw no transitions (colours read mid-change). */
async function open(browser: Browser, base: string, lang: Lang) {
  const w = await watchedPage(browser, { locale: lang === "ja" ? "ja-JP" : "en-US", viewport: { width: 1280, height: 900 }, bypassCSP: true, reducedMotion: "reduce" }, { responses: false });
  await w.context.addCookies([{ name: LANG_COOKIE, value: lang, url: base }]);
  return w;
}

async function logIn(page: Page, base: string, login: string) {
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
async function bothSchemes(page: Page): Promise<string[]> {
  const found: string[] = [];
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    for (const v of await seriousViolations(page)) found.push(`${colorScheme}: ${v}`);
  }
  await page.emulateMedia({ colorScheme: "light" });
  return found;
}

/** Where the keyboard focus is, as a person would name it: the element's tag, id and classes and its text, or BODY when it is lost. */
const focused = (page: Page) =>
  page.evaluate<string>(`(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return "BODY";
    return el.tagName + (el.id ? "#" + el.id : "") + (el.classList.length ? "." + [...el.classList].join(".") : "") + " " + (el.textContent || "").trim().slice(0, 40);
  })()`);

/** The focus ring of the focused element: its style, and its contrast against the page around it and against the control. */
const RING = `(() => {
  const el = document.activeElement;
  const rgb = (s) => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = (s) => {
    const [r = 0, g = 0, b = 0] = rgb(s).map((c) => c / 255);
    const f = (c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const ratio = (a, b) => {
    const [x, y] = [lum(a), lum(b)].sort((m, n) => n - m);
    return (x + 0.05) / (y + 0.05);
  };
  const opaque = (s) => s !== "transparent" && !/rgba\\(.*,\\s*0\\)$/.test(s);
  let around = el.parentElement;
  while (around && !opaque(getComputedStyle(around).backgroundColor)) around = around.parentElement;
  const pageBg = around ? getComputedStyle(around).backgroundColor : "rgb(255, 255, 255)";
  const style = getComputedStyle(el);
  const controlBg = opaque(style.backgroundColor) ? style.backgroundColor : pageBg;
  // A band between the ring and the control (a box-shadow) is the side of the indicator that meets the control.
  const halo = (style.boxShadow.match(/rgba?\\([^)]*\\)/) || [])[0];
  const ring = style.outlineColor;
  return {
    style: style.outlineStyle + " " + style.outlineWidth + " " + ring + (halo ? " halo " + halo : ""),
    page: ratio(ring, pageBg),
    control: Math.max(ratio(ring, controlBg), halo && opaque(halo) ? ratio(halo, controlBg) : 0),
  };
})()`;

/**
 * Guards what an accessibility audit (WCAG 2.2 AA, axe-core and the
 * keyboard) found: every main page, in English and Japanese, light and dark,
 * without a serious or critical axe violation; a focus ring that shows on any
 * background; focus that stays somewhere useful after an htmx action (never
 * the body); counts and outcomes read out through the page's one live region
 * (#flash); a form error that takes the focus and names itself in the title.
 */
describe.skipIf(!hasChromium)("in a browser: accessibility (axe-core, keyboard, focus, announcements)", () => {
  let w: BrowserWorld;
  let browser: Browser;
  let base: string;
  const ids: Record<string, string> = {};
  const contexts: BrowserContext[] = [];

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

  const anonymous = ["/login", "/register", "/forgot-password"];
  const signedIn = () => ["/account", "/people", "/admin", "/admin/users", "/admin/users?status=awaiting_approval", `/admin/users/${ids.member}`, "/admin/invitations", "/admin/approvals", "/admin/audit", "/admin/mail", `/admin/mail/${ids.mail}`, "/admin/import", "/admin/settings", "/admin/organizations", "/admin/api-keys", "/api/docs"];

  it("has no serious or critical axe violation on the main pages, in English and Japanese, light and dark", { timeout: 60_000 }, async () => {
    const found: string[] = [];
    // The two languages side by side: each its own context, logged in as the owner after the anonymous pages.
    await Promise.all(
      (["en", "ja"] as const).map(async (lang) => {
        const { context, page } = await open(browser, base, lang);
        contexts.push(context);
        const check = async (p: string) => {
          await page.goto(`${base}${p}`);
          for (const v of await bothSchemes(page)) found.push(`${lang} ${p}: ${v}`);
        };
        for (const p of anonymous) await check(p);
        await logIn(page, base, "owner");
        for (const p of signedIn()) await check(p);
      }),
    );
    expect(found.join("\n")).toBe("");
  });

  it("draws a focus ring of 3:1 or more against the page and the control, light and dark", async () => {
    const { context, page } = await open(browser, base, "en");
    contexts.push(context);
    await page.goto(`${base}/login`);
    for (const colorScheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme });
      for (const selector of ['input[name="login"]', 'main button[type="submit"]', 'a[href="/forgot-password"]']) {
        await page.locator(selector).focus();
        // Focused by script after a key press: the browser shows the ring as for the keyboard.
        await page.keyboard.press("Shift");
        const ring = await page.evaluate<{ style: string; page: number; control: number }>(RING);
        expect(ring.style, `${colorScheme} ${selector}`).toMatch(/^solid [23]/);
        expect(ring.page, `${colorScheme} ${selector}: ring against the page (${ring.style})`).toBeGreaterThanOrEqual(3);
        expect(ring.control, `${colorScheme} ${selector}: ring against the control (${ring.style})`).toBeGreaterThanOrEqual(3);
      }
    }
  });

  it("shows a message's headers without sideways scrolling at 320 px", async () => {
    const { context, page } = await open(browser, base, "en");
    contexts.push(context);
    await logIn(page, base, "owner");
    await page.setViewportSize({ width: 320, height: 640 });
    await page.goto(`${base}/admin/mail/${ids.mail}`);
    expect(await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")).toBe(true);
  });

  it("keeps focus on the outcome after an action on an account's page or a save on /account, never on the body", { timeout: 40_000 }, async () => {
    const { context, page, problems } = await open(browser, base, "en");
    contexts.push(context);
    await logIn(page, base, "owner");
    await page.goto(`${base}/admin/users/${ids.member}`);
    // Disable (after its confirmation) and Enable, by the keyboard.
    page.on("dialog", (d) => void d.accept());
    for (const [button, status] of [
      ["Disable", "Disabled"],
      ["Enable", "Active"],
      ["End all sessions", "Active"],
    ] as const) {
      await page.getByRole("button", { name: button, exact: true }).focus();
      await page.keyboard.press("Enter");
      await expect.poll(() => page.locator("#user-summary .status-badge").first().textContent()).toBe(status);
      await expect.poll(() => focused(page), { message: `after ${button}` }).toMatch(/^DIV.*\balert\b|^H[12]/);
    }
    // The profile form's Save.
    await page.locator("#f-nickname").fill("Member Zero");
    await page.locator("#user-profile button[type=submit]").focus();
    await page.keyboard.press("Enter");
    await page.locator("#user-profile .alert-ok").waitFor();
    await expect.poll(() => focused(page), { message: "after Save" }).toMatch(/^DIV.*\balert-ok\b/);

    await page.goto(`${base}/account`);
    await page.locator("#profile button[type=submit]").focus();
    await page.keyboard.press("Enter");
    await page.locator("#profile .alert-ok").waitFor();
    await expect.poll(() => focused(page), { message: "after the profile's Save" }).toMatch(/^DIV.*\balert-ok\b/);
    expect(problems).toEqual([]);
  });

  it("keeps focus on the outcome after Send, Resend and Revoke of registration requests, and after creating and revoking an API key", { timeout: 30_000 }, async () => {
    const { context, page, problems } = await open(browser, base, "en");
    contexts.push(context);
    await logIn(page, base, "owner");
    page.on("dialog", (d) => void d.accept());
    const inside = (selector: string) => page.evaluate(`Boolean(document.activeElement && document.activeElement.closest(${JSON.stringify(selector)}))`);

    await page.goto(`${base}/admin/invitations`);
    await page.locator("#f-email").fill("taro@example.test");
    await page.locator("#invite-send button[type=submit]").focus();
    await page.keyboard.press("Enter");
    await page.locator("#invite-send .ao-results").waitFor();
    // The results' summary takes the focus the Send button had: it is read out as it is focused.
    await expect.poll(() => focused(page), { message: "after Send" }).toMatch(/^P.*ao-results-summary Sent: 1/);
    for (const button of ["Resend", "Revoke"]) {
      await page.locator("#invite-list button", { hasText: button }).first().focus();
      await page.keyboard.press("Enter");
      await expect.poll(() => focused(page), { message: `after ${button}` }).toMatch(/^DIV.*\balert\b|^H2/);
      expect(await inside("#invite-list"), button).toBe(true);
    }

    await page.goto(`${base}/admin/api-keys`);
    await page.locator("#api-key-name").fill("Nightly export");
    await page.locator("#api-keys .ao-inline-create button[type=submit]").focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => focused(page), { message: "after creating a key" }).toMatch(/^P.*Nightly export/);
    // The key itself is next in the tab order.
    await page.keyboard.press("Tab");
    expect(await focused(page)).toMatch(/^INPUT#new-api-key/);
    // What an action brings in is held to the same standard as the pages (the new key's box, its warning).
    expect(await bothSchemes(page)).toEqual([]);
    await page.getByRole("button", { name: "Revoke the key Nightly export" }).focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => page.getByRole("button", { name: "Revoke the key Nightly export" }).count()).toBe(0);
    await expect.poll(() => focused(page), { message: "after Revoke" }).toMatch(/^DIV.*\balert\b|^H2/);
    expect(await inside("#api-keys")).toBe(true);
    expect(problems).toEqual([]);
  });

  it("announces the users table's count through #flash, keeps focus on a sort link, and takes Load more to the first new row", { timeout: 30_000 }, async () => {
    const { context, page, problems } = await open(browser, base, "en");
    contexts.push(context);
    await logIn(page, base, "owner");
    await page.goto(`${base}/admin/users`);
    await page.locator("#f-q").pressSequentially("member0", { delay: 30 });
    await expect.poll(() => page.locator("#users-rows tr").count()).toBe(10);
    await expect.poll(() => page.locator("#flash").textContent()).toContain("1–10 of 10");
    // The count itself is no live region of its own (it is swapped whole, and would be skipped).
    expect(await page.locator("#users-results [role=status], #users-results [aria-live]").count()).toBe(0);

    await page.goto(`${base}/admin/users`);
    const sortLink = page.locator("#users-results thead a", { hasText: "Nickname" });
    await sortLink.focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => page.url()).toContain("sort=nickname");
    await expect.poll(() => focused(page)).toMatch(/^A\b.*Nickname/);

    // A row reached by the keyboard going up shows below the sticky header row, not under it.
    // Row 11 scrolled to the frame's top edge, under the header row; row 12 in sight below it.
    const top = await page.locator("#users-rows tr:nth-child(11)").evaluate((el) => (el as unknown as { offsetTop: number }).offsetTop);
    await page.locator(".users-results .table-wrap").evaluate((el, y) => (el.scrollTop = y), top);
    await page.locator("#users-rows tr:nth-child(12) .col-userid a").focus();
    // Up two stops: the row's check box, then the account link of the row above.
    await page.keyboard.press("Shift+Tab");
    await page.keyboard.press("Shift+Tab");
    // The header cells are what sticks (the thead's own box scrolls away).
    const header = (await page.locator(".users-table thead th").first().boundingBox())!;
    const row = (await page.locator("#users-rows tr:nth-child(11)").boundingBox())!;
    expect(await focused(page)).toMatch(/^A.*member/);
    expect(row.y).toBeGreaterThanOrEqual(header.y + header.height - 1);

    await page.goto(`${base}/admin/users`);
    await page.locator("#users-more a").focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => page.locator("#users-rows tr").count()).toBe(MEMBERS + 1);
    // Focus on the 51st row's account link: where reading goes on.
    await expect.poll(() => page.evaluate("document.activeElement.closest('tr')?.rowIndex")).toBe(51);
    expect(await focused(page)).toMatch(/^A\b/);
    await expect.poll(() => page.locator("#flash").textContent()).toContain(`1–${MEMBERS + 1} of ${MEMBERS + 1}`);
    expect(problems).toEqual([]);
  });

  it("opens the create dialog on its first question, brings focus back to New account after Create another, and reads out Copy and the selection", { timeout: 30_000 }, async () => {
    const { context, page, problems } = await open(browser, base, "en");
    contexts.push(context);
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
    await logIn(page, base, "owner");
    await page.goto(`${base}/admin/users`);
    const dialog = page.locator("dialog.admin-dialog");

    await page.getByRole("link", { name: "New account" }).focus();
    await page.keyboard.press("Enter");
    await dialog.waitFor();
    await expect.poll(() => focused(page)).toMatch(/^INPUT#f-type-general/);
    await dialog.getByLabel("User ID").fill("dialog.one");
    await page.keyboard.press("Enter");
    await expect.poll(() => focused(page)).toMatch(/^H2#create-title/);
    // The outcome is said inside the dialog (everything outside a modal dialog is inert, #flash too),
    // and the table reloading behind it does not talk over it.
    const live = dialog.locator("[data-live]");
    await expect.poll(() => live.textContent()).toContain("dialog.one");
    // Once the table behind has reloaded with the new row (and a frame has passed), the outcome is still
    // what the dialog says, and nothing of the table's count was said anywhere.
    await expect.poll(() => page.locator("#users-rows").textContent()).toContain("dialog.one");
    await page.evaluate("new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))");
    expect(await live.textContent()).toContain("dialog.one");
    expect(await live.textContent()).not.toMatch(/ of \d/);
    expect(await page.locator("#flash").textContent()).not.toMatch(/ of \d/);
    // Copy keeps the focus on its button, and says so in the dialog's live region.
    await dialog.getByRole("button", { name: "Copy" }).focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => live.textContent()).toContain("Copied");
    expect(await focused(page)).toMatch(/^BUTTON.*Copied/);

    await dialog.getByRole("link", { name: "Create another" }).focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => focused(page)).toMatch(/^INPUT#f-type-general/);
    await page.keyboard.press("Escape");
    await expect.poll(() => dialog.count()).toBe(0);
    // Back on what opened the first dialog, not lost with the link that opened the second.
    await expect.poll(() => focused(page)).toMatch(/^A.*New account/);

    await page.locator('#users-rows input[name="ids"]').first().check();
    await expect.poll(() => page.locator("#flash").textContent()).toContain("1 selected");
    expect(problems).toEqual([]);
  });

  it("announces the people directory's count, not the whole list", async () => {
    const { context, page, problems } = await open(browser, base, "ja");
    contexts.push(context);
    await logIn(page, base, "owner");
    await page.goto(`${base}/people`);
    expect(await page.locator("#people-results[aria-live], #people-results [aria-live], #people-results [role=status]").count()).toBe(0);
    await page.locator("#people-q").pressSequentially("member1", { delay: 30 });
    await expect.poll(() => page.locator("#flash").textContent()).toMatch(/10\s*人/);
    expect(await page.locator("#flash").textContent()).not.toContain("member10");
    expect(problems).toEqual([]);
  });

  it("puts focus on the error summary after a wrong password, and says Error in the title", async () => {
    for (const [lang, prefix] of [
      ["en", "Error: "],
      ["ja", "エラー："],
    ] as const) {
      const { context, page } = await open(browser, base, lang);
      contexts.push(context);
      await page.goto(`${base}/login`);
      await page.locator('input[name="login"]').fill("owner");
      await page.locator('input[name="password"]').fill("not the password");
      await page.keyboard.press("Enter");
      await page.locator(".alert-error").waitFor();
      await expect.poll(() => focused(page), { message: lang }).toMatch(/^DIV.*\balert-error\b/);
      expect(await page.title()).toMatch(new RegExp(`^${prefix}`));
      expect(await bothSchemes(page)).toEqual([]);
    }
  });
});
