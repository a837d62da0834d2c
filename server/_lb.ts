import pino from "pino";
import { createApp } from "./app.js";
import { systemClock } from "./clock.js";
import { testConfig } from "./config.js";
import { openDatabase } from "./db/client.js";
import { login } from "./accounts/login.js";
const db = openDatabase("/tmp/lk/b.db");
const hasher = { hash: async () => "x", verify: async () => true, needsRehash: () => false } as any;
const deps: any = { db, clock: systemClock, config: testConfig({}), hasher, log: pino({ level: "silent" }), mailQueued: () => {}, afterResponse: (w: () => void) => w() };
const app = createApp(deps); if (process.env.NOCKPT) db.$client.pragma("wal_autocheckpoint = 0"); db.$client.pragma("wal_checkpoint(TRUNCATE)"); const fs = await import("node:fs"); process.on("exit", () => console.log("wal MB", fs.statSync("/tmp/lk/b.db-wal").size / 2**20));
const meta = { ip: "127.0.0.1", userAgent: "bench" };
const mode = process.argv[2];
async function once() {
  if (mode === "service") return login(deps, { login: "owner@bench.example", password: "whatever" }, meta);
  const r = await app.request("http://localhost:8080/api/v1/auth/login", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ login: "owner@bench.example", password: "whatever" }) });
  if (r.status !== 200) throw new Error(String(r.status) + (await r.text()));
  return r.json();
}
for (let round = 0; round < 3; round++) {
  const n = 2000; const c0 = process.cpuUsage(); const t = performance.now();
  for (let i = 0; i < n; i++) await once();
  const c = process.cpuUsage(c0);
  console.log(mode, "wall us", ((performance.now() - t) * 1000 / n).toFixed(0), "cpu us", ((c.user + c.system) / n).toFixed(0), "sys", (c.system / n).toFixed(0));
}
