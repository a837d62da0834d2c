import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough, Readable } from "node:stream";
import pino from "pino";
import { afterEach, beforeEach, expect, vi } from "vitest";
import { login } from "../accounts/login.js";
import { argon2Hasher } from "../auth/password.js";
import { systemClock } from "../clock.js";
import { loadConfig } from "../config.js";
import { databaseFile, openDatabase, type Db } from "../db/client.js";
import { atOnce, type Deps } from "../deps.js";
import type { Upstream } from "../test/smtp-upstream.js";
import { runCommand } from "./commands.js";

/**
 * Shared by the CLI's tests. The CLI as a sysadmin runs it: `runCommand(name, args)` reads the same
 * environment as the server (stubbed here), on real SQLite files in a temp
 * data directory, and the results are checked with the real services.
 */

export const dirs: string[] = [];
export const opened: Db[] = [];
export const servers: Server[] = [];
export const upstreams: Upstream[] = [];
export const out: string[] = [];
export const err: string[] = [];

beforeEach(() => {
  out.length = 0;
  err.length = 0;
  vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void out.push(a.join(" ")));
  vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void err.push(a.join(" ")));
  // Whatever the machine running the tests has set must not leak in.
  for (const name of ["PORT", "ROSTER_SMTP_URL", "ROSTER_MAIL_TRANSPORT", "ROSTER_MAIL_FROM", "ROSTER_BACKUP_KEEP", "ROSTER_ADMIN_EMAIL", "ROSTER_ADMIN_PASSWORD"]) {
    vi.stubEnv(name, undefined);
  }
  // The commands' own logger (pino on stdout) stays quiet.
  vi.stubEnv("ROSTER_LOG_LEVEL", "silent");
});

afterEach(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  for (const u of upstreams.splice(0)) await u.close();
  for (const db of opened.splice(0)) if (db.$client.open) db.$client.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A fresh data directory, set as ROSTER_DATA_DIR (with any other variables given). */
export function dataDir(env: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), "roster-cli-"));
  dirs.push(dir);
  vi.stubEnv("ROSTER_DATA_DIR", dir);
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
  return dir;
}

/** Standard input is an empty pipe, whatever runs the tests: a command never waits to be typed at. */
export const roster = (name: string, ...args: string[]) => runCommand(name, args, { stdin: Readable.from([]), prompt: new PassThrough() });

export function openDb(dir: string): Db {
  const db = openDatabase(databaseFile(dir));
  opened.push(db);
  return db;
}

/** The services' view of the data directory, with the production hasher. */
export function depsFor(dir: string): Deps {
  const { config } = loadConfig({ ROSTER_DATA_DIR: dir });
  return { db: openDb(dir), clock: systemClock, config, hasher: argon2Hasher(), log: pino({ level: "silent" }), mailQueued: () => {}, afterResponse: atOnce };
}

export const meta = { ip: "203.0.113.9", userAgent: "vitest" };
export const logIn = (d: Deps, loginName: string, password: string) => login(d, { login: loginName, password }, meta);

export const PASSWORD = "correct-horse-42";
export const EMAIL = "it.admin@corp.example";

/** An owner made the way a sysadmin makes one. */
export async function withOwner(userId = "boss"): Promise<string> {
  const dir = dataDir();
  expect(await roster("create-admin", "--email", EMAIL, "--password", PASSWORD, "--user-id", userId)).toBe(0);
  out.length = 0;
  return dir;
}

/** A listener on 127.0.0.1 answering `handler`; returns its port and the paths it was asked. */
export async function listen(status: (url: string) => number, host = "127.0.0.1"): Promise<{ port: number; asked: string[] }> {
  const asked: string[] = [];
  const s = createServer((req, res) => {
    asked.push(req.url ?? "");
    res.statusCode = status(req.url ?? "");
    res.end(res.statusCode === 200 ? "ready" : "migrations pending");
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, host, r));
  return { port: (s.address() as AddressInfo).port, asked };
}

/** A port nobody listens on (just closed). */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

