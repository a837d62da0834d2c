import type { Server, ServerResponse } from "node:http";
import net from "node:net";
import { Hono } from "hono";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createTestApp } from "../test/harness.js";
import { httpServer, HTTP_LIMITS, type HttpLimits, type requestListener } from "./listener.js";
import { afterResponseWith } from "../deps.js";

/**
 * The request listener on a real Node server over raw sockets (the parts
 * app.request never reaches): what the app answers for a request whose URL
 * fails, what Node's parser errors get (also behind pipelined requests), the
 * server's timeouts and connection cap (with small values), and what
 * `Expect` gets. e2e/hostile-http-*.test.ts send
 * the whole catalogue to the real server; these are the edges they cannot set up.
 */
const servers: Server[] = [];
afterEach(async () => {
  // Connections a failed test left open would hold close() for ever.
  for (const s of servers.splice(0)) await new Promise((r) => (s.close(r), s.closeAllConnections()));
});

async function listen(fetch: Parameters<typeof requestListener>[0], limits?: Partial<HttpLimits>): Promise<number> {
  const server = httpServer(fetch, { limits });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return (server.address() as net.AddressInfo).port;
}

/** Writes `chunks` (waiting `gapMs` after each, or until `before` arrived), collects what comes back until the server closes. */
function exchange(port: number, chunks: string[], o: { gapMs?: number; before?: string[] } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    let got = "";
    const timer = setTimeout(() => reject(new Error(`no close; got ${JSON.stringify(got)}`)), 5000);
    socket.on("data", (d) => (got += d.toString("latin1")));
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(got);
    });
    void (async () => {
      for (const [i, chunk] of chunks.entries()) {
        const wait = o.before?.[i];
        while (wait && !got.includes(wait)) await new Promise((r) => setTimeout(r, 5));
        if (socket.destroyed) return;
        socket.write(chunk);
        await new Promise((r) => setTimeout(r, o.gapMs ?? 0));
      }
    })();
  });
}

