import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Locator } from "playwright-core";
import { describe, expect, it } from "vitest";
import { PASSWORD, api, hasChromium } from "./browser.js";
import { killChildren, spawnServer } from "./process.js";
import { base, boxInView, browser, expectInViewport, logIn, owner, ownerPage, pageFitsWidth, startLayoutWorld, textLines, viewports } from "./layout.js";

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

/**
 * The top bar, the controls and the page around the tables: words never
 * broken in the top bar, the language switch, normal-sized radio buttons,
 * results before the group tree on a phone, the admin tabs, the storage card.
 */
describe.skipIf(!hasChromium)("in a browser: the layout on a phone and a laptop", () => {
  startLayoutWorld();

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
