import { describe, expect, it } from "vitest";
import { base, browser, contexts, focused, logIn, MEMBERS, open, startA11yWorld } from "./a11y.js";
import { hasChromium } from "./browser.js";

/** What is read out, and where the focus goes, as the users table, the create dialog and the people directory change. What these tests guard: e2e/a11y.ts. */
describe.skipIf(!hasChromium)("in a browser: accessibility (axe-core, keyboard, focus, announcements)", () => {
  startA11yWorld();

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
});
