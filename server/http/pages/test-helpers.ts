import { PASSWORD, type TestApp } from "../../test/harness.js";

/** Test helpers for the pages: cookies as a browser keeps them. Imported by tests only. */

/** The Set-Cookie line for `name`, or undefined. */
export function setCookieLine(res: Response, name: string): string | undefined {
  return res.headers.getSetCookie().find((line) => line.startsWith(`${name}=`));
}

/** `name=value` of a cookie the response sets, ready for a Cookie header. */
export function cookieFrom(res: Response, name = "roster_session"): string {
  const line = setCookieLine(res, name);
  if (!line) throw new Error(`no ${name} cookie in ${JSON.stringify(res.headers.getSetCookie())}`);
  return line.split(";")[0] ?? "";
}

/**
 * Logs in through the page and returns the session cookie. An account an admin
 * created with a password first changes it on the form, as its person must
 * (to the same text, so tests keep PASSWORD); login.test.ts covers that step.
 */
export async function pageLogin(t: TestApp, login: string, password = PASSWORD, headers: Record<string, string> = {}): Promise<string> {
  const r = await t.request("/login", { form: { login, password }, headers });
  if (r.status !== 303) throw new Error(`page login failed: ${r.status} ${await r.text()}`);
  const cookie = cookieFrom(r);
  if (r.headers.get("location")?.includes("must_change_password")) {
    const changed = await t.request("/account/password", { form: { currentPassword: password, newPassword: password, newPasswordConfirm: password }, cookie, headers });
    if (changed.status >= 400) throw new Error(`password change failed: ${changed.status} ${await changed.text()}`);
  }
  return cookie;
}

/** The first account through the page (owner of "Acme"), logged in: its session cookie. */
export async function pageOwner(t: TestApp, email = "owner@acme.test"): Promise<string> {
  const r = await t.request("/register", { form: { first: "1", organizationName: "Acme", email, password: PASSWORD, userId: "owner", claimDomain: "on" } });
  if (r.status !== 303) throw new Error(`owner registration failed: ${r.status} ${await r.text()}`);
  return cookieFrom(r);
}

export const hx = { "hx-request": "true" };

/** Strings that would run script if a page echoed them unescaped. */
export const HOSTILE = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>'];
