import { Hono } from "hono";
import { getSettings } from "../admin/settings.js";
import { responseIn, summaryIn, tagIn } from "../i18n/api-docs.js";
import { renderApiDocs, type DocOperation } from "../../views/pages/api-docs.js";
import type { AppEnv } from "./context.js";
import { VERSION } from "./api/index.js";
import { openApiDocument, operations } from "./openapi.js";
import { assetUrl } from "./static.js";

interface DocOp {
  tags: string[];
  summary: string;
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, { schema: object }> };
  responses: Record<string, { description: string }>;
}

/**
 * /api/openapi.json (OpenAPI 3.1, English: it is for programs) and /api/docs
 * (the same operations as a page, served from the image, in the viewer's language).
 */
export const apiDocs = new Hono<AppEnv>()
  .get("/openapi.json", (c) => c.json(openApiDocument(VERSION, c.get("deps").config.baseUrl)))
  .get("/docs", (c) => {
    // Chosen by app.ts's middleware as for every page: the roster_lang cookie, else a logged-in
    // account's language, else Accept-Language. A shared cache must not hand one to the other.
    const lang = c.get("lang");
    c.header("vary", "Cookie, Accept-Language");
    const doc = openApiDocument(VERSION, c.get("deps").config.baseUrl);
    const ops: DocOperation[] = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, raw]) => {
        const o = raw as DocOp;
        const tag = o.tags[0] ?? "";
        return {
          method,
          path,
          tag,
          section: tagIn(lang, tag),
          summary: summaryIn(lang, method, path, o.summary),
          auth: operations.find((p) => p.path === path && p.method === method)?.auth ?? "none",
          body: o.requestBody?.content["application/json"]?.schema,
          params: o.parameters ?? [],
          responses: Object.entries(o.responses).map(([status, r]) => [status, responseIn(lang, r.description)] as [string, string]),
        };
      }),
    );
    return c.html(renderApiDocs({ lang, title: getSettings(c.get("deps")).serverName, version: VERSION, cssUrl: assetUrl("app.css"), ops }));
  });
