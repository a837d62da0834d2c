import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, expect } from "vitest";
import { LANG_COOKIE } from "../server/app.js";
import { mailOutbox } from "../server/db/schema.js";
import { PASSWORD, api, startBrowserWorld, watchedPage, type BrowserWorld } from "./browser.js";

/**
 * The world and measures of the layout tests (browser-layout*.test.ts): what a
 * person notices of the layout, at a phone's 390×844 and a laptop's 1280×800,
 * in English and Japanese.
 */

export type Lang = "en" | "ja";
export type Device = "phone" | "laptop";
export const viewports = { phone: { width: 390, height: 844 }, laptop: { width: 1280, height: 800 } } as const;
export const LONG_EMAIL = "tanaka.hanako.very.long.email.address.for.testing@sales-division.tokyo.acme.test";
const LONG_NAME = "田中花子（営業本部 東京第一営業部 第三グループ 主任）テスト長い名前です";
/** Owner, admin, the long-named member, 64 numbered members and one in the second organization: more than the 50 of one page. */
export const ACCOUNTS = 68;

/** Created by an admin with a password, the account must change it before anything else: done here, as its owner would. */
async function createWithPassword(base: string, token: string, body: Record<string, unknown>) {
  const first = "a first password 4821";
  await api(base, "/api/v1/admin/users", token, { ...body, password: first });
  const { token: own } = (await api(base, "/api/v1/auth/login", null, { login: body.userId, password: first })) as { token: string };
  await api(base, "/api/v1/me/password", own, { currentPassword: first, newPassword: PASSWORD });
}

/** A logged-in page in `lang` at the device's size, recording console errors and failed requests. */
export async function logIn(browser: Browser, base: string, login: string, lang: Lang, device: Device) {
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
export const textLines = (l: Locator) =>
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
export async function boxInView(l: Locator): Promise<Box> {
  await l.evaluate((el) => el.scrollIntoView({ block: "center", inline: "nearest" }));
  return l.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const win = el.ownerDocument.defaultView!;
    return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width, height: r.height, vw: win.innerWidth, vh: win.innerHeight };
  });
}

/** The box after scrolling the page alone (as a thumb does) to put the element mid-window: frames that scroll sideways stay where they are. */
export async function boxAfterPageScroll(l: Locator): Promise<Box> {
  return l.evaluate((el) => {
    const win = el.ownerDocument.defaultView!;
    win.scrollBy(0, el.getBoundingClientRect().top - win.innerHeight / 2);
    const r = el.getBoundingClientRect();
    return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width, height: r.height, vw: win.innerWidth, vh: win.innerHeight };
  });
}

export function expectInViewport(b: Box, what: string) {
  expect(b.width, `${what} has a size`).toBeGreaterThan(0);
  expect(b.left, `${what}: left edge in sight`).toBeGreaterThanOrEqual(0);
  expect(b.right, `${what}: right edge in sight`).toBeLessThanOrEqual(b.vw);
  expect(b.top, `${what}: top in sight`).toBeGreaterThanOrEqual(0);
  expect(b.bottom, `${what}: bottom in sight`).toBeLessThanOrEqual(b.vh);
}

/** The page itself never scrolls sideways: wide content scrolls inside its own frame. */
export const pageFitsWidth = (page: Page) => page.evaluate<boolean>("document.documentElement.scrollWidth <= window.innerWidth");

/** The server's base URL and its Chromium; set by startLayoutWorld's beforeAll. */
export let base: string;
export let browser: Browser;
/** The owner, logged in once per language and device. */
export const owner = new Map<string, Awaited<ReturnType<typeof logIn>>>();
export const ownerPage = (lang: Lang, device: Device) => owner.get(`${lang}-${device}`)!.page;

/**
 * In the calling describe: a server and a Chromium, with two organizations,
 * ACCOUNTS accounts (long names and addresses among them), two messages the
 * mail server would not take, and the owner logged in (`owner`). When the
 * file is done, what "met no console error and no failed request on the way"
 * checks is checked of its owner pages too: each layout file has its own.
 */
export function startLayoutWorld(): void {
  let w: BrowserWorld;

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
    try {
      for (const [key, o] of owner) expect(o.problems, key).toEqual([]);
    } finally {
      await w?.close();
    }
  });
}
