import { createServer, ServerResponse, type IncomingMessage, type Server } from "node:http";
import type { Duplex } from "node:stream";
import { getRequestListener } from "@hono/node-server";
import { problemBody } from "./api/respond.js";
import type { alsoSentWith } from "../errors.js";

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
 * The server's limits, chosen for an intranet appliance instead of Node's
 * defaults (a request could take 5 minutes, on any number of connections: a
 * thousand anonymous clients each sending 1 MB slowly held 1.15 GB that long).
 */
export const HTTP_LIMITS = {
  /** Every real client sends its headers in one packet; 15 s is room for a stalled VPN link, not for a slowloris. */
  headersTimeout: 15_000,
  /**
   * The whole request, body included (not the answer: a streamed export runs as long as it needs).
   * The largest body, a 10 MB import, crosses a LAN in a second and needs under 3 Mbit/s to fit.
   */
  requestTimeout: 30_000,
  /**
   * Idle keep-alive. A proxy in front reuses its idle connections to us for up to 60 s (nginx's
   * upstream keepalive_timeout, AWS and Azure load balancers); if we closed one first, as Node's 5 s
   * does, a request the proxy sends down it as we close it comes back to its client as a 502. Idle
   * sockets cost a few KB each.
   */
  keepAliveTimeout: 65_000,
  /** How often Node looks for requests past those timeouts: its 30 s would let a 30 s limit run to 60. */
  checkEvery: 1_000,
  // No cap on connections at once. A server-wide cap let one client that opens that many idle
  // sockets (each held up to the headers timeout) shut every other client out, the chat server's
  // token checks included; a cap per address would shut out everyone behind one proxy. What one
  // connection can hold is bounded instead: its headers' time, its request's time, its body's size.
  /** After a refusal, how long a client that keeps its end of the connection open is waited for. */
  closeGrace: 2_000,
};
export type HttpLimits = typeof HTTP_LIMITS;

/**
 * The largest body a request may have (server/app.ts refuses a longer one before reading it):
 * 10 MB for imports, 1 MB for the JSON API, 512 KB for a page's form (the longest, a registration
 * request's list of addresses, is under 400 KB encoded).
 */
export const BODY_LIMITS = { imports: 10 * 1024 * 1024, api: 1024 * 1024, page: 512 * 1024 };
/** A longer declared body than any route takes is refused before its 100 Continue. */
const LARGEST_BODY = BODY_LIMITS.imports;

/**
 * The HTTP server for the app: the listener above, Node's parser errors
 * answered (`answerClientErrors`), `Expect` answered before the body is
 * sent, the limits above (tests pass smaller ones), and responses that go
 * out together.
 */
export function httpServer(fetch: Fetch, o: { hostname?: string; limits?: Partial<HttpLimits> } = {}): Server {
  const limits = { ...HTTP_LIMITS, ...o.limits };
  const server = createServer(
    {
      requireHostHeader: false,
      ServerResponse: TogetherResponse,
      headersTimeout: limits.headersTimeout,
      requestTimeout: limits.requestTimeout,
      keepAliveTimeout: limits.keepAliveTimeout,
      connectionsCheckingInterval: limits.checkEvery,
    },
    requestListener(fetch, o),
  );
  answerClientErrors(server, limits);
  answerExpectations(server);
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
 * its framing cannot be trusted. (Headers too large get a 431, and a
 * timed-out request a 408, each with a problem body too.)
 *
 * When answers to earlier requests on the connection are still to go out (a
 * pipelined log in being hashed, an export streaming), nothing is written in
 * their place: a pipelining client takes the next answer for its oldest
 * request. They go out, the last with `Connection: close`, and the connection
 * closes after them; the refused request gets no answer of its own.
 */
export function answerClientErrors(server: Server, limits: Pick<HttpLimits, "closeGrace"> = HTTP_LIMITS): void {
  // First, so that a response is known before the app has run any of its code.
  server.prependListener("request", track);
  server.on("clientError", (err: NodeJS.ErrnoException, socket: Duplex) => {
    const conn = connectionOf(socket);
    // The parser repeats its error on every later read, and a timeout may follow: the first one decided.
    if (conn.refused) return;
    conn.refused = true;
    if (err.code === "ECONNRESET" || !socket.writable) return void socket.destroy();
    const open = [...conn.open];
    // Only the newest request can still be reading its body: the error is in it if it is not complete.
    const answered = open.filter((res) => res.req.complete).at(-1);
    if (answered) return closeAfter(answered, socket, limits);
    const own = open.at(-1);
    // The answer to the very request that broke is under way (headers written) or already went:
    // a second answer to it would be read as the next request's.
    if (own?.headersSent || (!own && conn.latest && !conn.latest.complete)) return void socket.destroy();
    hangUp(socket, limits, rawProblem(refusals[err.code ?? ""] ?? refusals.default!));
  });
}

/**
 * A `validation_failed` problem with a status of the listener's own: only those the API reference
 * lists beside the code (errors.ts `alsoSentWith`), so a new one cannot go undocumented.
 */
const refusedAs = (status: (typeof alsoSentWith.validation_failed)[number], detail: string) => ({ ...problemBody("validation_failed", { detail }), status });

/** The headers of every answer the listener writes itself. */
const PROBLEM_HEADERS = { "Content-Type": "application/problem+json", "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store" } as const;

/** What a request the parser refused is answered, by Node's error code: a problem like every other error (SPEC §4). */
const refusals: Record<string, { status: number; reason: string; problem: object }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    reason: "Request Header Fields Too Large",
    problem: refusedAs(431, "The request's headers (its address, cookies and other fields) are too large."),
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    reason: "Request Timeout",
    problem: refusedAs(408, "The request did not arrive in time."),
  },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: { status: 413, reason: "Payload Too Large", problem: problemBody("payload_too_large") },
  default: { status: 400, reason: "Bad Request", problem: problemBody("validation_failed", { detail: "The request is not valid HTTP." }) },
};

