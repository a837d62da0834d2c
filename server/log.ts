import pino, { type Logger } from "pino";

/** JSON lines on stdout: what `docker logs` and every log shipper read. (The CLI logs on stderr: its stdout is its answer.) */
export function createLogger(level: string, fd: 1 | 2 = 1): Logger {
  // Asynchronous writes: lines logged while a write is under way go out together in the next one,
  // so an access-log line per request does not cost a write(2) each under load.
  // pino flushes the buffer on exit; main.ts flushes at a graceful stop too.
  const destination = pino.destination({ dest: fd, sync: false });
  return pino({
    level,
    base: { service: "roster" },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ["password", "*.password", "token", "*.token", "req.headers.authorization", "req.headers.cookie"], censor: "[redacted]" },
  }, destination);
}
