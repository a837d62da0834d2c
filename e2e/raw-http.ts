import net from "node:net";

/**
 * Raw HTTP/1.1 over a TCP socket, for the hostile-http tests: what is written
 * goes out byte for byte (broken framing included), and what comes back is
 * read as replies, whatever the server does with the connection.
 */

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}
export interface Exchange {
  replies: Reply[];
  /** Bytes after the last whole reply (a body sent to a HEAD would land here). */
  trailing: string;
  /** The server neither answered nor closed the connection in time. */
  timedOut: boolean;
}

/** The replies in `buf`; `heads[i]`: the i-th final reply answers a HEAD (no body). */
function parseReplies(buf: Buffer, heads: boolean[] = []): { replies: Reply[]; rest: Buffer } {
  const replies: Reply[] = [];
  let at = 0;
  let finals = 0;
  for (;;) {
    const end = buf.indexOf("\r\n\r\n", at);
    const m = end < 0 ? null : /^HTTP\/1\.[01] (\d{3})/.exec(buf.subarray(at, end).toString("latin1"));
    if (!m) break;
    const status = Number(m[1]);
    const headers: Record<string, string> = {};
    for (const line of buf.subarray(at, end).toString("latin1").split("\r\n").slice(1)) {
      const i = line.indexOf(":");
      const k = line.slice(0, i).trim().toLowerCase();
      const v = line.slice(i + 1).trim();
      headers[k] = k in headers ? `${headers[k]}, ${v}` : v;
    }
    let p = end + 4;
    let body: Buffer = Buffer.alloc(0);
    if (!(status < 200 || status === 204 || status === 304 || heads[finals])) {
      if (/chunked/i.test(headers["transfer-encoding"] ?? "")) {
        const parts: Buffer[] = [];
        for (;;) {
          const eol = buf.indexOf("\r\n", p);
          if (eol < 0) return { replies, rest: buf.subarray(at) };
          const size = parseInt(buf.subarray(p, eol).toString("latin1"), 16);
          if (size === 0) {
            const last = buf.indexOf("\r\n\r\n", eol);
            if (last < 0) return { replies, rest: buf.subarray(at) };
            p = last + 4;
            break;
          }
          if (buf.length < eol + 2 + size + 2) return { replies, rest: buf.subarray(at) };
          parts.push(buf.subarray(eol + 2, eol + 2 + size));
          p = eol + 2 + size + 2;
        }
        body = Buffer.concat(parts);
      } else if (headers["content-length"] !== undefined) {
        const n = Number(headers["content-length"]);
        if (buf.length < p + n) break;
        body = buf.subarray(p, p + n);
        p += n;
      } else {
        body = buf.subarray(p);
        p = buf.length;
      }
    }
    replies.push({ status, headers, body: body.toString("utf8") });
    if (status >= 200) finals++;
    at = p;
  }
  return { replies, rest: buf.subarray(at) };
}

export interface Send {
  heads?: boolean[];
  /** Stop once this many final replies are in (for keep-alive connections). */
  replies?: number;
  /** Written after `data` in 64 KB slices, until the server starts answering. */
  upload?: Buffer;
  /** `data` in this many pieces, 10 ms apart. */
  pieces?: number;
  /** Half-close (FIN) once everything is written. */
  halfClose?: boolean;
  /** Drop the connection this many ms after writing, without reading. */
  abortAfter?: number;
  ms?: number;
}

/** Writes `data` (a latin1 string: one char a byte) to the server on `port` and collects what comes back until it closes. */
export function sendTo(port: number, data: string | Buffer, o: Send = {}): Promise<Exchange> {
  const bytes = typeof data === "string" ? Buffer.from(data, "latin1") : data;
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (timedOut: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const { replies, rest } = parseReplies(Buffer.concat(chunks), o.heads);
      resolve({ replies, trailing: rest.toString("latin1"), timedOut });
    };
    const timer = setTimeout(() => finish(o.abortAfter === undefined), o.abortAfter ?? o.ms ?? 3000);
    socket.on("data", (d: Buffer) => {
      chunks.push(d);
      if (o.replies !== undefined && parseReplies(Buffer.concat(chunks), o.heads).replies.filter((r) => r.status >= 200).length >= o.replies) finish(false);
    });
    // The server may close while we still write (a refused upload): what it answered is still read.
    socket.on("error", () => {});
    socket.on("close", () => finish(false));
    void (async () => {
      const n = o.pieces ?? 1;
      for (let i = 0; i < n; i++) {
        socket.write(bytes.subarray(Math.floor((i * bytes.length) / n), Math.floor(((i + 1) * bytes.length) / n)));
        if (i < n - 1) await new Promise((r) => setTimeout(r, 10));
      }
      for (let i = 0; o.upload && i < o.upload.length && chunks.length === 0 && !socket.destroyed; i += 64 * 1024) {
        if (!socket.write(o.upload.subarray(i, i + 64 * 1024))) await new Promise((r) => (socket.once("drain", r), socket.once("close", r)));
      }
      if (o.halfClose) socket.end();
    })();
  });
}
