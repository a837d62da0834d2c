import pino, { type Logger } from "pino";

/** JSON lines on stdout: what `docker logs` and every log shipper read. */
export function createLogger(level: string): Logger {
  // Asynchronous writes: lines logged while a write is under way go out together in the next one,
  // so an access-log line per request does not cost a write(2) each under load.
  // pino flushes the buffer on exit; main.ts flushes at a graceful stop too.
  const destination = pino.destination({ dest: 1, sync: false });
  return pino({
    level,
    base: { service: "roster" },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ["password", "*.password", "token", "*.token", "req.headers.authorization", "req.headers.cookie"], censor: "[redacted]" },
  }, destination);
}
