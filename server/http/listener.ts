import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { getRequestListener } from "@hono/node-server";
import { problemBody } from "./api/respond.js";

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
 * the path) with a bare, empty 400 of its own, before the app sees it, and
 * Node does the same for an HTTP/1.1 request without Host (the server is
 * made with `requireHostHeader: false` so that it reaches this). Here
 * the app answers it instead, as any other bad request: problem+json under
 * /api/, an error page elsewhere, with the security headers, the request id
 * and an access-log line.
 */
export function requestListener(fetch: Fetch, o: { hostname?: string } = {}) {
  // The adapter calls errorHandler synchronously inside the listener when the URL fails, so the
  // request it is about is the one being handled now.
  let current: { incoming: IncomingMessage; outgoing: ServerResponse } | undefined;
  // RFC 9112: an HTTP/1.1 request without Host is a 400; Node's own (requireHostHeader) would be bare.
  const checked: Fetch = (req, env) => (env.incoming.httpVersion === "1.1" && env.incoming.headers.host === undefined ? fetch(req, { ...env, badRequest: true }) : fetch(req, env));
  const inner = getRequestListener(checked as never, {
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
 * A message Node's HTTP parser refuses (broken framing, a byte no header may
 * hold) never reaches the app; Node would answer a bare 400. It gets the
 * problem+json every client of the API reads, and the connection is closed:
 * its framing cannot be trusted. (Headers too large, 431, and a timed-out
 * request, 408, keep Node's answers.)
 */
export function answerClientErrors(server: Server): void {
  server.on("clientError", (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === "ECONNRESET" || !socket.writable) return void socket.destroy();
    if (err.code === "HPE_HEADER_OVERFLOW" || err.code === "ERR_HTTP_REQUEST_TIMEOUT" || err.code === "HPE_CHUNK_EXTENSIONS_OVERFLOW") {
      const status = err.code === "HPE_HEADER_OVERFLOW" ? "431 Request Header Fields Too Large" : err.code === "ERR_HTTP_REQUEST_TIMEOUT" ? "408 Request Timeout" : "413 Payload Too Large";
      return void socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    }
    const body = JSON.stringify(problemBody("validation_failed", { detail: "The request is not valid HTTP." }));
    socket.end(
      "HTTP/1.1 400 Bad Request\r\nContent-Type: application/problem+json\r\nX-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\n" +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}

/**
 * Only if the app's own fetch failed outside its error handler (it does not:
 * every error becomes an answer there): a plain problem, never a hanging
 * connection.
 */
const serverError = () => new Response(JSON.stringify(problemBody("internal_error")), { status: 500, headers: { "content-type": "application/problem+json" } });
