import { existsSync, mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { serve, type ServerType } from "@hono/node-server";
import { desc, eq } from "drizzle-orm";
import pino from "pino";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, type App } from "../server/app.js";
import { fastHasher } from "../server/auth/password.js";
import { systemClock } from "../server/clock.js";
import { testConfig } from "../server/config.js";
import { openDatabase, type Db } from "../server/db/client.js";
import { mailOutbox } from "../server/db/schema.js";
import { atOnce, type Deps } from "../server/deps.js";

const CHROMIUM = "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`e2e/browser-invite: skipped, ${CHROMIUM} does not exist (apt-get install chromium)`);

const PASSWORD = "correct horse battery";
const SCREENSHOT = "/tmp/roster-invite.png";

/**
 * A registration request to a personal account, followed in a real browser:
 * open the mailed link, log in on that page with the current password, read
 * the confirmation, press Register, land on the account page in the
 * organization.
 */
describe.skipIf(!hasChromium)("in a browser: a personal account accepts a registration request", () => {
  let dir: string;
  let db: Db;
  let server: ServerType;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "roster-e2e-"));
    db = openDatabase(path.join(dir, "roster.db"));
    // The base URL must be the real address (mail links and the CSRF origin), known only once listening.
    const started: { app?: App } = {};
    server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: (req, env) => (started.app ? started.app.fetch(req, env) : new Response("starting", { status: 503 })), port: 0, hostname: "127.0.0.1" }, () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const deps: Deps = { db, clock: systemClock, config: testConfig({ baseUrl: base }), hasher: fastHasher(), log: pino({ level: "silent" }), mailQueued: () => {}, afterResponse: atOnce };
    started.app = createApp(deps);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    db?.$client.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
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

    const context = await browser.newContext({ locale: "en-US", viewport: { width: 1000, height: 820 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(m.text());
    });
    page.on("pageerror", (e) => problems.push(e.message));
    page.on("response", (r) => {
      if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
    });

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
