import { Hono } from "hono";
import { createApiKey, listApiKeys, revokeApiKey } from "../../admin/api-keys.js";
import type { AppEnv, Ctx } from "../context.js";
import type { PageUser } from "./account-view.js";
import { AdminApiKeysPage, ApiKeysSection } from "../../../views/pages/admin-api-keys.js";
import { formState, type FormState, type View } from "../../../views/view.js";
import { adminPage, doneNotice, requireAdmin } from "./admin-org-common.js";
import { attempt, failedForm, formBody, go, isHx } from "./render.js";

const notices = { revoked: "admin.apiKeys.revoked" };

function keysPage(c: Ctx, user: PageUser, o: { state?: FormState; created?: { name: string; key: string }; status?: number } = {}) {
  const keys = listApiKeys(c.get("deps"), user.account);
  const state = o.state ?? formState({}, doneNotice(c, notices));
  const body = (v: View) => <AdminApiKeysPage v={v} keys={keys} state={state} created={o.created} />;
  const fragment = (v: View) => <ApiKeysSection v={v} keys={keys} state={state} created={o.created} />;
  return adminPage(c, user, { current: "/admin/api-keys", title: "admin.apiKeys.title", here: "/admin/api-keys", status: o.status, body, fragment });
}

/** /admin/api-keys: keys for programs (the chat server) acting with the creating admin's rights. */
export const adminApiKeyPages = new Hono<AppEnv>()
  .get("/admin/api-keys", (c) => keysPage(c, requireAdmin(c)))
  .post("/admin/api-keys", async (c) => {
    const user = requireAdmin(c);
    const f = await formBody(c);
    const r = await attempt(c, () => createApiKey(c.get("deps"), user.account, { name: f.name ?? "" }, c.get("meta")));
    if (!r.ok) return keysPage(c, user, { state: failedForm(c, r.err, f), status: r.err.status });
    // Answered in place, never redirected: the key exists in this one response (no-store) and nowhere else.
    return keysPage(c, user, { state: formState(), created: { name: r.value.name, key: r.value.key } });
  })
  .post("/admin/api-keys/:id/revoke", async (c) => {
    const user = requireAdmin(c);
    const r = await attempt(c, () => revokeApiKey(c.get("deps"), user.account, c.req.param("id"), c.get("meta")));
    if (r.ok && !isHx(c)) return go(c, "/admin/api-keys?done=revoked");
    return keysPage(c, user, { state: r.ok ? formState({}, { key: notices.revoked }) : failedForm(c, r.err, {}), status: r.ok ? 200 : r.err.status });
  });
