import { Hono } from "hono";
import { LANG_COOKIE } from "../../app.js";
import { AppError, unlessStorageFails } from "../../errors.js";
import { updateProfile } from "../../accounts/profile.js";
import { anyAccount } from "../../accounts/store.js";
import { languages, type Lang } from "../../i18n/index.js";
import type { AppEnv, Ctx } from "../context.js";
import { writeCookie } from "../cookies.js";
import { formBody, go, safeNext, sessionUser } from "./render.js";

const YEAR_SECONDS = 365 * 24 * 60 * 60;

function chooseLanguage(c: Ctx): Lang {
  const lang = c.req.param("lang") ?? "";
  if (!languages.includes(lang as Lang)) throw new AppError("not_found");
  writeCookie(c, LANG_COOKIE, lang, { path: "/", sameSite: "Lax", maxAge: YEAR_SECONDS, httpOnly: true, secure: c.get("deps").config.secureCookies });
  return lang as Lang;
}

/**
 * `/` and the language switcher. The switcher's buttons POST: on this device the choice is a
 * cookie, and for a logged-in person it is also their account's language, which their mail
 * and the accounts they create as an admin take (an admin who switched to 日本語 got the mail of
 * every account they created in English, their language at registration). A GET of the same
 * address (an old bookmark, a link) sets only the cookie: a link cannot change an account.
 */
export const homePages = new Hono<AppEnv>()
  // A server without any account yet starts at the registration that makes its owner.
  .get("/", (c) => go(c, sessionUser(c) ? "/account" : !anyAccount(c.get("deps").db) ? "/register" : "/login"))
  .get("/lang/:lang", (c) => {
    chooseLanguage(c);
    // Only back to a page of ours: `next` comes from the query string, which anyone can write.
    return go(c, safeNext(c.req.query("next"), "/"));
  })
  .post("/lang/:lang", async (c) => {
    const lang = chooseLanguage(c);
    const f = await formBody(c);
    const user = sessionUser(c);
    if (user && user.account.language !== lang) {
      // Only a preference: a data volume that cannot be written leaves it to the cookie.
      unlessStorageFails(() => updateProfile(c.get("deps"), user.account, { language: lang }, c.get("meta")));
    }
    return go(c, safeNext(f.next ?? c.req.query("next"), "/"));
  });
