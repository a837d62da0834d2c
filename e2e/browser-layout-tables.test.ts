import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { hasChromium } from "./browser.js";
import { ACCOUNTS, base, boxAfterPageScroll, boxInView, browser, expectInViewport, logIn, LONG_EMAIL, ownerPage, pageFitsWidth, startLayoutWorld, textLines } from "./layout.js";

/**
 * Lists and tables: "Load more" in sight, wide tables whose main columns fit
 * or scroll inside their frame, short audit rows.
 */
describe.skipIf(!hasChromium)("in a browser: the layout on a phone and a laptop", () => {
  startLayoutWorld();

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
});