describe("the request listener", () => {
  it("never writes a refusal into a response already on its way", async () => {
    const app = new Hono().get("/slow", (c) => {
      let step = 0;
      const body = new ReadableStream<Uint8Array>({
        async pull(ctl) {
          if (step++ === 0) return ctl.enqueue(new TextEncoder().encode("part1-"));
          await new Promise((r) => setTimeout(r, 300));
          ctl.enqueue(new TextEncoder().encode("part2"));
          ctl.close();
        },
      });
      return c.body(body, 200, { "content-length": "11" });
    });
    const port = await listen(app.fetch as never);
    // The second request is broken framing: Node's parser refuses it while the first answer streams.
    const got = await exchange(port, ["GET /slow HTTP/1.1\r\nHost: x\r\n\r\n", "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"], { before: [undefined as never, "part1-"] });
    expect(got).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(got).not.toContain("HTTP/1.1 400");
    // The client reads a cut answer (and knows it from Content-Length), never someone else's bytes in it.
    expect(got.slice(got.indexOf("\r\n\r\n") + 4)).toMatch(/^part1-(part2)?$/);
  });

  it("answers a broken request on an idle connection with a problem, and closes it", async () => {
    const port = await listen(new Hono().get("/", (c) => c.text("ok")).fetch as never);
    const got = await exchange(port, ["GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"]);
    expect(got).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(got).toContain("Content-Type: application/problem+json");
    expect(JSON.parse(got.slice(got.indexOf("\r\n\r\n") + 4))).toMatchObject({ status: 400, code: "validation_failed" });
  });

  it("answers 500, and stays up, when the app fails on a request whose URL failed", async () => {
    const app = new Hono();
    app.use("*", () => {
      throw new Error("a bug in the error path");
    });
    app.onError(() => {
      throw new Error("and in onError too");
    });
    const port = await listen(app.fetch as never);
    const got = await exchange(port, ["GET /api/v1/server HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n"]);
    expect(got).toMatch(/^HTTP\/1\.1 500 /);
    expect(got).toContain("application/problem+json");
    const again = await exchange(port, ["GET / HTTP/1.1\r\nHost: fine.test\r\nConnection: close\r\n\r\n"]);
    expect(again).toMatch(/^HTTP\/1\.1 500 /);
  });

  it("lets the app log a request whose Host failed with its method, request id, client and target", async () => {
    const t = createTestApp({ config: { trustProxy: true } });
    const lines: Record<string, unknown>[] = [];
    t.deps.log = pino({ level: "info" }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
    const port = await listen(t.app.fetch as never);
    const got = await exchange(port, ["POST /admin/users/batch HTTP/1.1\r\nHost: a b\r\nX-Request-Id: req-42\r\nX-Forwarded-For: 10.9.9.9\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"]);
    expect(got).toMatch(/^HTTP\/1\.1 400 /);
    expect(got).toMatch(/\r\ncontent-type: text\/html/i);
    expect(got).toMatch(/\r\nx-request-id: req-42\r\n/i);
    expect(got).toContain("The request could not be understood");
    expect(lines.find((l) => l.msg === "request")).toMatchObject({ method: "POST", path: "/admin/users/batch", requestId: "req-42", ip: "10.9.9.9", status: 400 });
  });

  it("gives each of a burst of requests its own answer, in order on a pipelined connection", async () => {
    // Answers read in one turn of the event loop are written together (TogetherResponse): none may be lost or crossed.
    const port = await listen(new Hono().get("/n/:n", (c) => c.json({ n: Number(c.req.param("n")) })).fetch as never);
    const pipelined = Array.from({ length: 20 }, (_, i) => `GET /n/${i} HTTP/1.1\r\nHost: x\r\n${i === 19 ? "Connection: close\r\n" : ""}\r\n`).join("");
    const [inOrder, ...apart] = await Promise.all([
      exchange(port, [pipelined]),
      ...Array.from({ length: 30 }, (_, i) => exchange(port, [`GET /n/${100 + i} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`])),
    ]);
    expect([...(inOrder as string).matchAll(/\{"n":(\d+)\}/g)].map((m) => Number(m[1]))).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(apart.map((got) => JSON.parse(got.slice(got.indexOf("\r\n\r\n") + 4)) as unknown)).toEqual(Array.from({ length: 30 }, (_, i) => ({ n: 100 + i })));
  });

  it("runs work queued after a response only once that response is written, so its time cannot show in the answer (SPEC §6)", async () => {
    const seen: boolean[] = [];
    const after = afterResponseWith(pino({ level: "silent" }));
    const app = new Hono<{ Bindings: { outgoing: ServerResponse } }>().get("/reset", (c) => {
      // As a password-reset request does: the lookup (and the mail) after the 202.
      after(() => void seen.push(c.env.outgoing.writableEnded));
      return c.body(null, 202);
    });
    const port = await listen(app.fetch as never);
    const got = await exchange(port, ["GET /reset HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"]);
    expect(got).toMatch(/^HTTP\/1\.1 202 /);
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual([true]);
  });
});

/** A connection kept open: what arrived so far, waiting for some text, and whether the server closed it. */
function connect(port: number, o: { allowHalfOpen?: boolean } = {}) {
  const socket = net.connect({ port, host: "127.0.0.1", allowHalfOpen: o.allowHalfOpen ?? false });
  let got = "";
  let ended = false;
  socket.on("data", (d) => (got += d.toString("latin1")));
  socket.on("error", () => {});
  socket.on("end", () => (ended = true));
  const closed = new Promise<void>((r) => socket.on("close", () => r()));
  const until = async (what: () => boolean, ms = 3000) => {
    for (const end = Date.now() + ms; !what(); await new Promise((r) => setTimeout(r, 5))) if (Date.now() > end) throw new Error(`timed out; got ${JSON.stringify(got)}`);
  };
  return { socket, closed, got: () => got, ended: () => ended, until };
}

/** An app whose log in answers 401 after `ms`, as a real one does once the password is hashed, and that echoes bodies. */
const slowApp = (ms: number) =>
  new Hono()
    .post("/api/v1/auth/login", async (c) => {
      await new Promise((r) => setTimeout(r, ms));
      return c.json({ code: "invalid_credentials" }, 401);
    })
    .get("/slow/:n", async (c) => {
      await new Promise((r) => setTimeout(r, ms));
      return c.text(`slow ${c.req.param("n")}`);
    })
    .post("/echo", async (c) => c.text(`got ${(await c.req.text()).length}`))
    // A body cut off (the client gone, or refused by the server) is the client's mistake, as in the real app.
    .onError((_, c) => c.text("cut off", 400));

const login = 'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 33\r\n\r\n{"login":"a","password":"wrong!"}';
const statuses = (got: string) => [...got.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
const small: Partial<HttpLimits> = { headersTimeout: 200, requestTimeout: 300, checkEvery: 50, closeGrace: 200 };

describe("the server's limits", () => {
  it("keeps none of Node's timeouts (5 min a request, 5 s idle): 15 s for headers, 30 s a request, 65 s idle; no server-wide cap on connections, which one client could fill", async () => {
    const server = httpServer(new Hono().fetch as never);
    expect({ headers: server.headersTimeout, request: server.requestTimeout, idle: server.keepAliveTimeout, connections: server.maxConnections }).toEqual({
      headers: 15_000,
      request: 30_000,
      idle: 65_000,
      connections: undefined,
    });
    expect(HTTP_LIMITS.headersTimeout).toBeLessThanOrEqual(HTTP_LIMITS.requestTimeout);
  });

  it("answers 408 and closes a connection whose body trickles past the request timeout, so a slow upload cannot hold memory for minutes", async () => {
    const port = await listen(slowApp(0).fetch as never, small);
    const started = Date.now();
    const got = await exchange(port, ["POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n", ...Array<string>(100).fill("a")], { gapMs: 40 });
    expect(got).toMatch(/^HTTP\/1\.1 408 /);
    expect(statuses(got)).toEqual([408]);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it("answers 408 and closes a connection whose headers trickle past the headers timeout", async () => {
    const port = await listen(slowApp(0).fetch as never, small);
    const got = await exchange(port, ["GET /slow/1 HTTP/1.1\r\n", ...Array.from({ length: 100 }, (_, i) => `X-${i}: 1\r\n`)], { gapMs: 30 });
    expect(statuses(got)).toEqual([408]);
  });

  it("answers headers too large (431) and a timeout (408) with a problem body, as every other error", async () => {
    const port = await listen(slowApp(0).fetch as never, small);
    const problemOf = (got: string) => {
      const [head, body] = got.split("\r\n\r\n");
      expect(head).toMatch(/\r\ncontent-type: application\/problem\+json\r\n/i);
      expect(Number(/content-length: (\d+)/i.exec(head!)?.[1])).toBe(Buffer.byteLength(body!));
      return JSON.parse(body!) as { status: number; code: string; detail: string; type: string };
    };
    const big = await exchange(port, [`GET /slow/1?q=${"a".repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`]);
    expect(statuses(big)).toEqual([431]);
    expect(problemOf(big)).toMatchObject({ status: 431, code: "validation_failed", type: "/api/problems/validation_failed" });
    const slow = await exchange(port, ["GET /slow/1 HTTP/1.1\r\n", ...Array.from({ length: 100 }, (_, i) => `X-${i}: 1\r\n`)], { gapMs: 30 });
    expect(problemOf(slow)).toMatchObject({ status: 408, detail: "The request did not arrive in time." });
  });

  it("lets go of a connection after a refusal even when the client keeps its end open", async () => {
    const port = await listen(slowApp(0).fetch as never, small);
    const c = connect(port, { allowHalfOpen: true });
    c.socket.write("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n");
    await c.until(c.ended);
    expect(statuses(c.got())).toEqual([400]);
    // The client never ends its side: once the server's grace (200 ms here) runs out, it holds no connection.
    const server = servers.at(-1)!;
    const count = () => new Promise<number>((r) => server.getConnections((_, n) => r(n)));
    expect(await count()).toBe(1);
    await new Promise((r) => setTimeout(r, 400));
    expect(await count()).toBe(0);
    c.socket.destroy();
  });
});

describe("a malformed request pipelined behind others", () => {
  it("does not replace the answer to the request before it: the log in's 401 goes out, then the connection closes", async () => {
    const port = await listen(slowApp(100).fetch as never);
    const got = await exchange(port, [`${login}GET /\x01 HTTP/1.1\r\nHost: x\r\n\r\n`]);
    expect(statuses(got)).toEqual([401]);
    expect(got).toMatch(/\r\nConnection: close\r\n/i);
    expect(got).toContain('"invalid_credentials"');
  });

  it("lets every answer read before it go out, in order", async () => {
    const port = await listen(slowApp(50).fetch as never);
    const got = await exchange(port, ["GET /slow/1 HTTP/1.1\r\nHost: x\r\n\r\nGET /slow/2 HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"]);
    expect(statuses(got)).toEqual([200, 200]);
    expect(got.indexOf("slow 1")).toBeLessThan(got.indexOf("slow 2"));
  });

  it("does not replace it with a 408 either, when the request after it times out", async () => {
    const port = await listen(slowApp(500).fetch as never, small);
    const got = await exchange(port, [`${login}GET /slow/1 HTTP/1.1\r\nHost: x\r\n`]);
    expect(statuses(got)).toEqual([401]);
  });
});

describe("Expect: 100-continue", () => {
  it("refuses a body declared larger than any route takes with a 413 problem, before asking for it, and closes", async () => {
    const port = await listen(slowApp(0).fetch as never);
    const got = await exchange(port, [`POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: ${10 * 1024 * 1024 + 1}\r\n\r\n`]);
    expect(statuses(got)).toEqual([413]);
    expect(got).toMatch(/\r\ncontent-type: application\/problem\+json\r\n/i);
    expect(JSON.parse(got.slice(got.indexOf("\r\n\r\n") + 4))).toMatchObject({ status: 413, code: "payload_too_large" });
  });

  it("asks for a body of an acceptable size with 100 Continue and hands it to the app", async () => {
    const port = await listen(slowApp(0).fetch as never);
    const got = await exchange(port, ["POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\nConnection: close\r\n\r\n", "hello"], { before: [undefined as never, "100 Continue"] });
    expect(statuses(got)).toEqual([100, 200]);
    expect(got).toContain("got 5");
  });

  it("answers another expectation with a 417 problem, not Node's bare one", async () => {
    const port = await listen(slowApp(0).fetch as never);
    const got = await exchange(port, ["POST /echo HTTP/1.1\r\nHost: x\r\nExpect: fancy\r\nContent-Length: 5\r\n\r\nhello"]);
    expect(statuses(got)).toEqual([417]);
    expect(JSON.parse(got.slice(got.indexOf("\r\n\r\n") + 4))).toMatchObject({ status: 417, code: "validation_failed" });
  });
});
