import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LANG_COOKIE } from "../server/app.js";
import { mailOutbox } from "../server/db/schema.js";
import { PASSWORD, api, hasChromium, startBrowserWorld, watchedPage, type BrowserWorld } from "./browser.js";
import { killChildren, spawnServer } from "./process.js";

type Lang = "en" | "ja";
type Device = "phone" | "laptop";
const viewports = { phone: { width: 390, height: 844 }, laptop: { width: 1280, height: 800 } } as const;
const LONG_EMAIL = "tanaka.hanako.very.long.email.address.for.testing@sales-division.tokyo.acme.test";
const LONG_NAME = "田中花子（営業本部 東京第一営業部 第三グループ 主任）テスト長い名前です";
/** Owner, admin, the long-named member, 64 numbered members and one in the second organization: more than the 50 of one page. */
const ACCOUNTS = 68;

/** Created by an admin with a password, the account must change it before anything else: done here, as its owner would. */
async function createWithPassword(base: string, token: string, body: Record<string, unknown>) {
  const first = "a first password 4821";
  await api(base, "/api/v1/admin/users", token, { ...body, password: first });
  const { token: own } = (await api(base, "/api/v1/auth/login", null, { login: body.userId, password: first })) as { token: string };
  await api(base, "/api/v1/me/password", own, { currentPassword: first, newPassword: PASSWORD });
}

/** A logged-in page in `lang` at the device's size, recording console errors and failed requests. */
async function logIn(browser: Browser, base: string, login: string, lang: Lang, device: Device) {
  const phone = device === "phone";
  const w = await watchedPage(browser, { locale: lang === "ja" ? "ja-JP" : "en-US", viewport: viewports[device], isMobile: phone, hasTouch: phone });
  // The language chosen on this device wins over the account's own.
  await w.context.addCookies([{ name: LANG_COOKIE, value: lang, url: base }]);
  await w.page.goto(`${base}/login`);
  await w.page.locator('input[name="login"]').fill(login);
  await w.page.locator('input[name="password"]').fill(PASSWORD);
  await Promise.all([w.page.waitForURL((u) => !u.pathname.startsWith("/login")), w.page.locator('main button[type="submit"]').click()]);
  return w;
}

/** How many lines the element's text takes: one line box per distinct top among its fragments. */
const textLines = (l: Locator) =>
  l.evaluate((el) => {
    const range = el.ownerDocument.createRange();
    range.selectNodeContents(el);
    return new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top))).size;
  });

interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
  width: number;
  height: number;
  /** The window's size. */
  vw: number;
  vh: number;
}

/** The element's box as the user sees it, after the page (and any frame it scrolls in) brought it into view. */
async function boxInView(l: Locator): Promise<Box> {
  await l.evaluate((el) => el.scrollIntoView({ block: "center", inline: "nearest" }));
  return l.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const win = el.ownerDocument.defaultView!;
    return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width, height: r.height, vw: win.innerWidth, vh: win.innerHeight };
  });
}

/** The box after scrolling the page alone (as a thumb does) to put the element mid-window: frames that scroll sideways stay where they are. */
async function boxAfterPageScroll(l: Locator): Promise<Box> {
  return l.evaluate((el) => {
    const win = el.ownerDocument.defaultView!;
    win.scrollBy(0, el.getBoundingClientRect().top - win.innerHeight / 2);
    const r = el.getBoundingClientRect();
    return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width, height: r.height, vw: win.innerWidth, vh: win.innerHeight };
  });
}

function expectInViewport(b: Box, what: string) {
  expect(b.width, `${what} has a size`).toBeGreaterThan(0);
  expect(b.left, `${what}: left edge in sight`).toBeGreaterThanOrEqual(0);
  expect(b.right, `${what}: right edge in sight`).toBeLessThanOrEqual(b.vw);
  expect(b.top, `${what}: top in sight`).toBeGreaterThanOrEqual(0);
  expect(b.bottom, `${what}: bottom in sight`).toBeLessThanOrEqual(b.vh);
}

