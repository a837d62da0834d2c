import { desc, eq } from "drizzle-orm";
import pino from "pino";
import { createApp } from "../app.js";
import { FixedClock } from "../clock.js";
import { testConfig, type Config } from "../config.js";
import { openDatabase } from "../db/client.js";
import { mailOutbox, type MailRow } from "../db/schema.js";
import { atOnce, type Deps } from "../deps.js";
import { fastHasher } from "../auth/password.js";
import type { MailTransport } from "../mail/transports.js";
import { createMailWorker, type MailWorker } from "../mail/worker.js";

export const ORIGIN = "http://localhost:8080";

export interface TestMailbox {
  /** Every mail queued so far, oldest first. */
  sent(): MailRow[];
  /** The newest mail, optionally the newest to one address. */
  lastMessage(to?: string): MailRow | undefined;
  /** The first link to this server in a mail's text. */
  linkIn(m: MailRow | undefined): string;
  /** The token query parameter of that link. */
  tokenIn(m: MailRow | undefined): string;
  /** The 6-digit code in a confirmation mail. */
  codeIn(m: MailRow | undefined): string;
}

/**
 * An app on an in-memory database with migrations applied, a fast hasher, a
 * fixed clock and a mailbox that reads the outbox (SPEC §5 capture mode).
 * With `mailTransport`, a mail worker delivers through it: commits kick it,
 * and `worker.drain()` waits for delivery.
 */
export function createTestApp(opts: { config?: Partial<Config>; clock?: FixedClock; file?: string; mailTransport?: MailTransport } = {}) {
  const clock = opts.clock ?? new FixedClock();
  const config = testConfig(opts.config);
  const db = openDatabase(opts.file ?? ":memory:");
  let worker: MailWorker | undefined;
  const deps: Deps = { db, clock, config, hasher: fastHasher(), log: pino({ level: "silent" }), mailQueued: () => worker?.kick(), afterResponse: atOnce };
  if (opts.mailTransport) worker = createMailWorker(deps, { transport: opts.mailTransport });
  const app = createApp(deps);

  const mailbox: TestMailbox = {
    sent: () => db.select().from(mailOutbox).orderBy(mailOutbox.createdAt, mailOutbox.id).all(),
    lastMessage: (to) =>
      (to
        ? db.select().from(mailOutbox).where(eq(mailOutbox.toAddress, to)).orderBy(desc(mailOutbox.createdAt), desc(mailOutbox.id))
        : db.select().from(mailOutbox).orderBy(desc(mailOutbox.createdAt), desc(mailOutbox.id))
      ).get(),
    linkIn: (m) => {
      const url = m?.text.match(new RegExp(`${config.baseUrl.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/\\S+`))?.[0];
      if (!url) throw new Error(`no link in mail: ${m?.text}`);
      return url;
    },
    tokenIn: (m) => new URL(mailbox.linkIn(m)).searchParams.get("token") ?? "",
    codeIn: (m) => {
      const code = m?.text.match(/\b(\d{6})\b/)?.[1];
      if (!code) throw new Error(`no code in mail: ${m?.text}`);
      return code;
    },
  };

  /** A request as a browser or API client would send it; JSON bodies are encoded. */
  async function request(path: string, init: { method?: string; json?: unknown; form?: Record<string, string>; token?: string; cookie?: string; headers?: Record<string, string>; body?: string } = {}) {
    const headers: Record<string, string> = { ...init.headers };
    let body: string | undefined = init.body;
    if (init.json !== undefined) {
      headers["content-type"] ??= "application/json";
      body = JSON.stringify(init.json);
    }
    if (init.form) {
      headers["content-type"] ??= "application/x-www-form-urlencoded";
      headers.origin ??= ORIGIN;
      body = new URLSearchParams(init.form).toString();
    }
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    if (init.cookie) headers.cookie = init.cookie;
    return app.request(`${ORIGIN}${path}`, { method: init.method ?? (body !== undefined ? "POST" : "GET"), headers, body });
  }

  return { app, deps, db, clock, config, mailbox, request, worker };
}

export type TestApp = ReturnType<typeof createTestApp>;

export const PASSWORD = "correct horse battery";

/** Registers the first account (owner of "Acme") and returns its session token. */
export async function setupOwner(t: TestApp, o: { email?: string; userId?: string } = {}) {
  const email = o.email ?? "owner@acme.test";
  const r = await t.request("/api/v1/auth/register", { json: { email, password: PASSWORD, userId: o.userId ?? "owner", organizationName: "Acme" } });
  if (r.status !== 201) throw new Error(`owner registration failed: ${r.status} ${await r.text()}`);
  return login(t, email);
}

/** Registers, confirms through the mailed code, and logs in a member. Returns the token and user. */
export async function registerMember(t: TestApp, email: string, extra: Record<string, unknown> = {}) {
  const r = await t.request("/api/v1/auth/register", { json: { email, password: PASSWORD, ...extra } });
  if (r.status !== 201) throw new Error(`registration failed: ${r.status} ${await r.text()}`);
  const code = t.mailbox.codeIn(t.mailbox.lastMessage(email));
  const v = await t.request("/api/v1/auth/verify-email", { json: { email, code } });
  if (v.status !== 200) throw new Error(`verification failed: ${v.status} ${await v.text()}`);
  return login(t, email);
}

/**
 * Logs in through the API. An account an admin created with a password first
 * changes it, as its person must (to the same text, so tests keep PASSWORD).
 */
export async function login(t: TestApp, loginName: string, password = PASSWORD) {
  const r = await t.request("/api/v1/auth/login", { json: { login: loginName, password } });
  if (r.status !== 200) throw new Error(`login failed: ${r.status} ${await r.text()}`);
  const body = (await r.json()) as { token: string; user: { id: string; userId: string; mustChangePassword?: boolean } };
  if (body.user.mustChangePassword) {
    const changed = await t.request("/api/v1/me/password", { token: body.token, json: { currentPassword: password, newPassword: password } });
    if (changed.status >= 300) throw new Error(`password change failed: ${changed.status} ${await changed.text()}`);
  }
  return { token: body.token, user: body.user };
}
