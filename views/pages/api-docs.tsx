import type { Child } from "hono/jsx";
import { apiDocsText } from "../../server/i18n/api-docs.js";
import type { Lang } from "../../server/i18n/index.js";

export interface DocOperation {
  method: string;
  path: string;
  /** The OpenAPI tag: the section's anchor in every language. */
  tag: string;
  /** The section's heading in the page's language. */
  section: string;
  summary: string;
  auth: string;
  body?: object;
  params: { name: string; in: string }[];
  responses: [string, string][];
}

/** One error code as the page lists it: what a problem's `type` (/api/problems/{code}) leads to. */
export interface DocError {
  code: string;
  /** Its status, and any others it is also sent with ("400, 408, 417, 431"). */
  status: string;
  /** What it means, in the page's language (the message a page shows for it). */
  meaning: string;
}

/** The anchor of an error code's row: where /api/problems/{code} sends a reader. */
export const problemAnchor = (code: string): string => `problem-${code}`;

/** `template` with each `{name}` replaced by `parts[name]`: text stays text (and is escaped), nodes stay nodes. */
function fill(template: string, parts: Record<string, Child>): Child[] {
  return template.split(/\{(\w+)\}/).map((piece, i) => (i % 2 === 1 ? (piece in parts ? parts[piece] : `{${piece}}`) : piece));
}

/** The API reference at /api/docs in the viewer's language, built from the same OpenAPI operations; no script, no CDN. */
export function ApiDocsPage({ lang, title, version, cssUrl, ops, errors }: { lang: Lang; title: string; version: string; cssUrl: string; ops: DocOperation[]; errors: DocError[] }): Child {
  const text = apiDocsText[lang];
  const tags = [...new Map(ops.map((o) => [o.tag, o.section])).entries()];
  return (
    <html lang={lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} API ${version}`}</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href={cssUrl} />
      </head>
      <body>
        <main class="main api-docs">
          <h1>{`${title} JSON API`}</h1>
          <p>
            {fill(text.intro, {
              version,
              openapi: <a href="/api/openapi.json">/api/openapi.json</a>,
              problemType: <code>application/problem+json</code>,
              code: (
                <a href="#errors">
                  <code>code</code>
                </a>
              ),
              listShape: <code>{"{items, nextCursor, total}"}</code>,
              limit: <code>?limit=</code>,
              cursor: <code>?cursor=</code>,
            })}
          </p>
          <nav aria-label={text.toc}>
            <ul class="api-toc">
              {tags.map(([t, heading]) => (
                <li>
                  <a href={`#${t.replaceAll(" ", "-")}`}>{heading}</a>
                </li>
              ))}
              <li>
                <a href="#errors">{text.errors.heading}</a>
              </li>
            </ul>
          </nav>
          {tags.map(([t, heading]) => (
            <section id={t.replaceAll(" ", "-")} class="card">
              <h2>{heading}</h2>
              {ops
                .filter((o) => o.tag === t)
                .map((o) => (
                  <article class="api-op">
                    <h3>
                      <span class={`api-method api-${o.method}`}>{o.method.toUpperCase()}</span> <code>{o.path}</code>
                    </h3>
                    <p>
                      {o.summary}
                      {text.fullStop}
                      <span class="muted">{fill(text.needs, { auth: text.auth[o.auth as keyof typeof text.auth] ?? o.auth })}</span>
                    </p>
                    {o.params.length > 0 && (
                      <p>
                        {text.parameters}
                        {o.params.map((p, i) => (
                          <>
                            {i > 0 && text.separator}
                            <code>{p.name}</code> <span class="muted">{fill(text.paramIn, { in: text.in[p.in] ?? p.in })}</span>
                          </>
                        ))}
                      </p>
                    )}
                    {o.body && (
                      <details>
                        <summary>{text.requestBody}</summary>
                        <pre>{JSON.stringify(o.body, null, 2)}</pre>
                      </details>
                    )}
                    <ul class="api-responses">
                      {o.responses.map(([status, text]) => (
                        <li>
                          <code>{status}</code> {text}
                        </li>
                      ))}
                    </ul>
                  </article>
                ))}
            </section>
          ))}
          <section id="errors" class="card">
            <h2>{text.errors.heading}</h2>
            <p>{text.errors.intro}</p>
            <div class="table-wrap" tabindex={0} role="region" aria-label={text.errors.heading}>
              <table>
                <thead>
                  <tr>
                    <th scope="col">{text.errors.code}</th>
                    <th scope="col">{text.errors.status}</th>
                    <th scope="col">{text.errors.meaning}</th>
                  </tr>
                </thead>
                <tbody>
                  {errors.map((e) => (
                    <tr id={problemAnchor(e.code)}>
                      <th scope="row">
                        <code>{e.code}</code>
                      </th>
                      <td>{e.status}</td>
                      <td>{e.meaning}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        </main>
      </body>
    </html>
  );
}

export const renderApiDocs = (p: Parameters<typeof ApiDocsPage>[0]): string => "<!DOCTYPE html>" + String(<ApiDocsPage {...p} />);