/** What makes a dashboard tile look the size it does: its width, padding and border, and the figure's type size. */
const tileLook = (l: Locator) =>
  l.first().evaluate(
    (el) => {
      const win = el.ownerDocument.defaultView!;
      const style = win.getComputedStyle(el);
      const figure = el.querySelector("dd, .tile-n")!;
      return { width: Math.round(el.getBoundingClientRect().width), padding: style.padding, border: style.borderTopWidth, figure: win.getComputedStyle(figure).fontSize };
    },
    undefined,
    { timeout: 5_000 },
  );

/** The page itself never scrolls sideways: wide content scrolls inside its own frame. */
const pageFitsWidth = (page: Page) => page.evaluate<boolean>("document.documentElement.scrollWidth <= window.innerWidth");

/**
 * What a person notices of the layout, at a phone's 390×844 and a laptop's
 * 1280×800, in English and Japanese: words never broken in the top bar,
 * "Load more" in sight, normal-sized radio buttons, wide tables whose main
 * columns fit or scroll inside their frame, short audit rows, results before
 * the group tree on a phone.
 */
describe.skipIf(!hasChromium)("in a browser: the layout on a phone and a laptop", () => {
  let w: BrowserWorld;
  let browser: Browser;
  let base: string;
  /** The owner, logged in once per language and device. */
  const owner = new Map<string, Awaited<ReturnType<typeof logIn>>>();
  const ownerPage = (lang: Lang, device: Device) => owner.get(`${lang}-${device}`)!.page;

  beforeAll(async () => {
    w = await startBrowserWorld("roster-e2e-layout-");
    ({ base, browser } = w);
    await api(base, "/api/v1/auth/register", null, { email: "owner@acme.test", password: PASSWORD, userId: "owner", nickname: "山田 オーナー", organizationName: "株式会社アクメ" });
    const { token } = (await api(base, "/api/v1/auth/login", null, { login: "owner", password: PASSWORD })) as { token: string };
    // A second organization, its domains making a long audit detail.
    const beta = (await api(base, "/api/v1/admin/organizations", token, { name: "Beta Logistics 物流センター", domains: ["beta.example", "beta-logistics.example", "logistics.beta.example", "warehouse.tokyo.beta.example"] })) as { id: string };
    await createWithPassword(base, token, { type: "admin", userId: "sato.admin", nickname: "佐藤 管理者", email: "sato.admin@acme.test", groupName: "情報システム部" });
    await createWithPassword(base, token, { userId: "tanaka.hanako", nickname: LONG_NAME, email: LONG_EMAIL, groupName: "営業本部/東京第一営業部/第三グループ" });
    for (let i = 0; i < 64; i++) {
      await api(base, "/api/v1/admin/users", token, { userId: `user${String(i).padStart(3, "0")}`, nickname: i % 2 ? `社員 ${i} 号` : `Employee ${i}`, email: `user${i}@acme.test`, groupName: ["営業部/東京", "開発部/基盤", "総務部", "Support"][i % 4] });
    }
    await api(base, "/api/v1/admin/users", token, { userId: "beta.member", nickname: "ベータ 社員", email: "beta.member@beta.example", organizationId: beta.id });
    // Two messages the mail server would not take, with its long answer: they show "Retry now".
    const now = Date.now();
    for (const [i, status] of (["failed", "deferred"] as const).entries()) {
      w.db
        .insert(mailOutbox)
        .values({ id: `layout-${status}`, kind: "password_reset", fromAddress: "Roster <no-reply@acme.test>", toAddress: LONG_EMAIL, subject: "パスワードの再設定のご案内（このメールに心当たりがない場合は無視してください）", text: "-", status, attempts: 5, lastError: "421 4.7.0 mx.sales-division.tokyo.acme.test Error: too many connections from your IP address, try again later", createdAt: new Date(now - i * 60_000), nextAttemptAt: new Date(now + 3_600_000) })
        .run();
    }
    for (const lang of ["en", "ja"] as const) for (const device of ["phone", "laptop"] as const) owner.set(`${lang}-${device}`, await logIn(browser, base, "owner", lang, device));
  });

  afterAll(async () => {
    await w?.close();
  });

  it("keeps every top-bar link and Log out on one line, never broken inside a word (Administrati/on, ログアウ/ト)", async () => {
    for (const [key, { page }] of owner) {
      for (const p of ["/account", "/admin/users"]) {
        await page.goto(`${base}${p}`);
        const items = page.locator(".topbar a, .topbar button");
        for (const item of await items.all()) {
          const name = `${key} ${p}: "${await item.textContent()}"`;
          expect(await textLines(item), name).toBe(1);
          const box = await item.boundingBox();
          expect(box!.x + box!.width, `${name} is in the window`).toBeLessThanOrEqual(viewports[key.endsWith("phone") ? "phone" : "laptop"].width);
        }
        expect(await pageFitsWidth(page), `${key} ${p}`).toBe(true);
      }
    }
    // A long name is cut with an ellipsis rather than pushing Log out off a phone.
    const { context, page, problems } = await logIn(browser, base, "tanaka.hanako", "ja", "phone");
    const name = page.locator(".whoami-link");
    expect(await name.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
    expect(await textLines(name)).toBe(1);
    const logout = page.locator('.topbar form[action="/logout"] button');
    expect(await textLines(logout)).toBe(1);
    expectInViewport(await boxInView(logout), "ログアウト");
    expect(problems).toEqual([]);
    await context.close();
  });

  it("shows the users list's Load more in the window on a phone, even scrolled sideways, and it still loads the rest", async () => {
    for (const lang of ["en", "ja"] as const) {
      const page = ownerPage(lang, "phone");
      await page.goto(`${base}/admin/users`);
      const more = page.locator("#users-more a");
      expectInViewport(await boxAfterPageScroll(more), `${lang}: Load more`);
      await page.locator(".users-results .table-wrap").evaluate((el) => (el.scrollLeft = el.scrollWidth));
      expectInViewport(await boxAfterPageScroll(more), `${lang}: Load more, the table scrolled to its last column`);
      await more.click();
      await expect.poll(() => page.locator("#users-rows tr:not(#users-more)").count()).toBe(ACCOUNTS);
      expect(await page.locator("#users-more").count()).toBe(0);
      // The count above the table follows the rows on screen.
      expect(await page.locator("#users-count").textContent()).toContain(lang === "ja" ? `${ACCOUNTS}件中 1–${ACCOUNTS}件` : `1–${ACCOUNTS} of ${ACCOUNTS}`);
    }
  });

  it("switches language on the page as htmx left it: a search typed, then 日本語, keeps the search", async () => {
    const page = ownerPage("en", "laptop");
    await page.goto(`${base}/admin/users`);
    await page.locator("#f-q").fill("tanaka");
    await page.waitForURL((u) => u.searchParams.get("q") === "tanaka");
    await Promise.all([page.waitForURL((u) => u.pathname === "/admin/users" && u.searchParams.get("q") === "tanaka" && !u.pathname.startsWith("/lang")), page.locator('button.lang[lang="ja"]').click()]);
    expect(await page.locator("html").getAttribute("lang")).toBe("ja");
    expect(await page.locator("#f-q").inputValue()).toBe("tanaka");
    // Back to English for the tests after this one.
    await Promise.all([page.waitForURL((u) => u.pathname === "/admin/users"), page.locator('button.lang[lang="en"]').click()]);
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
  });

  it("draws every radio button at its normal size, not as a circle half a card wide", async () => {
    for (const device of ["phone", "laptop"] as const) {
      const page = ownerPage("ja", device);
      for (const p of ["/admin/users/new", "/admin/settings", "/admin/invitations"]) {
        await page.goto(`${base}${p}`);
        const radios = await page.locator('main input[type="radio"]').all();
        expect(radios.length, p).toBeGreaterThan(1);
        for (const r of radios) {
          const b = (await r.boundingBox())!;
          expect(Math.max(b.width, b.height), `${device} ${p}`).toBeLessThan(32);
        }
      }
      // The same form in the dialog over the users table.
      await page.goto(`${base}/admin/users`);
      await page.locator('a[href="/admin/users/new"]').first().click();
      const dialog = page.locator("dialog.admin-dialog");
      await dialog.waitFor();
      for (const r of await dialog.locator('input[type="radio"]').all()) {
        const b = (await r.boundingBox())!;
        expect(Math.max(b.width, b.height), `${device} dialog`).toBeLessThan(32);
      }
      await page.keyboard.press("Escape");
      await expect.poll(() => dialog.count()).toBe(0);
    }
  });

  it("fits the users and mail tables' main columns on a 1280px laptop, for the owner and an admin", async () => {
    const admin = await logIn(browser, base, "sato.admin", "en", "laptop");
    const pages: [string, Page][] = [...(["en", "ja"] as const).map((lang): [string, Page] => [`owner ${lang}`, ownerPage(lang, "laptop")]), ["admin en", admin.page]];
    for (const [who, page] of pages) {
      await page.goto(`${base}/admin/users`);
      // Dates in the reader's zone and format, not the server's UTC "2026-12-04".
      const day = await page.locator(".users-table time[data-local='date']").first().textContent();
      expect(day, `${who}: a date as the reader writes it`).toMatch(who.endsWith("ja") ? /^\d{4}\/\d{2}\/\d{2}$/ : /^\d{2}\/\d{2}\/\d{4}$/);
      const wrap = page.locator(".users-results .table-wrap");
      expect(await wrap.evaluate((el) => el.scrollWidth <= el.clientWidth), `${who}: the users table needs no sideways scrolling`).toBe(true);
      for (const th of await page.locator(".users-table thead th").all()) expectInViewport(await boxInView(th), `${who}: users column "${await th.textContent()}"`);
      // Long text wraps within its narrow column, all of it in sight (never cut to a tooltip the keyboard cannot read).
      const email = page.locator(".users-table td.col-email", { hasText: "tanaka.hanako" });
      expect(await email.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
      expect(await textLines(email)).toBeGreaterThan(1);
      expect(await pageFitsWidth(page)).toBe(true);
      await page.goto(`${base}/admin/mail`);
      const mailWrap = page.locator(".mail-results .ao-table-wrap");
      expect(await mailWrap.evaluate((el) => el.scrollWidth <= el.clientWidth), `${who}: the mail table needs no sideways scrolling`).toBe(true);
      for (const th of await page.locator(".mail-table thead th").all()) expectInViewport(await boxInView(th), `${who}: mail column "${await th.textContent()}"`);
      const retry = page.locator(".mail-actions button");
      expect(await retry.count()).toBe(2);
      for (const b of await retry.all()) expectInViewport(await boxInView(b), `${who}: Retry now`);
      const to = page.locator("td.mail-to", { hasText: "tanaka.hanako" }).first();
      expect(await to.textContent()).toBe(LONG_EMAIL);
      expect(await to.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    }
    expect(admin.problems).toEqual([]);
    await admin.context.close();
  });

  it("keeps wide tables inside their frame on a phone: the last column and buttons are reached by scrolling the table, not the page", async () => {
    for (const lang of ["en", "ja"] as const) {
      const page = ownerPage(lang, "phone");
      for (const [p, cell] of [
        ["/admin/users", ".users-table thead th:last-child"],
        ["/admin/mail", ".mail-actions button"],
        ["/admin", ".admin-dashboard .data-table thead th:last-child"],
        ["/admin/audit", ".ao-audit thead th:last-child"],
      ] as const) {
        await page.goto(`${base}${p}`);
        const target = page.locator(cell).first();
        // Inside a frame that scrolls sideways, and the page itself does not.
        expect(await target.evaluate((el) => el.closest(".table-wrap, .ao-table-wrap")!.scrollWidth > el.closest(".table-wrap, .ao-table-wrap")!.clientWidth), `${lang} ${p}`).toBe(true);
        expectInViewport(await boxInView(target), `${lang} ${p}: ${cell}`);
        expect(await pageFitsWidth(page), `${lang} ${p}`).toBe(true);
      }
      // The dashboard's recent activity scrolls instead of squeezing its columns to a letter a line.
      await page.goto(`${base}/admin`);
      for (const row of await page.locator(".admin-dashboard .data-table tbody tr").all()) expect((await row.boundingBox())!.height).toBeLessThan(45);
    }
  });

  it("keeps audit rows short on a phone: the JSON detail is one cut line that opens in full", async () => {
    const page = ownerPage("ja", "phone");
    await page.goto(`${base}/admin/audit`);
    for (const row of await page.locator(".ao-audit tbody tr").all()) expect((await row.boundingBox())!.height).toBeLessThan(80);
    await page.goto(`${base}/admin/audit?action=admin.organization_created`);
    const detail = page.locator(".ao-detail").first();
    const summary = detail.locator("summary");
    expect(await summary.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
    await boxInView(summary);
    await summary.click();
    expect(await detail.evaluate((el) => el.open)).toBe(true);
    expect(await summary.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    expect(await summary.textContent()).toContain("warehouse.tokyo.beta.example");
  });

  it("puts the people found before the group tree on a phone, beside it on a laptop", async () => {
    for (const device of ["phone", "laptop"] as const) {
      const page = ownerPage("en", device);
      await page.goto(`${base}/people`);
      const results = (await page.locator("#people-results").boundingBox())!;
      const tree = (await page.locator(".group-tree").boundingBox())!;
      if (device === "phone") expect(results.y + results.height).toBeLessThanOrEqual(tree.y);
      else expect(tree.x + tree.width).toBeLessThanOrEqual(results.x);
    }
  });

  it("shows the organizations' Edit on a phone and scrolls the current admin tab into sight", async () => {
    for (const lang of ["en", "ja"] as const) {
      const page = ownerPage(lang, "phone");
      await page.goto(`${base}/admin/organizations`);
      for (const edit of await page.locator(".ao-orgs .ao-row-actions a").all()) {
        await edit.evaluate((el) => el.scrollIntoView({ block: "center" }));
        const b = (await edit.boundingBox())!;
        expect(b.x + b.width, `${lang}: Edit`).toBeLessThanOrEqual(viewports.phone.width);
      }
      for (const p of ["/admin/organizations", "/admin/mail", "/admin/audit"]) {
        await page.goto(`${base}${p}`);
        const tab = (await page.locator(".admin-nav a[aria-current]").boundingBox())!;
        const list = (await page.locator(".admin-nav ul").boundingBox())!;
        expect(tab.x, `${lang} ${p}`).toBeGreaterThanOrEqual(list.x - 1);
        expect(tab.x + tab.width, `${lang} ${p}`).toBeLessThanOrEqual(list.x + list.width + 1);
      }
    }
  });

  it("met no console error and no failed request on the way", () => {
    for (const [key, o] of owner) expect(o.problems, key).toEqual([]);
  });

  it("sizes the storage card's figures like the dashboard's other tiles (a server with its data on disk)", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "roster-e2e-layout-disk-"));
    try {
      const s = await spawnServer(dir);
      await api(s.base, "/api/v1/auth/register", null, { email: "owner@disk.test", password: PASSWORD, userId: "owner", organizationName: "Disk" });
      for (const lang of ["en", "ja"] as const) {
        const { context, page, problems } = await logIn(browser, s.base, "owner", lang, "laptop");
        await page.goto(`${s.base}/admin`);
        const mail = await tileLook(page.locator('section[aria-labelledby="mail-title"] .tile > div'));
        const storage = await tileLook(page.locator(".storage-tiles > .tile"));
        expect(storage, lang).toEqual(mail);
        expect(problems).toEqual([]);
        await context.close();
      }
      s.proc.kill("SIGTERM");
      await new Promise((resolve) => s.proc.once("exit", resolve));
    } finally {
      killChildren();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
