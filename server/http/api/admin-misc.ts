import { Hono } from "hono";
import { readSettings, updateSettings } from "../../admin/server-settings.js";
import { createApiKey, listApiKeys, revokeApiKey } from "../../admin/api-keys.js";
import { auditChainStatus, listAudit } from "../../admin/audit-query.js";
import { exportAudit } from "../../admin/audit-export.js";
import { storageSummary } from "../../admin/storage.js";
import { AppError } from "../../errors.js";
import { pageOfAll } from "../../pagination.js";
import type { AppEnv } from "../context.js";
import { caller } from "./admin-users.js";
import { readJson } from "./respond.js";
import { download } from "../download.js";

/** /api/v1/admin/settings, /api-keys, /audit (list, verify, export), /storage */
export const adminMiscApi = new Hono<AppEnv>()
  .get("/settings", (c) => c.json(readSettings(c.get("deps"), caller(c))))
  .patch("/settings", async (c) => c.json(updateSettings(c.get("deps"), caller(c), await readJson(c), c.get("meta"))))
  .get("/api-keys", (c) => c.json(pageOfAll(listApiKeys(c.get("deps"), caller(c)), c.req.query())))
  .post("/api-keys", async (c) => c.json(createApiKey(c.get("deps"), caller(c), await readJson(c), c.get("meta")), 201))
  .delete("/api-keys/:id", (c) => {
    revokeApiKey(c.get("deps"), caller(c), c.req.param("id"), c.get("meta"));
    return c.body(null, 204);
  })
  .get("/audit", (c) => c.json(listAudit(c.get("deps"), caller(c), c.req.query())))
  .get("/audit/verify", (c) => c.json(auditChainStatus(c.get("deps"), caller(c))))
  .get("/audit/export", (c) => {
    const x = exportAudit(c.get("deps"), caller(c), c.req.query(), c.get("meta"), { headersOnly: c.req.method === "HEAD" });
    return download(c, x);
  })
  .get("/storage", (c) => {
    const storage = storageSummary(c.get("deps"), caller(c));
    if (!storage) throw new AppError("not_found");
    return c.json(storage);
  });
