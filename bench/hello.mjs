// The baselines: the smallest hono + @hono/node-server app, the ceiling of this stack on this machine.
// With BENCH_DB it also answers GET /me the barest way one indexed lookup can: a Bearer
// session token, one prepared read of session and account, SHA-256 compare, the row as JSON.
// No middleware, no headers, no logging: the ceiling of "one lookup" on this machine.
import { createHash, timingSafeEqual } from "node:crypto";
import { serve } from "@hono/node-server";
import Database from "better-sqlite3";
import { Hono } from "hono";

const app = new Hono();
app.get("/", (c) => c.json({ status: "ok" }));

// With BENCH_BODY (a JSON text) it also answers GET /body with that object, serialized per request
// as any handler would: what the size of an answer alone costs, with no lookup and no middleware.
if (process.env.BENCH_BODY) {
  const body = JSON.parse(process.env.BENCH_BODY);
  app.get("/body", (c) => c.json(body));
}

if (process.env.BENCH_DB) {
  const db = new Database(process.env.BENCH_DB, { readonly: true, fileMustExist: true });
  const lookup = db.prepare(
    `SELECT s.secret_hash AS secretHash, s.expires_at AS expiresAt, a.*, o.name AS organizationName
       FROM sessions s JOIN accounts a ON a.id = s.account_id LEFT JOIN organizations o ON o.id = a.organization_id
      WHERE s.id = ?`,
  );
  app.get("/me", (c) => {
    const token = /^Bearer (\S+)$/.exec(c.req.header("authorization") ?? "")?.[1] ?? "";
    const dot = token.indexOf(".");
    const row = dot > 0 ? lookup.get(token.slice(0, dot)) : undefined;
    const hash = createHash("sha256").update(token.slice(dot + 1)).digest();
    if (!row || !timingSafeEqual(hash, row.secretHash) || row.expiresAt <= Date.now() || row.status !== "active") return c.json({ error: "invalid_token" }, 401);
    const { secretHash: _s, expiresAt: _e, password_hash: _p, ...account } = row;
    return c.json(account);
  });
}

serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 0), hostname: "127.0.0.1" }, (info) => {
  console.log(JSON.stringify({ level: 30, msg: "hello listening", port: info.port }));
});
process.on("SIGTERM", () => process.exit(0));
process.on("SIGINT", () => process.exit(0));
