import { asc, eq } from "drizzle-orm";
import { expect } from "vitest";
import { putSetting, type ServerSettings } from "../admin/settings.js";
import { accounts, auditLog, sessions, type Account } from "../db/schema.js";
import type { PresentedAccount } from "../accounts/present.js";
import type { TestApp } from "./harness.js";

/** What every API error looks like (SPEC §4, RFC 9457). */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: Record<string, string>;
}

/**
 * Asserts that `r` is a problem+json answer with `status` and `code` and the
 * keys every problem has; returns the body for further checks.
 */
export async function expectProblem(r: Response, status: number, code: string): Promise<Problem> {
  const text = await r.text();
  expect({ status: r.status, body: text }).toMatchObject({ status });
  expect(r.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  const body = JSON.parse(text) as Problem;
  expect(body).toMatchObject({ status, code });
  for (const key of ["type", "title", "status", "detail", "code"]) expect(body).toHaveProperty(key);
  return body;
}

/** Asserts the status and returns the JSON body. */
export async function expectJson<T = Record<string, unknown>>(r: Response, status: number): Promise<T> {
  const text = await r.text();
  expect({ status: r.status, body: text }).toMatchObject({ status });
  return JSON.parse(text) as T;
}

export interface UserBody {
  user: PresentedAccount;
}
/** What POST /api/v1/auth/register answers. */
export interface RegisterBody extends UserBody {
  verificationRequired: boolean;
}
export interface LoginBody extends UserBody {
  token: string;
  expiresAt: string;
}

export const setSetting = <K extends keyof ServerSettings>(t: TestApp, key: K, value: ServerSettings[K]): void =>
  putSetting(t.db, key, value);

export const accountByEmail = (t: TestApp, email: string): Account | undefined =>
  t.db.select().from(accounts).where(eq(accounts.emailLower, email.toLowerCase())).get();

export const allAccounts = (t: TestApp): Account[] => t.db.select().from(accounts).all();

export const sessionRows = (t: TestApp, accountId: string) => t.db.select().from(sessions).where(eq(sessions.accountId, accountId)).all();

/** The audit log's actions, oldest first. */
export const auditActions = (t: TestApp): string[] =>
  t.db.select({ action: auditLog.action }).from(auditLog).orderBy(asc(auditLog.seq)).all().map((r) => r.action);

export const countAudit = (t: TestApp, action: string): number => auditActions(t).filter((a) => a === action).length;

/** Request headers that make the request come from another client address. */
export const fromIp = (ip: string): Record<string, string> => ({ "x-test-client-ip": ip });

export const register = (t: TestApp, json: Record<string, unknown>, headers?: Record<string, string>) =>
  t.request("/api/v1/auth/register", { json, headers });

export const loginRequest = (t: TestApp, login: string, password: string, headers?: Record<string, string>) =>
  t.request("/api/v1/auth/login", { json: { login, password }, headers });
