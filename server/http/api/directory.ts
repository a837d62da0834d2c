import { Hono } from "hono";
import { groupTree, listDirectory } from "../../organizations/directory.js";
import { requireUser } from "../auth.js";
import type { AppEnv } from "../context.js";

/** /api/v1/directory and /api/v1/groups: what members see of their organization. */
export const directoryApi = new Hono<AppEnv>()
  .get("/directory", (c) => c.json(listDirectory(c.get("deps"), requireUser(c).account, c.req.query())))
  .get("/groups", (c) => c.json(groupTree(c.get("deps"), requireUser(c).account)));
