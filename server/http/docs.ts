import { Hono } from "hono";
import { getSettings } from "../admin/settings.js";
import { apiDocsText, isShape, responseIn, summaryIn, tagIn } from "../i18n/api-docs.js";
import { problemAnchor, renderApiDocs, type DocError, type DocOperation } from "../../views/pages/api-docs.js";
import { AppError, errorCodes, statusesOf, type ErrorCode } from "../errors.js";
import { t, type Lang } from "../i18n/index.js";
import type { AppEnv } from "./context.js";
import { VERSION } from "./api/index.js";
import { openApiDocument, operations } from "./openapi.js";
import { assetUrl } from "./static.js";

interface DocOp {
  tags: string[];
  summary: string;
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, { schema: object }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: JsonSchema }> }>;
}

interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
}

const refName = (s: JsonSchema | undefined): string | undefined => s?.$ref?.split("/").pop();

/** A field's type when it is another schema: `Account`, `Account[]`, `OrganizationRef | null`. */
function fieldType(s: JsonSchema): string {
  const named = refName(s) ?? (s.type === "array" && refName(s.items) ? `${refName(s.items)}[]` : undefined);
  if (named) return `: ${named}`;
  const alts = (s.anyOf ?? []).map((a) => refName(a) ?? (a.type === "null" ? "null" : undefined));
  return alts.length > 0 && alts.every(Boolean) ? `: ${alts.join(" | ")}` : "";
}

/** A body's fields in one line (`?` optional), each alternative of a union apart. */
function fieldsOf(s: JsonSchema): string {
  const alts = s.oneOf ?? s.anyOf;
  if (alts) return alts.map(fieldsOf).join(" | ");
  if (s.type === "array") return `[${refName(s.items) ?? "…"}]`;
  const required = new Set(s.required ?? []);
  return `{${Object.entries(s.properties ?? {})
    .map(([k, v]) => `${k}${required.has(k) ? "" : "?"}${fieldType(v)}`)
    .join(", ")}}`;
}

/** What a success answer says, with its JSON body's schema name and fields when it has one. */
function responseText(lang: Lang, r: DocOp["responses"][string], schemas: Record<string, JsonSchema>): string {
  const name = refName(r.content?.["application/json"]?.schema);
  const target = name ? schemas[name] : undefined;
  if (!name || !target) return responseIn(lang, r.description);
  const shape = `${name} ${fieldsOf(target)}`;
  return isShape(r.description) ? shape : apiDocsText[lang].responseShape.replace("{description}", () => responseIn(lang, r.description)).replace("{shape}", () => shape);
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
    const schemas = doc.components.schemas as Record<string, JsonSchema>;
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
          responses: Object.entries(o.responses).map(([status, r]) => [status, responseText(lang, r, schemas)] as [string, string]),
        };
      }),
    );
    const errors: DocError[] = Object.keys(errorCodes).map((code) => ({ code, status: statusesOf(code as ErrorCode).join(", "), meaning: t(lang, `error.${code}`) }));
    return c.html(renderApiDocs({ lang, title: getSettings(c.get("deps")).serverName, version: VERSION, cssUrl: assetUrl("app.css"), ops, errors }));
  })
  // A problem's `type` (RFC 9457 §3.1.1): a link a developer can open, to what its code means.
  .get("/problems/:code", (c) => {
    const code = c.req.param("code");
    if (!Object.hasOwn(errorCodes, code)) throw new AppError("not_found");
    return c.redirect(`/api/docs#${problemAnchor(code as ErrorCode)}`, 302);
  });
