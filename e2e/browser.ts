import { existsSync, mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { serve, type ServerType } from "@hono/node-server";
import { desc, eq } from "drizzle-orm";
import pino from "pino";
import { chromium, type Browser, type BrowserContextOptions } from "playwright-core";
import { createApp, type App } from "../server/app.js";
import { fastHasher } from "../server/auth/password.js";
import { systemClock } from "../server/clock.js";
import { testConfig } from "../server/config.js";
import { openDatabase, type Db } from "../server/db/client.js";
import { mailOutbox } from "../server/db/schema.js";
import { atOnce, type Deps } from "../server/deps.js";

/** Debian's Chromium (CI installs it): the browser tests skip, saying why, where it is missing. */
export const CHROMIUM = "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM);
export const PASSWORD = "correct horse battery";

/** Flags for a headless Chromium on a machine with no network but loopback. */
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export interface BrowserWorld {
  base: string;
  db: Db;
  browser: Browser;
  /** The newest mail to `to`, as the outbox holds it. */
  mailTo(to: string): typeof mailOutbox.$inferSelect | undefined;
  close(): Promise<void>;
}

/**
 * A real server on a real port (its own temp-file database, the fast test
 * hasher) and a Chromium to drive it. The base URL must be the real address
 * (mail links and the CSRF origin), known only once listening.
 */
export async function startBrowserWorld(prefix = "roster-e2e-"): Promise<BrowserWorld> {
  if (!hasChromium) console.warn(`browser tests skipped: ${CHROMIUM} does not exist (apt-get install chromium)`);
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const db = openDatabase(path.join(dir, "roster.db"));
  const started: { app?: App } = {};
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: (req, env) => (started.app ? started.app.fetch(req, env) : new Response("starting", { status: 503 })), port: 0, hostname: "127.0.0.1" }, () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const deps: Deps = { db, clock: systemClock, config: testConfig({ baseUrl: base }), hasher: fastHasher(), log: pino({ level: "silent" }), mailQueued: () => {}, afterResponse: atOnce };
  started.app = createApp(deps);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  return {
    base,
    db,
    browser,
    mailTo: (to) => db.select().from(mailOutbox).where(eq(mailOutbox.toAddress, to)).orderBy(desc(mailOutbox.createdAt), desc(mailOutbox.id)).get(),
    async close() {
      await browser.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      db.$client.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A page in a new context that records what a person would notice went
 * wrong: console errors, uncaught page errors and (unless turned off) any
 * answer of 400 or more. Tests end with `expect(problems).toEqual([])`.
 */
export async function watchedPage(browser: Browser, options: BrowserContextOptions, o: { responses?: boolean } = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(m.text());
  });
  page.on("pageerror", (e) => problems.push(e.message));
  if (o.responses !== false) {
    page.on("response", (r) => {
      if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
    });
  }
  return { context, page, problems };
}

/** A JSON call to the server under test (GET, or POST with `body`) as a setup step: any 4xx or 5xx throws. */
export async function api(base: string, p: string, token: string | null, body?: unknown) {
  const r = await fetch(`${base}${p}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (r.status >= 400) throw new Error(`${p}: ${r.status} ${await r.text()}`);
  const text = await r.text();
  return (text ? JSON.parse(text) : {}) as Record<string, unknown>;
}
