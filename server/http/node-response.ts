import type { Context } from "hono";
import type { ServerResponse } from "node:http";

/**
 * Node's response when the app runs under @hono/node-server and has not
 * answered yet; absent under `app.request()`. Headers set on it (security
 * headers, cookies) are merged into the head Node writes, so hono keeps its
 * light response.
 */
export function nodeResponse(c: Context): ServerResponse | undefined {
  const env = c.env as { outgoing?: ServerResponse } | undefined;
  const out = env?.outgoing;
  return out && typeof out.setHeader === "function" && !out.headersSent ? out : undefined;
}
