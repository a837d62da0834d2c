import { Hono } from "hono";
import { searchUsers } from "../../admin/users.js";
import { adminScope } from "../../admin/access.js";
import { createUser, getUser, newSetupLink, setTemporaryPassword, updateUser } from "../../admin/user-actions.js";
import {
  approveUser, declineUser, demoteUser, disableUser, enableUser, endUserSessions, markEmailVerified, promoteUser,
} from "../../admin/user-status.js";
import { batchDelete, deleteUser } from "../../admin/user-delete.js";
import { exportUsers } from "../../admin/export.js";
import { decodeImport, importUsers, parseImport } from "../../admin/import.js";
import { AppError } from "../../errors.js";
import type { AppEnv, Ctx } from "../context.js";
import { englishFields, readJson, unsupportedType } from "./respond.js";
import { download } from "../download.js";

/** The account behind the request, for admin services (they check the rights). */
export const caller = (c: Ctx) => {
  const a = c.var.auth?.account;
  if (!a) throw new AppError("unauthenticated");
  return a;
};

/** POST /api/v1/admin/users/import?dryRun=true — CSV or JSON body (up to 10 MB) → per-row results. */
export const importRoute = new Hono<AppEnv>().post("/", async (c) => {
  const actor = caller(c);
  // Admins only, decided before the body is read: up to 10 MB is not read and parsed for anyone else.
  adminScope(actor);
  const type = c.req.header("content-type") ?? "";
  // curl -F wraps the file in a form: its boundaries would be read as CSV rows. The file itself is the body.
  if (/^multipart\//i.test(type)) throw unsupportedType(type, "the file itself: text/csv or application/json (curl --data-binary @users.csv -H 'content-type: text/csv')");
  const rows = parseImport(decodeImport(new Uint8Array(await c.req.arrayBuffer()), type), type);
  const dryRun = /^(1|true|yes)$/i.test(c.req.query("dryRun") ?? "");
  const report = await importUsers(c.var.deps, actor, rows, { dryRun, meta: c.var.meta });
  return c.json({ ...report, results: report.results.map((r) => (r.errors ? { ...r, errors: englishFields(r.errors) } : r)) });
});

const statusActions = { disable: disableUser, enable: enableUser, promote: promoteUser, demote: demoteUser, approve: approveUser, "verify-email": markEmailVerified } as const;

/** /api/v1/admin/users */
export const adminUsersApi = new Hono<AppEnv>()
  .get("/", (c) => c.json(searchUsers(c.var.deps, caller(c), c.req.query())))
  .post("/", async (c) => {
    const r = await createUser(c.var.deps, caller(c), await readJson(c), c.var.meta);
    return c.json(r, 201);
  })
  .get("/export", (c) => {
    const x = exportUsers(c.var.deps, caller(c), c.req.query(), c.var.meta, { headersOnly: c.req.method === "HEAD" });
    return download(c, x);
  })
  .route("/import", importRoute)
  .post("/batch-delete", async (c) => c.json({ results: batchDelete(c.var.deps, caller(c), await readJson(c), c.var.meta) }))
  .get("/:id", (c) => c.json(getUser(c.var.deps, caller(c), c.req.param("id"))))
  .patch("/:id", async (c) => c.json(updateUser(c.var.deps, caller(c), c.req.param("id"), await readJson(c), c.var.meta)))
  .delete("/:id", (c) => {
    deleteUser(c.var.deps, caller(c), c.req.param("id"), c.var.meta);
    return c.body(null, 204);
  })
  .delete("/:id/sessions", (c) => {
    endUserSessions(c.var.deps, caller(c), c.req.param("id"), c.var.meta);
    return c.body(null, 204);
  })
  .post("/:id/decline", async (c) => {
    declineUser(c.var.deps, caller(c), c.req.param("id"), await readJson(c), c.var.meta);
    return c.body(null, 204);
  })
  .post("/:id/setup-link", (c) => c.json(newSetupLink(c.var.deps, caller(c), c.req.param("id"), c.var.meta)))
  .post("/:id/password", async (c) => c.json(await setTemporaryPassword(c.var.deps, caller(c), c.req.param("id"), await readJson(c), c.var.meta)))
  .post("/:id/:action", (c) => {
    const name = c.req.param("action");
    // Own keys only: "constructor" or "__proto__" from the URL must not reach Object.prototype.
    if (!Object.hasOwn(statusActions, name)) throw new AppError("not_found");
    const action = statusActions[name as keyof typeof statusActions];
    return c.json(action(c.var.deps, caller(c), c.req.param("id"), c.var.meta));
  });
