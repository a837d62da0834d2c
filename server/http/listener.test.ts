import type { Server, ServerResponse } from "node:http";
import net from "node:net";
import { Hono } from "hono";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createTestApp } from "../test/harness.js";
import { httpServer, type requestListener } from "./listener.js";
import { afterResponseWith } from "../deps.js";

/**
 * The request listener on a real Node server over raw sockets (the parts
 * app.request never reaches): what the app answers for a request whose URL
 * fails, and what Node's parser errors get. e2e/hostile-http.test.ts sends
 * the whole catalogue to the real server; these are the edges it cannot set up.
 */
const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

async function listen(fetch: Parameters<typeof requestListener>[0]): Promise<number> {
  const server = httpServer(fetch);
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
