import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { SMTPServer } from "smtp-server";

/** How the upstream answers a message: accept it, a reply code, drop the (plain) connection, or never answer. */
export type Reply = "accept" | 421 | 451 | 550 | "drop" | "hang";

export interface Received {
  from: string;
  to: string[];
  raw: string;
  secure: boolean;
  user?: string;
}

/**
 * A real SMTP server on 127.0.0.1, port 0, standing in for the intranet's
 * mail server. STARTTLS is offered only when a certificate is given.
 */
export async function startUpstream(o: { reply?: Reply; secure?: boolean; tls?: TestCert; auth?: { user: string; pass: string } } = {}) {
  let reply: Reply = o.reply ?? "accept";
  const received: Received[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  let dataStarted = 0;
  const server = new SMTPServer({
    secure: o.secure ?? false,
    key: o.tls?.key,
    cert: o.tls?.cert,
    authOptional: !o.auth,
    allowInsecureAuth: true,
    disabledCommands: o.tls ? [] : ["STARTTLS"],
    disableReverseLookup: true,
    logger: false,
    closeTimeout: 100,
    onAuth(auth, _session, cb) {
      if (auth.username === o.auth?.user && auth.password === o.auth?.pass) cb(null, { user: auth.username });
      else cb(Object.assign(new Error("Invalid username or password"), { responseCode: 535 }));
    },
    onData(stream, session, cb) {
      dataStarted++;
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const r = reply;
        if (r === "hang") return;
        if (r === "drop") {
          for (const s of sockets) if (s.remotePort === session.remotePort) s.destroy();
          return;
        }
        if (r !== "accept") return cb(Object.assign(new Error(r === 550 ? "5.1.1 No such user" : "4.3.0 Try again later"), { responseCode: r }));
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((a) => a.address),
          raw: Buffer.concat(chunks).toString("utf8"),
          secure: session.secure,
          user: session.user,
        });
        cb(null, "OK: queued");
      });
    },
  });
  // Dropped and reset connections are what some tests are about, not failures of the upstream.
  server.on("error", () => {});
  server.server.on("connection", (s: Socket) => {
    connections++;
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    url: `${o.secure ? "smtps" : "smtp"}://127.0.0.1:${port}`,
    received,
    connections: () => connections,
    dataStarted: () => dataStarted,
    setReply: (r: Reply) => void (reply = r),
    /** Resolves once `n` messages arrived; rejects after `ms`. */
    async waitFor(n: number, ms = 10_000): Promise<Received[]> {
      for (const end = Date.now() + ms; received.length < n; await new Promise((r) => setTimeout(r, 25))) {
        if (Date.now() > end) throw new Error(`expected ${n} messages at the upstream, got ${received.length}`);
      }
      return received;
    },
    // smtp-server ends open sessions itself after closeTimeout; destroying a TLS session's
    // socket from below here would crash Node.
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type Upstream = Awaited<ReturnType<typeof startUpstream>>;

export interface TestCert {
  key: string;
  cert: string;
  certFile: string;
  keyFile: string;
}

/** A throwaway self-signed certificate for 127.0.0.1 and localhost. */
export function makeCert(): TestCert {
  const dir = mkdtempSync(path.join(tmpdir(), "roster-cert-"));
  const keyFile = path.join(dir, "key.pem");
  const certFile = path.join(dir, "cert.pem");
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", keyFile, "-out", certFile,
    "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"], { stdio: "ignore" });
  return { key: readFileSync(keyFile, "utf8"), cert: readFileSync(certFile, "utf8"), certFile, keyFile };
}

export interface MimePart {
  headers: Map<string, string>;
  body: string;
  parts: MimePart[];
}

/** Enough of a MIME parser to read what nodemailer writes: headers, multipart, base64 and quoted-printable. */
export function parseMime(raw: string): MimePart {
  const split = raw.search(/\r?\n\r?\n/);
  const head = split < 0 ? raw : raw.slice(0, split);
  const rest = split < 0 ? "" : raw.slice(split).replace(/^\r?\n\r?\n/, "");
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, " ").split(/\r?\n/)) {
    const i = line.indexOf(":");
    if (i > 0) headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  const type = headers.get("content-type") ?? "text/plain";
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (/^multipart\//i.test(type) && boundary) {
    const chunks = rest.split(`--${boundary}`).slice(1);
    const parts = chunks.filter((c) => !c.startsWith("--")).map((c) => parseMime(c.replace(/^\r?\n/, "")));
    return { headers, body: "", parts };
  }
  const cte = (headers.get("content-transfer-encoding") ?? "7bit").toLowerCase();
  const body =
    cte === "base64"
      ? Buffer.from(rest.replace(/\s+/g, ""), "base64").toString("utf8")
      : cte === "quoted-printable"
        ? Buffer.from(rest.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))), "latin1").toString("utf8")
        : rest;
  return { headers, body, parts: [] };
}

/** Decodes RFC 2047 encoded words; adjacent words are joined as bytes, as a character may span two. */
export function decodeWords(value: string): string {
  return value.replace(/(=\?[^?]+\?[BbQq]\?[^?]*\?=\s*)+/g, (run) => {
    const bytes: Buffer[] = [];
    for (const [, , enc, text] of run.matchAll(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g)) {
      bytes.push(
        enc?.toUpperCase() === "B"
          ? Buffer.from(text ?? "", "base64")
          : Buffer.from((text ?? "").replace(/_/g, " ").replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))), "latin1"),
      );
    }
    return Buffer.concat(bytes).toString("utf8") + (/\s$/.test(run) ? " " : "");
  });
}
