import type { Child } from "hono/jsx";
import { assetUrl } from "../server/http/static.js";
import type { View } from "./view.js";

/**
 * htmx without eval or inline styles (the CSP allows neither), and 4xx
 * answers swapped like 2xx: a form with errors comes back with its real
 * status (400, 401, 403, 409, 429) and is shown in place.
 */
export const HTMX_CONFIG = JSON.stringify({
  includeIndicatorStyles: false,
  allowEval: false,
  allowScriptTags: false,
  historyRestoreAsHxRequest: false,
  responseHandling: [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "4..", swap: true },
    { code: "5..", swap: true, error: true },
  ],
});

const languages = [
  { lang: "en", label: "English" },
  { lang: "ja", label: "日本語" },
] as const;

function LanguageSwitcher({ v }: { v: View }) {
  const next = encodeURIComponent(v.here);
  return (
    <nav class="langs" aria-label={v.t("nav.language")}>
      {languages.map((l) =>
        l.lang === v.lang ? (
          <span class="lang current" lang={l.lang} aria-current="true">
            {l.label}
          </span>
        ) : (
          // A form, not a link: for a logged-in person the choice is also their account's language.
          <form method="post" action={`/lang/${l.lang}?next=${next}`} class="lang-form">
            <button type="submit" class="lang" lang={l.lang}>
              {l.label}
            </button>
          </form>
        ),
      )}
    </nav>
  );
}

/** The name shown for the logged-in user; htmx replaces it out of band when the nickname changes. */
export function WhoAmI({ name, oob }: { name: string; oob?: boolean }) {
  return (
    <span id="whoami" class="whoami" hx-swap-oob={oob ? "true" : undefined}>
      {name}
    </span>
  );
}

/** The one layout of every page. */
export function Layout({ v, title, children }: { v: View; title: string; children: Child }) {
  return (
    <html lang={v.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="htmx-config" content={HTMX_CONFIG} />
        <meta name="referrer" content="same-origin" />
        <title>{`${title} · ${v.serverName}`}</title>
        {/* No favicon request (it would be a 404 in every log): an empty icon. */}
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href={assetUrl("app.css")} />
        <script src={assetUrl("htmx.min.js")} defer></script>
        <script src={assetUrl("app.js")} defer></script>
      </head>
      <body>
        <a class="skip" href="#main">
          {v.t("nav.skip")}
        </a>
        <header class="topbar">
          <div class="topbar-inner">
            <a class="brand" href="/">
              {v.serverName}
            </a>
            <div class="topbar-end">
              <LanguageSwitcher v={v} />
              {v.user && (
                <div class="session">
                  {v.user.admin && (
                    <a href="/admin" class="nav-people">
                      {v.t("admin.nav.label")}
                    </a>
                  )}
                  {v.user.member && (
                    <a href="/people" class="nav-people">
                      {v.t("people.nav")}
                    </a>
                  )}
                  {/* The name and Log out wrap together: on a phone they move to a line of their own, never apart. */}
                  <span class="session-me">
                    <a href="/account" class="whoami-link" title={v.user.userId}>
                      <WhoAmI name={v.user.name} />
                    </a>
                    <form method="post" action="/logout" class="inline">
                      <button type="submit" class="btn btn-quiet">
                        {v.t("nav.logout")}
                      </button>
                    </form>
                  </span>
                </div>
              )}
            </div>
          </div>
        </header>
        <main id="main" class="main" tabindex={-1}>
          {/* The page's one live region, never swapped itself: htmx puts errors no form can show here, and app.js reads out through it what swapped content has to say (a count, an outcome). */}
          <div id="flash" aria-live="polite"></div>
          {children}
        </main>
      </body>
    </html>
  );
}
