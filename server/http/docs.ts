import { Hono } from "hono";
import { getSettings } from "../admin/settings.js";
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

/** /api/openapi.json (OpenAPI 3.1) and /api/docs (the same operations as a page, served from the image). */
export const apiDocs = new Hono<AppEnv>()
  .get("/openapi.json", (c) => c.json(openApiDocument(VERSION, c.get("deps").config.baseUrl)))
  .get("/docs", (c) => {
    const doc = openApiDocument(VERSION, c.get("deps").config.baseUrl);
    const ops: DocOperation[] = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, raw]) => {
        const o = raw as DocOp;
        return {
          method,
          path,
          tag: o.tags[0] ?? "",
          summary: o.summary,
          auth: operations.find((p) => p.path === path && p.method === method)?.auth ?? "none",
          body: o.requestBody?.content["application/json"]?.schema,
          params: o.parameters ?? [],
          responses: Object.entries(o.responses).map(([status, r]) => [status, r.description] as [string, string]),
        };
      }),
    );
    return c.html(renderApiDocs({ title: getSettings(c.get("deps")).serverName, version: VERSION, cssUrl: assetUrl("app.css"), ops }));
  });
