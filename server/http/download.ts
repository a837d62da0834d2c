import type { Context } from "hono";

/** A file to download (an export, a report), in either face: never cached, saved under its name. */
export function download(c: Context, x: { body: ReadableStream<Uint8Array> | string; contentType: string; filename: string }): Response {
  return c.body(x.body, 200, { "content-type": x.contentType, "content-disposition": `attachment; filename="${x.filename}"`, "cache-control": "no-store" });
}
