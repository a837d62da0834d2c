import { Hono } from "hono";
import { completeSetup } from "../../accounts/setup.js";
import { presentAccount } from "../../accounts/present.js";
import { organizationName } from "../../organizations/organizations.js";
import type { AppEnv } from "../context.js";
import { readJson } from "./respond.js";

/** POST /api/v1/auth/setup {token,password}: an admin-created account chooses its password. */
export const setupApi = new Hono<AppEnv>().post("/", async (c) => {
  const a = await completeSetup(c.get("deps"), await readJson(c), c.get("meta"));
  return c.json({ user: presentAccount(a, organizationName(c.get("deps"), a.organizationId)) });
});
