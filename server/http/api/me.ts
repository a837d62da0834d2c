import { Hono } from "hono";
import { presentAccount } from "../../accounts/present.js";
import { updateProfile } from "../../accounts/profile.js";
import { changePassword } from "../../accounts/password.js";
import { requestEmailChange } from "../../accounts/email-change.js";
import { endMySession, endOtherSessions, mySessions } from "../../accounts/my-sessions.js";
import { pageOfAll } from "../../pagination.js";
import { requireUser } from "../auth.js";
import type { AppEnv } from "../context.js";
import { readJson } from "./respond.js";

/** /api/v1/me: the caller's own account, password, email and sessions. */
export const meApi = new Hono<AppEnv>()
  .get("/", (c) => {
    const { account, organizationName } = requireUser(c);
    return c.json(presentAccount(account, organizationName));
  })
  .patch("/", async (c) => {
    const auth = requireUser(c);
    const updated = updateProfile(c.get("deps"), auth.account, await readJson(c), c.get("meta"));
    return c.json(presentAccount(updated, auth.organizationName));
  })
  .post("/password", async (c) => {
    await changePassword(c.get("deps"), requireUser(c), await readJson(c), c.get("meta"));
    return c.body(null, 204);
  })
  .post("/email", async (c) => {
    await requestEmailChange(c.get("deps"), requireUser(c).account, await readJson(c), c.get("meta"));
    return c.body(null, 202);
  })
  .get("/sessions", (c) => {
    const auth = requireUser(c);
    return c.json(pageOfAll(mySessions(c.get("deps"), auth.account.id, auth.sessionId), c.req.query()));
  })
  .delete("/sessions", (c) => {
    const auth = requireUser(c);
    endOtherSessions(c.get("deps"), auth.account, auth.sessionId, c.get("meta"));
    return c.body(null, 204);
  })
  .delete("/sessions/:id", (c) => {
    const auth = requireUser(c);
    endMySession(c.get("deps"), auth.account, c.req.param("id"), c.get("meta"));
    return c.body(null, 204);
  });
