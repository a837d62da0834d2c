import { createServer, ServerResponse, type IncomingMessage, type Server } from "node:http";
import type { Duplex } from "node:stream";
import { getRequestListener } from "@hono/node-server";
import { problemBody } from "./api/respond.js";

/** What the app's fetch is handed besides the request. */
export interface NodeEnv {
  incoming: IncomingMessage;
  outgoing: ServerResponse;
  /**
   * Set when the request's Host or target made no URL: the app answers 400 in
   * its own way. The request it gets has the real method and headers but a
   * stand-in URL; `target` is the real one, for the access log.
   */
  badRequest?: { target: string };
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
  const checked: Fetch = (req, env) =>
    env.incoming.httpVersion === "1.1" && env.incoming.headers.host === undefined ? fetch(req, { ...env, badRequest: { target: env.incoming.url ?? "" } }) : fetch(req, env);
  const inner = getRequestListener(checked as never, {
    hostname: o.hostname,
    errorHandler: async (err) => {
      const now = current;
      if (!now || !(err instanceof Error && err.name === "RequestError")) return serverError();
      try {
        return await fetch(standIn(now.incoming), { ...now, badRequest: { target: now.incoming.url ?? "" } });
      } catch {
        return serverError();
      }
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
 * The request the app sees for one whose URL failed: its method and headers
 * (Node has checked them; Host is what failed), at "/" or "/api/v1/" so the
 * right face answers. No body: the app refuses it before reading one.
 */
function standIn(incoming: IncomingMessage): Request {
  // The path, also from an absolute-form target ("http://host/api/…").
  const target = (incoming.url ?? "").replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, "");
  const url = `http://localhost${target.startsWith("/api/") ? "/api/v1/" : "/"}`;
  const headers: [string, string][] = [];
  for (let i = 0; i + 1 < incoming.rawHeaders.length; i += 2) {
    const name = incoming.rawHeaders[i] as string;
    if (name.toLowerCase() !== "host") headers.push([name, incoming.rawHeaders[i + 1] as string]);
  }
  try {
    return new Request(url, { method: incoming.method, headers });
  } catch {
    // A method fetch forbids (CONNECT, TRACE) or a header value it refuses: the bare request will do.
    return new Request(url);
  }
}

/**
 * The HTTP server for the app: the listener above, Node's parser errors
 * answered (`answerClientErrors`), and responses that go out together.
 */
export function httpServer(fetch: Fetch, o: { hostname?: string } = {}): Server {
  const server = createServer({ requireHostHeader: false, ServerResponse: TogetherResponse }, requestListener(fetch, o));
  answerClientErrors(server);
  return server;
}

/**
 * A response whose end waits for the end of the event loop's turn, so the
 * answers to every request read in that turn are written one after another.
 * Under load a turn reads many requests (token checks from a chat server
 * come ten at a time and more); written as each is ready, every response woke
 * the client's thread on its own, and on a virtual machine each wake-up costs
 * more than a token check itself. Written together, one wake-up serves them
 * all: token checks went from 8,250 to 12,150 a second on the bench. A
 * request alone waits only for the rest of its turn; work that should not
 * hold answers (or be timed through them) runs after them, with
 * `afterTheseAnswers`. (Headers are written with the end; streamed bodies,
 * such as the CSV export, write as they go and only their last chunk waits.)
 */
class TogetherResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {
  override end(...args: unknown[]): this {
    if (pending.length === 0) setImmediate(endPending);
    pending.push(() => {
      try {
        (super.end as (...a: unknown[]) => this)(...args);
      } catch (e) {
        // As if it had thrown to its caller, which would have given up on the response: not the process.
        this.destroy(e instanceof Error ? e : new Error(String(e)));
      }
    });
    return this;
  }
}
let pending: (() => void)[] = [];

/**
 * Runs `fn` once the answers of this turn of the event loop have gone out:
 * one turn later than a plain setImmediate, whose callbacks run in order with
 * the one that writes them. For work done after a response that must not
 * show in its timing (a password-reset lookup: SPEC §6), and for the pauses
 * of long jobs (an import, an export) between their steps, so that token
 * checks read meanwhile are not held behind the next step.
 */
export function afterTheseAnswers(fn: () => void): void {
  setImmediate(() => setImmediate(fn));
}
function endPending() {
  const now = pending;
  pending = [];
  for (const end of now) end();
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
    // As Node's own handler: nothing is written into a response already under way on this connection.
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (err.code === "ECONNRESET" || !socket.writable || inFlight?.headersSent) return void socket.destroy();
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
