// An SMTP server on 127.0.0.1, port 0, standing in for the intranet's mail server: accepts everything, counts.
import { performance } from "node:perf_hooks";
import { SMTPServer } from "smtp-server";

export async function startSink() {
  const stats = { messages: 0, bytes: 0, connections: 0, firstAt: null, lastAt: null };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    disableReverseLookup: true,
    logger: false,
    closeTimeout: 100,
    size: 20 * 1024 * 1024,
    onConnect(_session, cb) {
      stats.connections++;
      cb();
    },
    onData(stream, _session, cb) {
      let bytes = 0;
      stream.on("data", (c) => (bytes += c.length));
      stream.on("end", () => {
        const now = performance.now();
        stats.messages++;
        stats.bytes += bytes;
        stats.firstAt ??= now;
        stats.lastAt = now;
        cb(null, "OK: queued");
      });
    },
  });
  server.on("error", () => {});
  await new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = server.server.address().port;
  return { port, url: `smtp://127.0.0.1:${port}`, stats, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
