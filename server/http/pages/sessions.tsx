import { Hono } from "hono";
import { endMySession, endOtherSessions } from "../../accounts/my-sessions.js";
import type { AppEnv } from "../context.js";
import { formState } from "../../../views/view.js";
import { sectionAnswer, sessionUser, toLogin } from "./account-view.js";
import { clearSessionCookie } from "../auth.js";
import { attempt, failedForm, go } from "./render.js";

/** The sessions card of the account page: end one device, or every device but this one. */
export const sessionPages = new Hono<AppEnv>()
  .post("/account/sessions/others", (c) => {
    const user = sessionUser(c);
    if (!user) return toLogin(c);
    const n = endOtherSessions(c.get("deps"), user.account, user.sessionId, c.get("meta"));
    return sectionAnswer(c, user, { section: "sessions", state: formState({}, { key: "account.sessions.endedOthers", params: { count: n } }) });
  })
  .post("/account/sessions/:id/end", async (c) => {
    const user = sessionUser(c);
    if (!user) return toLogin(c);
    const id = c.req.param("id");
    const r = await attempt(c, () => endMySession(c.get("deps"), user.account, id, c.get("meta")));
    if (!r.ok) return sectionAnswer(c, user, { section: "sessions", state: failedForm(c, r.err, {}), status: r.err.status });
    if (id === user.sessionId) {
      // Ending this device's own session is logging out.
      clearSessionCookie(c, c.get("deps").config.secureCookies);
      return go(c, "/login?notice=logged_out");
    }
    return sectionAnswer(c, user, { section: "sessions", state: formState({}, { key: "account.sessions.ended" }) });
  });
