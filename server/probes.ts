/**
 * The routes monitoring polls: the health checks (the image's every 10 s) and
 * Prometheus scrapes. They get no access-log line, and they are not the use
 * that keeps an idle server's memory (db/idle-memory.ts).
 */
export const PROBE_PATHS: ReadonlySet<string> = new Set(["/healthz", "/readyz", "/metrics"]);

/** `url` is a request target, query included. */
export function isProbe(url: string | undefined): boolean {
  const u = url ?? "";
  const q = u.indexOf("?");
  return PROBE_PATHS.has(q < 0 ? u : u.slice(0, q));
}
