import { Hono } from "hono";
import { acceptInvitation, describeInvitation } from "../../organizations/accept.js";
import { setSessionCookie } from "../auth.js";
import type { AppEnv } from "../context.js";
import { readJson } from "./respond.js";

/** /api/v1/invitations/{token}: what a registration request is, and accepting it. */
export const invitationsApi = new Hono<AppEnv>()
  .get("/:token", (c) => c.json(describeInvitation(c.get("deps"), c.req.param("token"), c.get("auth")?.account ?? null)))
  .post("/:token/accept", async (c) => {
    const r = await acceptInvitation(c.get("deps"), c.req.param("token"), await readJson(c), c.get("auth")?.account ?? null, c.get("meta"));
    if (r.mode === "new_account") {
      setSessionCookie(c, r.token, r.expiresAt, c.get("deps").config.secureCookies);
      return c.json({ user: r.user, token: r.token, expiresAt: r.expiresAt.toISOString() }, 201);
    }
    return c.json({ user: r.user });
  });