/** A whole HTTP answer with a problem body, written straight to the socket, after which the connection closes. */
function rawProblem({ status, reason, problem }: { status: number; reason: string; problem: object }): string {
  const body = JSON.stringify(problem);
  return (
    `HTTP/1.1 ${status} ${reason}\r\n` +
    Object.entries({ ...PROBLEM_HEADERS, "Content-Length": Buffer.byteLength(body), Connection: "close" })
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join("") +
    `\r\n${body}`
  );
}

/** A connection's newest request, and its answers not yet gone out, oldest first. */
interface Connection {
  latest?: IncomingMessage;
  open: Set<ServerResponse>;
  refused?: boolean;
}
const connections = new WeakMap<Duplex, Connection>();

function connectionOf(socket: Duplex): Connection {
  let conn = connections.get(socket);
  if (!conn) connections.set(socket, (conn = { open: new Set() }));
  return conn;
}

function track(req: IncomingMessage, res: ServerResponse): void {
  const conn = connectionOf(req.socket);
  conn.latest = req;
  conn.open.add(res);
  // 'close' comes once the answer has gone out (or the connection is gone).
  res.once("close", () => conn.open.delete(res));
}

/** Lets `res` go out, then closes the connection, saying so in its headers when they are not written yet. */
function closeAfter(res: ServerResponse, socket: Duplex, limits: Pick<HttpLimits, "closeGrace">): void {
  if (!res.headersSent) res.shouldKeepAlive = false;
  res.once("close", () => hangUp(socket, limits));
}

/**
 * Ends the connection after what is written, and lets go of it if the client
 * keeps its end open (the server allows half-open connections): it would
 * hold its socket for ever.
 */
function hangUp(socket: Duplex, limits: Pick<HttpLimits, "closeGrace">, last?: string): void {
  if (socket.destroyed) return;
  socket.end(last);
  setTimeout(() => socket.destroy(), limits.closeGrace).unref();
}

/**
 * `Expect: 100-continue`: Node would send 100 at once, and the client upload
 * a body that is then refused. One longer than any route takes gets its 413
 * instead, and the connection closes (the body may follow anyway); any other
 * goes on as usual. Another expectation gets a 417 as a problem, not Node's
 * bare one.
 */
function answerExpectations(server: Server): void {
  server.on("checkContinue", (req: IncomingMessage, res: ServerResponse) => {
    if (Number(req.headers["content-length"]) > LARGEST_BODY) return refuse(req, res, 413, problemBody("payload_too_large"));
    res.writeContinue();
    server.emit("request", req, res);
  });
  server.on("checkExpectation", (req: IncomingMessage, res: ServerResponse) =>
    refuse(req, res, 417, refusedAs(417, "The only expectation this server meets is Expect: 100-continue.")),
  );
}

function refuse(req: IncomingMessage, res: ServerResponse, status: number, problem: object): void {
  track(req, res);
  const body = JSON.stringify(problem);
  res.shouldKeepAlive = false;
  res.writeHead(status, { ...PROBLEM_HEADERS, "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

/**
 * Only if the app's own fetch failed outside its error handler (it does not:
 * every error becomes an answer there): a plain problem, never a hanging
 * connection.
 */
const serverError = () => new Response(JSON.stringify(problemBody("internal_error")), { status: 500, headers: { "content-type": "application/problem+json" } });
