// Plain HTTP calls to the server (node:http, fresh connection each): setup steps and single timed requests.
import http from "node:http";
import { Buffer } from "node:buffer";
import { performance } from "node:perf_hooks";

/** One request; resolves { status, headers, body (string) }. */
export function request(base, method, urlPath, { headers = {}, body, timeoutMs = 120_000 } = {}) {
  const u = new URL(urlPath, base);
  const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
  const h = { ...headers };
  if (payload) {
    h["content-length"] = String(payload.length);
    if (!Object.keys(h).some((k) => k.toLowerCase() === "content-type")) h["content-type"] = "application/json";
  }
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers: h, agent: false, timeout: timeoutMs }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`${method} ${urlPath}: no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(payload);
  });
}

/** Like request(), but the answer must have `expect` status and a JSON body, which it returns. */
export async function json(base, method, urlPath, opts = {}, expect = 200) {
  const r = await request(base, method, urlPath, opts);
  if (r.status !== expect) throw new Error(`${method} ${urlPath}: expected ${expect}, got ${r.status}: ${r.body.slice(0, 500)}`);
  return JSON.parse(r.body);
}

/** Logs in; returns the session token. */
export async function login(base, loginName, password) {
  const r = await json(base, "POST", "/api/v1/auth/login", { body: { login: loginName, password, device: "bench" } });
  return r.token;
}

/**
 * Downloads `urlPath` as a stream without keeping it: resolves with bytes,
 * newline count, time to first byte and to the end (ms).
 */
export function download(base, urlPath, headers = {}, timeoutMs = 300_000) {
  const u = new URL(urlPath, base);
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.get({ host: u.hostname, port: u.port, path: u.pathname + u.search, headers, agent: false, timeout: timeoutMs }, (res) => {
      let bytes = 0;
      let lines = 0;
      let firstByteMs = null;
      res.on("data", (c) => {
        if (firstByteMs === null) firstByteMs = performance.now() - t0;
        bytes += c.length;
        for (let i = c.indexOf(10); i >= 0; i = c.indexOf(10, i + 1)) lines++;
      });
      res.on("end", () => resolve({ status: res.statusCode, contentType: res.headers["content-type"], bytes, lines, firstByteMs, totalMs: performance.now() - t0 }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${urlPath}: no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
  });
}
