import { Hono } from "hono";
import { getMail, listMail, mailHealth, retryMail, sendTestMail } from "../../mail/admin.js";
import type { AppEnv } from "../context.js";
import { caller } from "./admin-users.js";
import { readJson } from "./respond.js";

/** /api/v1/admin/mail: the outbound queue (SPEC §5). */
export const adminMailApi = new Hono<AppEnv>()
  .get("/", (c) => c.json({ ...listMail(c.get("deps"), caller(c), c.req.query()), transport: c.get("deps").config.mail.transport }))
  .get("/health", (c) => c.json(mailHealth(c.get("deps"), caller(c))))
  .post("/test", async (c) => c.json(await sendTestMail(c.get("deps"), caller(c), await readJson(c), c.get("meta"))))
  .get("/:id", (c) => c.json(getMail(c.get("deps"), caller(c), c.req.param("id"))))
  .post("/:id/retry", (c) => c.json(retryMail(c.get("deps"), caller(c), c.req.param("id"), c.get("meta"))));
