import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { quickHealthcheck } from "./healthcheck.js";
import { closedPort, err, listen, servers } from "./test-kit.js";

/**
 * `roster healthcheck` as the image runs it every 10 s: index.ts answers it with
 * quickHealthcheck before the rest of the CLI loads, from the server's own
 * environment. (commands.test.ts covers the full command, runCommand.)
 */
describe("the image's health check (quickHealthcheck)", () => {
  it("asks /readyz on PORT at loopback when HOST is every address, and at HOST when it is one", async () => {
    const all = await listen((url) => (url === "/readyz" ? 200 : 404));
    expect(await quickHealthcheck([], { PORT: String(all.port) })).toBe(0);
    expect(await quickHealthcheck([], { PORT: String(all.port), HOST: "0.0.0.0" })).toBe(0);
    expect(all.asked).toEqual(["/readyz", "/readyz"]);
    const one = await listen((url) => (url === "/readyz" ? 200 : 404), "127.0.0.2");
    expect(await quickHealthcheck([], { PORT: String(one.port), HOST: "127.0.0.2" })).toBe(0);
    // The same port at loopback is not that server.
    expect(await quickHealthcheck([], { PORT: String(one.port) })).toBe(1);
    expect(one.asked).toEqual(["/readyz"]);
  });

  it("fails with the status and body when the server answers but is not ready, or redirects", async () => {
    const s = await listen((url) => (url === "/readyz" ? 503 : 301));
    expect(await quickHealthcheck([], { PORT: String(s.port) })).toBe(1);
    expect(err).toEqual(["not ready: 503 migrations pending"]);
    expect(await quickHealthcheck(["--url", `http://127.0.0.1:${s.port}/elsewhere`], {})).toBe(1);
    expect(err[1]).toBe("not ready: 301 migrations pending");
  });

  it("fails naming the URL when nothing listens, when the URL is not http(s), and when no answer comes within 3 s", async () => {
    const port = await closedPort();
    expect(await quickHealthcheck([], { PORT: String(port) })).toBe(1);
    expect(err[0]).toContain(`not reachable: http://127.0.0.1:${port}/readyz`);
    expect(await quickHealthcheck(["--url", "ftp://127.0.0.1/readyz"], {})).toBe(1);
    expect(err[1]).toBe("not reachable: ftp://127.0.0.1/readyz (not an http or https URL)");
    // Accepts the connection, never answers.
    const silent: Server = createServer(() => {});
    servers.push(silent);
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const started = Date.now();
    expect(await quickHealthcheck([], { PORT: String((silent.address() as AddressInfo).port) })).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2900);
    expect(err[2]).toMatch(/no answer within 3 s/);
    silent.closeAllConnections();
    // Answers at once, then drips its body a byte a second: 3 s is for the whole check, not between bytes.
    const drip: Server = createServer((_req, res) => {
      res.writeHead(503);
      const timer = setInterval(() => res.write("."), 1000);
      res.on("close", () => clearInterval(timer));
    });
    servers.push(drip);
    await new Promise<void>((r) => drip.listen(0, "127.0.0.1", r));
    const dripStarted = Date.now();
    expect(await quickHealthcheck([], { PORT: String((drip.address() as AddressInfo).port) })).toBe(1);
    expect(Date.now() - dripStarted).toBeLessThan(4500);
    expect(err[3]).toMatch(/no answer within 3 s/);
    drip.closeAllConnections();
  }, 15_000);

  it("leaves to the full command what only the configuration can read: PORT_FILE, HOST_FILE, a bad port, other arguments", () => {
    expect(quickHealthcheck([], { PORT_FILE: "/run/secrets/port" })).toBeUndefined();
    expect(quickHealthcheck([], { PORT: "8080", HOST_FILE: "/run/secrets/host" })).toBeUndefined();
    expect(quickHealthcheck([], { PORT: "eighty" })).toBeUndefined();
    expect(quickHealthcheck([], { PORT: "70000" })).toBeUndefined();
    expect(quickHealthcheck(["--help"], { PORT: "8080" })).toBeUndefined();
    expect(quickHealthcheck(["--url"], { PORT: "8080" })).toBeUndefined();
  });
});
