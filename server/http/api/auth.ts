import { Hono } from "hono";
import { register } from "../../accounts/registration.js";
import { resendVerification, verifyEmail } from "../../accounts/verification.js";
import { login, logout } from "../../accounts/login.js";
import { confirmPasswordReset, requestPasswordReset } from "../../accounts/password.js";
import { clearSessionCookie, requireUser, setSessionCookie } from "../auth.js";
import type { AppEnv } from "../context.js";
import { readJson } from "./respond.js";

/** /api/v1/auth: registration, confirmation, log in and out, password reset. */
export const authApi = new Hono<AppEnv>()
  .post("/register", async (c) => {
    const r = await register(c.get("deps"), await readJson(c), c.get("meta"));
    return c.json({ user: r.user, verificationRequired: r.verificationRequired }, 201);
  })
  .post("/verify-email", async (c) => {
    const r = verifyEmail(c.get("deps"), await readJson(c), c.get("meta"));
    return c.json({ user: r.user });
  })
  .post("/resend-verification", async (c) => {
    resendVerification(c.get("deps"), await readJson(c), c.get("meta"));
    return c.body(null, 202);
  })
  .post("/login", async (c) => {
    const r = await login(c.get("deps"), await readJson(c), c.get("meta"));
    // Browsers calling the API get the cookie too; apps use the token.
    setSessionCookie(c, r.token, r.expiresAt, c.get("deps").config.secureCookies);
    return c.json({ token: r.token, expiresAt: r.expiresAt.toISOString(), user: r.user });
  })
  .post("/logout", (c) => {
    const auth = requireUser(c);
    logout(c.get("deps"), auth, c.get("meta"));
    if (auth.via === "cookie") clearSessionCookie(c, c.get("deps").config.secureCookies);
    return c.body(null, 204);
  })
  .post("/password-reset", async (c) => {
    requestPasswordReset(c.get("deps"), await readJson(c), c.get("meta"));
    return c.body(null, 202);
  })
  .post("/password-reset/confirm", async (c) => {
    await confirmPasswordReset(c.get("deps"), await readJson(c), c.get("meta"));
    return c.body(null, 204);
  });
