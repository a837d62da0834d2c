import { Hono } from "hono";
import { LANG_COOKIE } from "../../app.js";
import { AppError } from "../../errors.js";
import { languages, type Lang } from "../../i18n/index.js";
import type { AppEnv } from "../context.js";
import { writeCookie } from "../cookies.js";
import { go, safeNext, sessionUser } from "./render.js";

const YEAR_SECONDS = 365 * 24 * 60 * 60;

/** `/` and the language switcher. */
export const homePages = new Hono<AppEnv>()
  .get("/", (c) => go(c, sessionUser(c) ? "/account" : "/login"))
  .get("/lang/:lang", (c) => {
    const lang = c.req.param("lang");
    if (!languages.includes(lang as Lang)) throw new AppError("not_found");
    writeCookie(c, LANG_COOKIE, lang, { path: "/", sameSite: "Lax", maxAge: YEAR_SECONDS, httpOnly: true, secure: c.get("deps").config.secureCookies });
    // Only back to a page of ours: `next` comes from the query string, which anyone can write.
    return go(c, safeNext(c.req.query("next"), "/"));
  });
