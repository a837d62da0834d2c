import { Hono } from "hono";
import { groupTree, listDirectory } from "../../organizations/directory.js";
import type { AppEnv } from "../context.js";
import { caller } from "./admin-users.js";

/**
 * /api/v1/directory and /api/v1/groups: what members see of their
 * organization. A chat server lists it with an API key (SPEC §1): the
 * organization of the admin who made the key.
 */
export const directoryApi = new Hono<AppEnv>()
  .get("/directory", (c) => c.json(listDirectory(c.get("deps"), caller(c), c.req.query())))
  .get("/groups", (c) => c.json(groupTree(c.get("deps"), caller(c))));
