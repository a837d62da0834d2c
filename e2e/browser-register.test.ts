import { desc, eq } from "drizzle-orm";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../server/db/client.js";
import { mailOutbox } from "../server/db/schema.js";
import { PASSWORD, hasChromium, startBrowserWorld, watchedPage, type BrowserWorld } from "./browser.js";

const SCREENSHOT = "/tmp/roster-account.png";

/**
 * A real server on a real port, its own temp-file database, and Chromium
 * driving the pages as a person would: register, confirm by the mailed
 * link, log in, edit the profile through htmx, switch to Japanese.
 */
describe.skipIf(!hasChromium)("in a browser: register, confirm, log in, edit, switch language", () => {
  let w: BrowserWorld;
  let db: Db;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    w = await startBrowserWorld("roster-e2e-");
    ({ base, db, browser } = w);
  });

  afterAll(async () => {
    await w?.close();
  });

  /** The first link to this server in the newest mail to `to` (the outbox, as the harness's mailbox reads it). */
  function linkInMail(to: string): string {
    const mail = db.select().from(mailOutbox).where(eq(mailOutbox.toAddress, to)).orderBy(desc(mailOutbox.createdAt), desc(mailOutbox.id)).get();
    const url = mail?.text.match(/https?:\/\/127\.0\.0\.1:\d+\/\S+/)?.[0];
    if (!url) throw new Error(`no link in the mail to ${to}: ${mail?.text}`);
    return url;
  }

  it("works end to end", { timeout: 90_000 }, async () => {
    // An owner exists already (the API, as a headless install would).
    const owner = await fetch(`${base}/api/v1/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "owner@acme.test", password: PASSWORD, userId: "owner", organizationName: "Acme" }),
    });
    expect(owner.status).toBe(201);

    const { context, page, problems } = await watchedPage(browser, { locale: "en-US", viewport: { width: 1100, height: 900 } });

    await page.goto(`${base}/register`);
    await expect.poll(() => page.locator("h1").textContent()).toBe("Create an account");
    await page.getByLabel("Email address").fill("hanako@acme.test");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByLabel("User ID").fill("hanako");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByRole("heading", { name: "Check your mail" }).waitFor();

    // The link shows the address and asks for a press: opening it confirms nothing (mail filters open links).
    await page.goto(linkInMail("hanako@acme.test"));
    await page.getByRole("heading", { name: "Confirm your email address" }).waitFor();
    expect(await page.locator("main").textContent()).toContain("hanako@acme.test");
    await page.getByRole("button", { name: "Confirm" }).click();
    await page.getByRole("heading", { name: "Email confirmed" }).waitFor();
    await page.getByRole("link", { name: "Log in" }).last().click();

    await page.getByLabel("Email address or user ID").fill("hanako@acme.test");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(`${base}/account`);
    expect(await page.locator("#account-user-id").textContent()).toBe("hanako");

    // The profile form posts through htmx: the page itself stays, only the section is swapped.
    await page.evaluate("window.__sameDocument = true");
    await page.locator("#f-nickname").fill("Hanako Sato");
    await page.locator("#f-groupName").fill(" Sales / Tokyo//Team A ");
    await page.getByRole("button", { name: "Save profile" }).click();
    await page.locator("#profile .alert-ok").waitFor();
    expect(await page.locator("#profile .alert-ok").textContent()).toContain("Your profile is saved.");
    expect(await page.locator("#whoami").textContent()).toBe("Hanako Sato");
    expect(await page.locator("#account-title").textContent()).toBe("Hanako Sato");
    expect(await page.locator("#f-groupName").inputValue()).toBe("Sales/Tokyo/Team A");
    expect(await page.evaluate("window.__sameDocument === true")).toBe(true);

    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    await page.getByRole("button", { name: "日本語" }).click();
    await page.waitForFunction("document.documentElement.lang === 'ja'");
    await page.getByRole("heading", { name: "プロフィール" }).waitFor();
    expect(await page.locator("body").textContent()).toContain("セッション");
    expect(page.url()).toBe(`${base}/account`);

    expect(problems).toEqual([]);
    await context.close();
  });
});
