import { desc, eq } from "drizzle-orm";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../server/db/client.js";
import { mailOutbox } from "../server/db/schema.js";
import { PASSWORD, hasChromium, startBrowserWorld, watchedPage, type BrowserWorld } from "./browser.js";

const SCREENSHOT = "/tmp/roster-invite.png";

/**
 * A registration request to a personal account, followed in a real browser:
 * open the mailed link, log in on that page with the current password, read
 * the confirmation, press Register, land on the account page in the
 * organization.
 */
describe.skipIf(!hasChromium)("in a browser: a personal account accepts a registration request", () => {
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

  /** The newest mail to `to`, as the outbox holds it. */
  const mailTo = (to: string) => db.select().from(mailOutbox).where(eq(mailOutbox.toAddress, to)).orderBy(desc(mailOutbox.createdAt), desc(mailOutbox.id)).get();

  async function api(p: string, body: unknown, token?: string) {
    const r = await fetch(`${base}/api/v1${p}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    if (r.status >= 300) throw new Error(`${p}: ${r.status} ${await r.text()}`);
    return (await r.json()) as Record<string, unknown>;
  }

  it("logs in on the invite page, confirms, and lands on /account in the organization", { timeout: 90_000 }, async () => {
    // The owner of Acme, and a personal account at another domain, registered and confirmed.
    await api("/auth/register", { email: "owner@acme.test", password: PASSWORD, userId: "owner", organizationName: "Acme" });
    await api("/auth/register", { email: "hanako@gmail.test", password: PASSWORD, userId: "hanako", nickname: "Hanako Sato" });
    const code = mailTo("hanako@gmail.test")?.text.match(/\b(\d{6})\b/)?.[1];
    await api("/auth/verify-email", { email: "hanako@gmail.test", code });
    const owner = (await api("/auth/login", { login: "owner", password: PASSWORD })) as { token: string };
    await api("/admin/invitations", { email: "hanako@gmail.test", message: "Welcome to the team chat!" }, owner.token);
    const link = mailTo("hanako@gmail.test")?.text.match(/https?:\/\/127\.0\.0\.1:\d+\/invite\/\S+/)?.[0];
    expect(link).toBeDefined();

    const { context, page, problems } = await watchedPage(browser, { locale: "en-US", viewport: { width: 1000, height: 820 } });

    await page.goto(link!);
    await page.getByRole("heading", { name: "Join Acme" }).waitFor();
    expect(await page.getByLabel("Email address or user ID").inputValue()).toBe("hanako@gmail.test");
    await page.getByLabel("Current password").fill(PASSWORD);
    await page.getByRole("button", { name: "Log in and continue" }).click();

    await page.getByText("Your account and all its data move into Acme.").waitFor();
    expect(page.url()).toBe(link);
    expect(await page.locator("#whoami").textContent()).toBe("Hanako Sato");
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    await page.getByRole("button", { name: "Register" }).click();
    await page.waitForURL(`${base}/account?notice=joined`);
    expect(await page.locator("#account-user-id").textContent()).toBe("hanako");
    expect(await page.locator("#summary").textContent()).toContain("Acme");

    expect(problems).toEqual([]);
    await context.close();
  });
});
