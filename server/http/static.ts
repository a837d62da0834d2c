import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { Hono } from "hono";
import { projectRoot } from "../db/client.js";
import type { AppEnv } from "./context.js";

/**
 * Scripts and styles are served from the image itself (an intranet has no
 * CDN), held in memory, and named with a content hash so browsers may cache
 * them for a year.
 */
const files: Record<string, { source: string; type: string }> = {
  "htmx.min.js": { source: "node_modules/htmx.org/dist/htmx.min.js", type: "text/javascript; charset=utf-8" },
  "app.css": { source: "views/static/app.css", type: "text/css; charset=utf-8" },
  "app.js": { source: "views/static/app.js", type: "text/javascript; charset=utf-8" },
  "admin.js": { source: "views/static/admin.js", type: "text/javascript; charset=utf-8" },
};

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

let assets: Map<string, Asset> | undefined;
function load(): Map<string, Asset> {
  if (assets) return assets;
  assets = new Map();
  for (const [name, f] of Object.entries(files)) {
    const body = readFileSync(path.join(projectRoot(), f.source));
    assets.set(name, { body, type: f.type, etag: createHash("sha256").update(body).digest("base64url").slice(0, 16) });
  }
  return assets;
}

/** `/static/app.css?v=<hash>`: the URL views put in their links. */
export function assetUrl(name: keyof typeof files): string {
  const a = load().get(name);
  return `/static/${name}?v=${a?.etag ?? "0"}`;
}

export const staticFiles = new Hono<AppEnv>().get("/:name", (c) => {
  const a = load().get(c.req.param("name"));
  if (!a) return c.notFound();
  const validators = {
    etag: `"${a.etag}"`,
    "cache-control": c.req.query("v") ? "public, max-age=31536000, immutable" : "public, max-age=300",
  };
  // A 304 must carry the ETag and Cache-Control the 200 would (RFC 9110 §15.4.5): without them a
  // cache keeps the old freshness and revalidates on every use.
  if (noneMatch(c.req.header("if-none-match"), a.etag)) return c.body(null, 304, validators);
  return c.body(new Uint8Array(a.body), 200, { "content-type": a.type, ...validators });
});

/**
 * Whether If-None-Match names our entity-tag (RFC 9110 §13.1.2): `*`, or any
 * tag in its list, compared weakly, so `W/"x"` matches `"x"` (a proxy that
 * compresses a response marks its ETag weak, and browsers send it back so).
 */
function noneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === "*") return true;
  for (const m of header.matchAll(/(?:W\/)?"([^"]*)"/g)) if (m[1] === etag) return true;
  return false;
}
