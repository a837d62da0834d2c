import type { Child } from "hono/jsx";

export interface DocOperation {
  method: string;
  path: string;
  tag: string;
  summary: string;
  auth: string;
  body?: object;
  params: { name: string; in: string }[];
  responses: [string, string][];
}

const authLabel: Record<string, string> = {
  none: "no authentication",
  user: "a user's session (Bearer token or cookie)",
  admin: "an admin's session or API key",
  owner: "an owner's session or API key",
  api_key: "an API key (Bearer rk_…)",
};

/** The API reference at /api/docs, built from the same OpenAPI operations; no script, no CDN. */
export function ApiDocsPage({ title, version, cssUrl, ops }: { title: string; version: string; cssUrl: string; ops: DocOperation[] }): Child {
  const tags = [...new Set(ops.map((o) => o.tag))];
  return (
    <html lang="en">
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
            Version {version}. The machine-readable document is <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3.1). Errors are RFC 9457 problem
            details (<code>application/problem+json</code>) with a stable <code>code</code>; lists are <code>{"{items, nextCursor, total}"}</code> with{" "}
            <code>?limit=</code> (1–200) and <code>?cursor=</code>.
          </p>
          <nav aria-label="Sections">
            <ul class="api-toc">
              {tags.map((t) => (
                <li>
                  <a href={`#${t.replaceAll(" ", "-")}`}>{t}</a>
                </li>
              ))}
            </ul>
          </nav>
          {tags.map((t) => (
            <section id={t.replaceAll(" ", "-")} class="card">
              <h2>{t}</h2>
              {ops
                .filter((o) => o.tag === t)
                .map((o) => (
                  <article class="api-op">
                    <h3>
                      <span class={`api-method api-${o.method}`}>{o.method.toUpperCase()}</span> <code>{o.path}</code>
                    </h3>
                    <p>
                      {o.summary}. <span class="muted">Needs {authLabel[o.auth] ?? o.auth}.</span>
                    </p>
                    {o.params.length > 0 && (
                      <p>
                        Parameters:{" "}
                        {o.params.map((p, i) => (
                          <>
                            {i > 0 && ", "}
                            <code>{p.name}</code> <span class="muted">({p.in})</span>
                          </>
                        ))}
                      </p>
                    )}
                    {o.body && (
                      <details>
                        <summary>Request body (JSON Schema)</summary>
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
        </main>
      </body>
    </html>
  );
}

export const renderApiDocs = (p: Parameters<typeof ApiDocsPage>[0]): string => "<!DOCTYPE html>" + String(<ApiDocsPage {...p} />);
