import { describe, expect, it } from "vitest";
import { base, bothSchemes, browser, contexts, focused, ids, logIn, open, startA11yWorld } from "./a11y.js";
import { hasChromium } from "./browser.js";

/** Where the focus goes after an action, a save or a refused log in. What these tests guard: e2e/a11y.ts. */
describe.skipIf(!hasChromium)("in a browser: accessibility (axe-core, keyboard, focus, announcements)", () => {
  startA11yWorld();

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
