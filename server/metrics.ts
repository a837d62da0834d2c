import { Counter, Gauge, Registry, collectDefaultMetrics } from "prom-client";
import { sql } from "drizzle-orm";
import type { Db } from "./db/client.js";
import { mailOutbox, mailStatuses } from "./db/schema.js";
import { readStorage } from "./admin/storage.js";

/**
 * Prometheus metrics (GET /metrics): requests and latency by route, log ins
 * by result, the mail queue by state, the data volume, and the process's own. One registry
 * per app, so tests can build many apps.
 */
export interface Metrics {
  registry: Registry;
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  login(result: "success" | "failure" | "throttled"): void;
}

export function createMetrics(db: Db, o: { processMetrics?: boolean; storage?: { dataDir: string; backupKeep: number }; now?: () => Date } = {}): Metrics {
  const registry = new Registry();
  if (o.processMetrics) collectDefaultMetrics({ register: registry, prefix: "roster_" });
  const requests = requestMetrics();
  registry.registerMetric(requests.counter as never);
  registry.registerMetric(requests.histogram as never);
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
  if (o.storage) storageMetrics(registry, o.storage, o.now ?? (() => new Date()));
  return {
    registry,
    observeRequest: requests.observe,
    login: (result) => logins.inc({ result }),
  };
}

/**
 * The data volume, read once per scrape (by the first gauge, which the
 * registry collects first; the others are set from the same reading): alert
 * on free space before a full volume stops every change.
 */
function storageMetrics(registry: Registry, config: { dataDir: string; backupKeep: number }, now: () => Date) {
  const gauge = (name: string, help: string) => new Gauge({ name, help, registers: [registry] });
  const database = new Gauge({
    name: "roster_database_bytes",
    help: "Size of roster.db and its write-ahead log",
    registers: [registry],
    collect() {
      const s = readStorage(config, { now: now() });
      if (!s) return;
      this.set(s.databaseBytes);
      if (s.volume) {
        free.set(s.volume.freeBytes);
        size.set(s.volume.totalBytes);
      }
      backups.set(s.backups.bytes);
      lastBackup.set(s.backups.lastAt ? Date.parse(s.backups.lastAt) / 1000 : 0);
    },
  });
  const free = gauge("roster_data_volume_free_bytes", "Space left on the volume of the data directory");
  const size = gauge("roster_data_volume_size_bytes", "Size of the volume of the data directory");
  const backups = gauge("roster_backups_bytes", "Size of the nightly backups kept");
  const lastBackup = gauge("roster_last_backup_timestamp_seconds", "When the newest nightly backup was written (Unix time); 0 when there is none");
  return database;
}

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

interface Series {
  labels: { method: string; route: string };
  /** Requests per bucket (not cumulative); the last is above the largest bound. */
  buckets: number[];
  sum: number;
  count: number;
  byStatus: Map<number, number>;
}

/**
 * Requests by method, route and status, and their latency, counted in plain
 * arrays on the request path and handed to the registry as an ordinary
 * counter and histogram when it is scraped. (prom-client's labelled
 * `inc`/`observe` hash and check their labels on every call: about 9 µs of a
 * token check's 145.)
 */
function requestMetrics() {
  const series = new Map<string, Series>();
  const counterName = "roster_http_requests_total";
  const counterHelp = "HTTP requests by method, route and status";
  const histName = "roster_http_request_duration_seconds";
  const histHelp = "HTTP request latency by method and route";
  const metric = (name: string, help: string, type: "counter" | "histogram", values: () => object[]) => ({
    name,
    help,
    type,
    aggregator: "sum",
    get: async () => ({ name, help, type, aggregator: "sum", values: values() }),
    reset: () => series.clear(),
  });
  return {
    observe(method: string, route: string, status: number, seconds: number): void {
      const key = `${method} ${route}`;
      let s = series.get(key);
      if (!s) series.set(key, (s = { labels: { method, route }, buckets: new Array<number>(BUCKETS.length + 1).fill(0), sum: 0, count: 0, byStatus: new Map() }));
      let b = 0;
      while (b < BUCKETS.length && seconds > (BUCKETS[b] as number)) b++;
      s.buckets[b]!++;
      s.sum += seconds;
      s.count++;
      s.byStatus.set(status, (s.byStatus.get(status) ?? 0) + 1);
    },
    counter: metric(counterName, counterHelp, "counter", () =>
      [...series.values()].flatMap((s) => [...s.byStatus].map(([status, value]) => ({ labels: { ...s.labels, status: String(status) }, value }))),
    ),
    histogram: metric(histName, histHelp, "histogram", () =>
      [...series.values()].flatMap((s) => {
        let cumulative = 0;
        const rows: object[] = s.buckets.map((n, i) => {
          cumulative += n;
          return { metricName: `${histName}_bucket`, labels: { le: i < BUCKETS.length ? BUCKETS[i] : "+Inf", ...s.labels }, value: cumulative };
        });
        rows.push({ metricName: `${histName}_sum`, labels: s.labels, value: s.sum }, { metricName: `${histName}_count`, labels: s.labels, value: s.count });
        return rows;
      }),
    ),
  };
}
