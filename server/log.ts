import pino, { type Logger } from "pino";

/** JSON lines on stdout: what `docker logs` and every log shipper read. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: "roster" },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ["password", "*.password", "token", "*.token", "req.headers.authorization", "req.headers.cookie"], censor: "[redacted]" },
  });
}
