import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { sql } from "drizzle-orm";
import type { Db } from "./db/client.js";
import { mailOutbox, mailStatuses } from "./db/schema.js";

/**
 * Prometheus metrics (GET /metrics): requests and latency by route, log ins
 * by result, the mail queue by state, and the process's own. One registry
 * per app, so tests can build many apps.
 */
export interface Metrics {
  registry: Registry;
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  login(result: "success" | "failure" | "throttled"): void;
}

export function createMetrics(db: Db, o: { processMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (o.processMetrics) collectDefaultMetrics({ register: registry, prefix: "roster_" });
  const requests = new Counter({ name: "roster_http_requests_total", help: "HTTP requests by method, route and status", labelNames: ["method", "route", "status"], registers: [registry] });
  const latency = new Histogram({
    name: "roster_http_request_duration_seconds",
    help: "HTTP request latency by method and route",
    labelNames: ["method", "route"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const logins = new Counter({ name: "roster_logins_total", help: "Log in attempts by result", labelNames: ["result"], registers: [registry] });
  new Gauge({
    name: "roster_mail_queue",
    help: "Messages in the mail outbox by state",
    labelNames: ["status"],
    registers: [registry],
    collect() {
      const rows = db.select({ status: mailOutbox.status, n: sql<number>`count(*)` }).from(mailOutbox).groupBy(mailOutbox.status).all();
      for (const s of mailStatuses) this.set({ status: s }, rows.find((r) => r.status === s)?.n ?? 0);
    },
  });
  new Gauge({
    name: "roster_accounts",
    help: "Accounts by status",
    labelNames: ["status"],
    registers: [registry],
    collect() {
      const rows = db.$client.prepare("SELECT status, count(*) AS n FROM accounts GROUP BY status").all() as { status: string; n: number }[];
      for (const r of rows) this.set({ status: r.status }, r.n);
    },
  });
  // Label children are looked up once per method, route and status, not hashed on every request.
  const counted = new Map<string, { inc(): void }>();
  const timed = new Map<string, { observe(v: number): void }>();
  return {
    registry,
    observeRequest(method, route, status, seconds) {
      const key = `${method} ${route}`;
      const countKey = `${key} ${status}`;
      let count = counted.get(countKey);
      if (!count) counted.set(countKey, (count = requests.labels(method, route, String(status))));
      count.inc();
      let time = timed.get(key);
      if (!time) timed.set(key, (time = latency.labels(method, route)));
      time.observe(seconds);
    },
    login: (result) => logins.inc({ result }),
  };
}
