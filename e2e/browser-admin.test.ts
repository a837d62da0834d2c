import { readFileSync } from "node:fs";
import { type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PASSWORD, hasChromium, startBrowserWorld, watchedPage, type BrowserWorld } from "./browser.js";

const SCREENSHOT = "/tmp/roster-admin-users.png";

const people = [
  ["tanaka.taro", "田中 太郎", "Sales/Tokyo"], ["tanabe.yui", "田辺 結衣", "Sales/Osaka"], ["suzuki.ken", "鈴木 健", "Engineering/Platform"],
  ["sato.hana", "Hanako Sato", "Engineering/Mobile"], ["ito.jun", "伊藤 純", "Support"], ["watanabe.mei", "Mei Watanabe", "Support/Night"],
  ["yamamoto.ryo", "山本 涼", "Finance"], ["nakamura.aoi", "中村 葵", "Design"], ["kobayashi.sho", "Sho Kobayashi", "Engineering/Platform"],
  ["kato.rin", "加藤 凛", "Sales/Tokyo/Team A"], ["yoshida.kai", "吉田 海", "Legal"], ["yamada.emi", "Emi Yamada", "Marketing"],
  ["sasaki.dai", "佐々木 大", "Engineering/Data"], ["yamaguchi.nao", "山口 直", "HR"], ["matsumoto.ko", "Ko Matsumoto", "Sales/Nagoya"],
  ["inoue.sora", "井上 空", "Support"], ["kimura.ren", "木村 蓮", "Design"], ["hayashi.mio", "Mio Hayashi", "Engineering/Mobile"],
  ["shimizu.gen", "清水 玄", "Finance"], ["yamazaki.ai", "山崎 愛", "Marketing"], ["mori.haru", "Haru Mori", "Sales/Tokyo"],
  ["abe.kou", "阿部 航", "Engineering/Platform"], ["ikeda.yuna", "池田 優奈", "HR"], ["hashimoto.tsubasa", "Tsubasa Hashimoto", "Operations"],
  ["ishikawa.rei", "石川 玲", "Operations"], ["ogawa.sakura", "小川 さくら", "Support/Night"], ["okada.ken", "Ken Okada", "Legal"],
] as const;

/**
 * A real server on a real port with ~30 accounts, and Chromium driving the
 * users table as an admin would: search as you type, open an account, edit
 * it, disable it, export the search.
 */
