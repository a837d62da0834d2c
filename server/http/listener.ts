import type { IncomingMessage, ServerResponse } from "node:http";
import { getRequestListener } from "@hono/node-server";

/** What the app's fetch is handed besides the request (see `badRequestEnv`). */
export interface NodeEnv {
  incoming: IncomingMessage;
  outgoing: ServerResponse;
  /** Set when the request could not be made into a URL: the app answers 400 in its own way. */
  badRequest?: true;
}

type Fetch = (req: Request, env: NodeEnv) => Response | Promise<Response>;

/**
 * Node's request listener for the app. @hono/node-server answers a request
 * whose Host header or target cannot make a URL (`Host: a b`, a backslash in
 * the path) with a bare, empty 400 of its own, before the app sees it. Here
 * the app answers it instead, as any other bad request: problem+json under
 * /api/, an error page elsewhere, with the security headers, the request id
 * and an access-log line.
 */
export function requestListener(fetch: Fetch, o: { hostname?: string } = {}) {
  // The adapter calls errorHandler synchronously inside the listener when the URL fails, so the
  // request it is about is the one being handled now.
  let current: { incoming: IncomingMessage; outgoing: ServerResponse } | undefined;
  const inner = getRequestListener(fetch as never, {
    hostname: o.hostname,
    errorHandler: async (err) => {
      const now = current;
      if (!now || !(err instanceof Error && err.name === "RequestError")) return serverError();
      // The path, also from an absolute-form target ("http://host/api/…").
      const target = (now.incoming.url ?? "").replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, "");
      const api = target.startsWith("/api/");
      return fetch(new Request(`http://localhost${api ? "/api/v1/" : "/"}`, { method: "GET" }), { ...now, badRequest: true });
    },
  });
  return (incoming: IncomingMessage, outgoing: ServerResponse) => {
    current = { incoming, outgoing };
    try {
      return inner(incoming, outgoing);
    } finally {
      current = undefined;
    }
  };
}

/**
 * Only if the app's own fetch failed outside its error handler (it does not:
 * every error becomes an answer there): a plain problem, never a hanging
 * connection.
 */
const serverError = () =>
  new Response(JSON.stringify({ type: "/api/problems/internal_error", title: "Something went wrong on the server.", status: 500, code: "internal_error" }), {
    status: 500,
    headers: { "content-type": "application/problem+json" },
  });
