import { Hono } from "hono";
import { checkSetupToken, completeSetup } from "../../accounts/setup.js";
import { organizationName } from "../../organizations/organizations.js";
import type { AppEnv, Ctx } from "../context.js";
import { formState, type FormState, type Message } from "../../../views/view.js";
import { LoginPage } from "../../../views/pages/login.js";
import { SetupBadLinkPage, SetupPage } from "../../../views/pages/setup.js";
import { attempt, errorMessage, failedForm, formBody, go, mismatch, page, viewOf } from "./render.js";

const badLink = (code: string) => code === "invalid_token" || code === "token_expired";

function badLinkPage(c: Ctx, msg: Message, status: number) {
  const v = viewOf(c, "/login");
  return page(c, { v, title: v.t("setup.badLinkTitle"), status, body: <SetupBadLinkPage v={v} msg={msg} /> });
}

/** The form for a live link; a dead one says so at once (nothing is used up by looking). */
async function setupPage(c: Ctx, token: string, state: FormState, status = 200) {
  const r = await attempt(c, () => checkSetupToken(c.get("deps"), token));
  if (!r.ok) return badLinkPage(c, errorMessage(r.err), r.err.status);
  const v = viewOf(c, `/setup?token=${encodeURIComponent(token)}`);
  const organization = organizationName(c.get("deps"), r.value.organizationId);
  return page(c, { v, title: v.t("setup.title"), status, body: <SetupPage v={v} token={token} userId={r.value.userId} organization={organization} state={state} /> });
}

/** /setup?token=…: an account an admin created gets its password (SPEC §3 admin-created accounts). */
export const setupPages = new Hono<AppEnv>()
  .get("/setup", (c) => setupPage(c, c.req.query("token") ?? "", formState()))
  .post("/setup", async (c) => {
    const f = await formBody(c);
    const token = f.token ?? "";
    const password = f.password ?? "";
    const r = await attempt(c, () => {
      if (password !== (f.passwordConfirm ?? "")) throw mismatch("passwordConfirm");
      return completeSetup(c.get("deps"), { token, password }, c.get("meta"));
    });
    if (!r.ok) {
      if (badLink(r.err.code)) return badLinkPage(c, errorMessage(r.err), r.err.status);
      return setupPage(c, token, failedForm(c, r.err, {}), r.err.status);
    }
    return go(c, `/setup/done?login=${encodeURIComponent(r.value.userId)}`);
  })
  .get("/setup/done", (c) => {
    // The log-in page, with the new password's notice and the user ID filled in.
    const login = (c.req.query("login") ?? "").slice(0, 254);
    const v = viewOf(c, "/login");
    const body = <LoginPage v={v} state={formState({ login })} next="/account" notice={{ key: "setup.done" }} />;
    return page(c, { v, title: v.t("page.login.title"), body });
  });