describe.skipIf(!hasChromium)("in a browser: the admin users pages", () => {
  let w: BrowserWorld;
  let browser: Browser;
  let base: string;

  const api = async (p: string, token: string | null, body?: unknown) => {
    const r = await fetch(`${base}${p}`, {
      method: body === undefined ? "GET" : "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (r.status >= 400) throw new Error(`${p}: ${r.status} ${await r.text()}`);
    return (await r.json()) as Record<string, unknown>;
  };

  beforeAll(async () => {
    w = await startBrowserWorld("roster-e2e-admin-");
    ({ base, browser } = w);

    // The owner and about thirty accounts, through the API as a script would.
    await api("/api/v1/auth/register", null, { email: "owner@acme.test", password: PASSWORD, userId: "owner", organizationName: "Acme" });
    const { token } = (await api("/api/v1/auth/login", null, { login: "owner", password: PASSWORD })) as { token: string };
    await api("/api/v1/admin/users", token, { type: "admin", userId: "ada", nickname: "Ada Admin", email: "ada@acme.test", password: PASSWORD, groupName: "IT" });
    for (const [i, [userId, nickname, groupName]] of people.entries()) {
      // Every third one still has to choose a password (invited); the others are active.
      const body = { userId, nickname, groupName, email: `${userId}@acme.test`, ...(i % 3 === 2 ? {} : { password: PASSWORD }) };
      const created = (await api("/api/v1/admin/users", token, body)) as { user: { id: string } };
      if (i % 9 === 5) await api(`/api/v1/admin/users/${created.user.id}/disable`, token, {});
      if (i % 4 === 0 && i % 3 !== 2) await api("/api/v1/auth/login", null, { login: userId, password: PASSWORD });
    }
  });

  afterAll(async () => {
    await w?.close();
  });

  const rows = (page: Page) => page.locator("#users-rows tr:not(#users-more)");

  it("searches as you type, edits and disables an account, exports the search", { timeout: 90_000 }, async () => {
    const { context, page, problems } = await watchedPage(browser, { locale: "en-US", viewport: { width: 1280, height: 900 } });

    await page.goto(`${base}/admin/users`);
    await page.waitForURL(/\/login\?next=%2Fadmin%2Fusers$/);
    await page.getByLabel("Email address or user ID").fill("ada");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    // Created with a password, ada must change it first: the admin console leads back to the form until she has.
    await page.waitForURL(/\/account/);
    await page.goto(`${base}/admin/users`);
    await page.waitForURL(/\/account\?notice=must_change_password/);
    const chosen = "ada's own passphrase 2026";
    await page.getByLabel("Current password").fill(PASSWORD);
    await page.getByLabel("New password", { exact: true }).fill(chosen);
    await page.getByLabel("New password again").fill(chosen);
    await page.getByRole("button", { name: "Change password" }).click();
    await page.getByText("Your password is changed.").waitFor();
    await page.goto(`${base}/admin/users`);
    await page.getByRole("heading", { name: "Users" }).waitFor();
    expect(await rows(page).count()).toBe(people.length + 2);

    // Typing narrows the table in place: the same document, a new URL in the history.
    await page.evaluate("window.__sameDocument = true");
    await page.locator("#f-q").pressSequentially("tana", { delay: 40 });
    // A substring anywhere in the user ID, email or nickname: watanabe matches too.
    await expect.poll(() => rows(page).count()).toBe(3);
    expect(await rows(page).locator(".col-userid").allTextContents()).toEqual(["tanabe.yui", "tanaka.taro", "watanabe.mei"]);
    expect(await page.locator(".results-count").textContent()).toBe("1–3 of 3");
    await expect.poll(() => page.url()).toBe(`${base}/admin/users?q=tana`);
    expect(await page.evaluate("window.__sameDocument === true")).toBe(true);

    // The export link carries the search: a CSV with a BOM, the header line, and the three accounts.
    const [download] = await Promise.all([page.waitForEvent("download"), page.locator(".results-export a", { hasText: "CSV" }).click()]);
    const file = readFileSync(await download.path(), "utf8");
    expect(file.charCodeAt(0)).toBe(0xfeff);
    const lines = file.slice(1).trim().split(/\r?\n/);
    expect(lines[0]).toMatch(/^id,userId,email,type,status,organization,nickname,groupName,/);
    expect(lines.slice(1).map((l) => l.split(",")[1])).toEqual(["tanabe.yui", "tanaka.taro", "watanabe.mei"]);

    // Back shows the unfiltered table again; reload of the search URL shows the search, input filled in.
    await page.goBack();
    await expect.poll(() => page.url()).toBe(`${base}/admin/users`);
    await expect.poll(() => rows(page).count()).toBe(people.length + 2);
    await page.goForward();
    await expect.poll(() => page.url()).toBe(`${base}/admin/users?q=tana`);
    await page.reload();
    expect(await page.locator("#f-q").inputValue()).toBe("tana");
    expect(await rows(page).count()).toBe(3);

    // Open an account, rename it, disable it: each answer swaps the account's region in place.
    await page.getByRole("link", { name: "tanaka.taro" }).click();
    await page.getByRole("heading", { name: "田中 太郎" }).waitFor();
    await page.evaluate("window.__sameDocument = true");
    await page.locator("#f-nickname").fill("Taro Tanaka");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByRole("heading", { name: "Taro Tanaka" }).waitFor();
    expect(await page.locator("#user-profile .alert-ok").textContent()).toContain("The account is saved.");
    expect(await page.locator("#user-summary .status-badge").first().textContent()).toBe("Active");
    // A temporary password the server refuses (a common one) is said under its field, which takes focus.
    await page.locator("#f-temporary-password").fill("password123");
    await page.getByRole("button", { name: "Set temporary password" }).click();
    await page.locator("#f-temporary-password-error").waitFor();
    // Focus moves once htmx has settled the swap, a moment after the error is in the page.
    await expect.poll(() => page.evaluate("document.activeElement && document.activeElement.id")).toBe("f-temporary-password");
    expect(await page.locator("#f-temporary-password").inputValue()).toBe("password123");
    // That refusal is the one 400 this page may show: the watch of the console and responses goes on from here.
    expect(problems.join("\n")).toMatch(/^400 \S+\/temporary-password\nFailed to load resource: the server responded with a status of 400 \(Bad Request\)$/);
    problems.length = 0;
    // Disabling asks first (it ends every session at once): the admin says yes.
    page.once("dialog", (d) => void d.accept());
    await page.getByRole("button", { name: "Disable" }).click();
    await expect.poll(() => page.locator("#user-summary .status-badge").first().textContent()).toBe("Disabled");
    expect(await page.locator("#user-admin > .alert-ok").textContent()).toContain("all its sessions were ended");
    expect(await page.getByRole("button", { name: "Enable" }).isVisible()).toBe(true);
    expect(await page.evaluate("window.__sameDocument === true")).toBe(true);
    await page.screenshot({ path: "/tmp/roster-admin-user.png", fullPage: true });

    // Back in the table, the search comes back from the URL and the row shows the change.
    await page.goto(`${base}/admin/users?q=tanaka`);
    expect(await page.locator("#f-q").inputValue()).toBe("tanaka");
    expect(await rows(page).first().textContent()).toContain("Taro Tanaka");
    expect(await rows(page).first().locator(".status-badge").textContent()).toBe("Disabled");

    // Screenshots last: Playwright leaves empty style attributes behind, which htmx's history would then trip the CSP on.
    await page.goto(`${base}/admin/users`);
    await page.screenshot({ path: SCREENSHOT, fullPage: false });
    await page.goto(`${base}/admin`);
    await page.getByRole("heading", { name: "Recent activity" }).waitFor();
    await page.screenshot({ path: "/tmp/roster-admin-dashboard.png", fullPage: true });

    expect(problems).toEqual([]);
    await context.close();
  });

  it("creates an account in the dialog over the table, and fits a phone", { timeout: 60_000 }, async () => {
    const { context, page, problems } = await watchedPage(browser, { locale: "en-US", viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }, { responses: false });
    await page.goto(`${base}/login?next=%2Fadmin%2Fusers`);
    await page.getByLabel("Email address or user ID").fill("owner");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(`${base}/admin/users`);

    // On a phone the table scrolls sideways inside its frame; the page itself does not.
    const wrap = page.locator(".users-results .table-wrap");
    expect(await wrap.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
    expect(await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")).toBe(true);

    await page.getByRole("link", { name: "New account" }).click();
    const dialog = page.locator("dialog.admin-dialog");
    await dialog.waitFor();
    expect(await dialog.evaluate((d) => d.matches("[open]:modal"))).toBe(true);
    await dialog.getByLabel("User ID").fill("newbie");
    await dialog.getByLabel("Nickname").fill("New Person");
    await dialog.getByRole("button", { name: "Create account" }).click();
    // No email, no password: the one-time setup link, in a field to copy.
    await dialog.getByRole("heading", { name: "Account created" }).waitFor();
    expect(await dialog.locator("#setup-url").inputValue()).toMatch(/\/setup\?token=/);
    // Focus stays in the dialog, on what replaced the form (not lost to the page's body).
    await expect.poll(() => page.evaluate("document.activeElement && document.activeElement.id")).toBe("create-title");
    // The table behind the dialog has reloaded itself with the new account.
    await expect.poll(() => page.locator("#users-rows").textContent()).toContain("newbie");
    await dialog.getByRole("button", { name: "Close" }).click();
    await expect.poll(() => page.locator("dialog").count()).toBe(0);
    await page.screenshot({ path: "/tmp/roster-admin-users-phone.png" });

    expect(problems).toEqual([]);
    await context.close();
  });
});
