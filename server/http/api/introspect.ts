import { Hono } from "hono";
import { introspect } from "../../admin/introspect.js";
import { AppError } from "../../errors.js";
import type { AppEnv } from "../context.js";
import { readJson } from "./respond.js";

/** RFC 7662: `token` form-encoded (the RFC's way) or JSON; the caller authenticates with an API key. */
export const introspectApi = new Hono<AppEnv>().post("/", async (c) => {
  const auth = c.get("auth");
  if (!auth || auth.via !== "api_key") throw new AppError("unauthenticated", undefined, undefined, "Introspection needs an API key (Authorization: Bearer rk_…).");
  const type = c.req.header("content-type") ?? "";
  let token: unknown;
  // The form is read as text: hono's parseBody goes through the adapter's full web Request and its stream,
  // which cost more than the whole introspection (4,700 → see the bench's introspect line).
  // A repeated field: the last, as the pages read forms (parsedForm).
  if (/^application\/x-www-form-urlencoded/i.test(type)) token = new URLSearchParams(await c.req.text()).getAll("token").at(-1);
  else token = ((await readJson(c, "application/x-www-form-urlencoded (RFC 7662) or application/json")) as { token?: unknown } | null)?.token;
  return c.json(introspect(c.get("deps"), auth.account, token));
});
