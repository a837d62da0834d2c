import { Hono } from "hono";
import type { AppEnv } from "../context.js";

/** The htmx pages (register, log in, account…). */
export const pages = new Hono<AppEnv>();

import type { AppError } from "../../errors.js";
import type { Ctx } from "../context.js";
import { t } from "../../i18n/index.js";

/** A page for an error that no form could show (replaced by the views' error page). */
export function renderErrorPage(c: Ctx, err: AppError): Response {
  return c.html(`<!DOCTYPE html><title>${err.status}</title><p>${t(c.var.lang, `error.${err.code}`)}</p>`, err.status as 400);
}
