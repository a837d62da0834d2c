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
    timestamp: isoTimeOncePerMs(),
    redact: { paths: ["password", "*.password", "token", "*.token", "req.headers.authorization", "req.headers.cookie"], censor: "[redacted]" },
  }, destination);
}

/** pino's ISO time, formatted once a millisecond: under load, lines in the same millisecond share it. */
export function isoTimeOncePerMs(): () => string {
  let ms = -1;
  let text = "";
  return () => {
    const now = Date.now();
    if (now !== ms) {
      ms = now;
      text = `,"time":"${new Date(now).toISOString()}"`;
    }
    return text;
  };
}

/**
 * The logger for access-log lines: their fields are fixed (no body, no
 * header, no token), so the redaction every other line goes through is
 * skipped, a few microseconds of every token check. Made once per logger.
 */
export function accessLogger(): (log: Logger) => Logger {
  let parent: Logger | undefined;
  let child: Logger | undefined;
  return (log) => {
    if (log !== parent || !child) {
      parent = log;
      child = log.child({}, { redact: [] });
    }
    return child;
  };
}

/**
 * The path an access-log line shows. Query strings are never logged (reset
 * and setup links carry their token there); an invitation's link carries it
 * in the path (`/invite/:token`), and that segment is replaced: whoever reads
 * the logs must not be able to accept someone's invitation.
 */
export function loggedPath(target: string, route: string): string {
  const path = target.replace(/[?#].*$/s, "");
  if (route.includes(":token")) {
    const pattern = route.split("/");
    return path
      .split("/")
      .map((segment, i) => (pattern[i] === ":token" ? "[redacted]" : segment))
      .join("/");
  }
  // Any other path (a 404 under a catch-all, a method the route does not take, a doubled or an
  // encoded slash, a target that made no URL): by its shape, wherever it is. An admin's
  // invitation ids (/admin/invitations/:id) are not secrets and stay.
  return path.replace(/(?<!\/admin)(\/invit(?:e|ations)(?:\/|%2f)+)[^/]+/gi, "$1[redacted]");
}
