import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { SMTPServer, type SMTPServerAuthentication, type SMTPServerSession } from "smtp-server";
import type { Deps } from "../deps.js";
import { mailOutbox } from "../db/schema.js";
import { newId } from "../ids.js";
import { allowList } from "../allow-list.js";
import { sameHash, hashSecret } from "../auth/tokens.js";
import { addressKey, authFailures, connectionCounter, gateConnections, RELAY_LIMITS, type RelayLimits } from "./relay-limits.js";

export { allowList };

/** SPEC §5 limits. */
export const RELAY_MAX_SIZE = 10 * 1024 * 1024;
export const RELAY_MAX_RECIPIENTS = 100;

const smtpError = (code: number, message: string) => Object.assign(new Error(message), { responseCode: code });

// A deliberately simple check: smtp-server already parsed the path; this refuses what no mail server would route.
const ADDRESS = /^[^\s@<>()[\]\\,;:"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

export function subjectOf(raw: Buffer): string {
  const head = raw.subarray(0, Math.min(raw.length, 64 * 1024)).toString("utf8").split(/\r?\n\r?\n/)[0] ?? "";
  const m = /^subject:[ \t]*(.*(?:\r?\n[ \t].*)*)/im.exec(head);
  return decodeWords((m?.[1] ?? "").replace(/\r?\n[ \t]+/g, " ")).slice(0, 500);
}

/**
 * RFC 2047 encoded words (`=?ISO-2022-JP?B?…?=`, `=?UTF-8?Q?…?=`) as text, so admins read a
 * relayed message's Japanese subject, not its encoding. Adjacent words (only whitespace
 * between, dropped by §6.2) in one charset are decoded together: a mailer may split one
 * character's bytes across two. A charset this Node cannot decode stays as it came; control
 * characters and direction overrides become spaces (the subject is shown, never sent).
 */
export function decodeWords(header: string): string {
  const word = /=\?([^?\s*]+)(?:\*[^?\s]*)?\?([bBqQ])\?([^?\s]*)\?=/g;
  const bytesOf = (enc: string, text: string) =>
    enc.toUpperCase() === "B" ? Buffer.from(text, "base64") : Buffer.from(text.replace(/_/g, " ").replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), "latin1");
  let out = "";
  let at = 0;
  let run: { charset: string; bytes: Buffer[]; raw: string } | null = null;
  const flush = () => {
    if (!run) return;
    try {
      out += new TextDecoder(run.charset.toLowerCase()).decode(Buffer.concat(run.bytes));
    } catch {
      out += run.raw;
    }
    run = null;
  };
  for (const m of header.matchAll(word)) {
    const between = header.slice(at, m.index);
    const [raw, charset, enc, text] = m as unknown as [string, string, string, string];
    if (run && /^\s*$/.test(between) && run.charset.toLowerCase() === charset.toLowerCase()) {
      run.bytes.push(bytesOf(enc, text));
      run.raw += raw;
    } else {
      flush();
      // Whitespace between two encoded words (there was one before when `at` moved) is not part of the text.
      out += at > 0 && /^\s*$/.test(between) ? "" : between;
      run = { charset, bytes: [bytesOf(enc, text)], raw };
    }
    at = m.index + raw.length;
  }
  flush();
  out += header.slice(at);
  // eslint-disable-next-line no-control-regex -- shown to admins: no line breaks, escapes or reversed text
  return out.replace(/[\u0000-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/g, " ");
}

export interface Relay {
  port: number;
  close(): Promise<void>;
}

/**
 * The embedded relay (SPEC §5): other intranet systems submit mail here and
 * it joins the outbox. Never an open relay: a client authenticates (only over
 * TLS, unless its address is allowed) or comes from an allowed address. The
 * 250 after DATA is sent only once the message is committed; any database
 * error answers 451 so the client keeps the message and tries again. What one
 * address may take is limited (relay-limits.ts); tests pass smaller `limits`.
 */
export function startRelay(deps: Pick<Deps, "db" | "clock" | "config" | "log" | "mailQueued">, port = deps.config.relay.port ?? 2525, host = "0.0.0.0", limits: Partial<RelayLimits> = {}): Promise<Relay> {
  const lim = { ...RELAY_LIMITS, ...limits };
  const cfg = deps.config.relay;
  const allowed = allowList(cfg.allow);
  const users = cfg.auth.map((u) => ({ user: u.user, hash: hashSecret(u.password) }));
  const tls = cfg.tlsCertFile && cfg.tlsKeyFile ? { cert: readFileSync(cfg.tlsCertFile), key: readFileSync(cfg.tlsKeyFile) } : null;
  const log = deps.log.child({ component: "relay" });
  // smtp-server gives the address normalised (no ::ffff: prefix, IPv6 in one spelling).
  const ip = (s: SMTPServerSession) => s.remoteAddress ?? "";
  const perAddress = connectionCounter(lim.perAddress);
  const failures = authFailures(deps.clock, lim);
  /** Sessions that must authenticate by a deadline (those outside the allow list), and its timer. */
  const sessions = new Map<string, { deadline?: NodeJS.Timeout }>();
  const authDeadline = (session: SMTPServerSession) => () => {
    if (session.user) return;
    log.info({ session: session.id, client: ip(session) }, "relay session closed: no authentication in time");
    // send(421) closes the connection, whatever it was doing.
    for (const c of server.connections) if (c.id === session.id) c.send(421, "4.7.0 No authentication in time, closing connection");
  };

  const server = new SMTPServer({
    name: hostname(),
    banner: "Roster mail relay",
    size: RELAY_MAX_SIZE,
    authMethods: ["PLAIN", "LOGIN"],
    authOptional: true,
    // Enforced per connection in onAuth: with a certificate, plain-text AUTH only over TLS or from an allowed address.
    allowInsecureAuth: true,
    disabledCommands: tls ? [] : ["STARTTLS"],
    ...(tls ?? {}),
    logger: false,
    maxClients: lim.maxClients,
    socketTimeout: 60_000,
    // The Received header names the client by its address; a reverse lookup per connection could
    // take seconds against a slow DNS server, and delays onConnect.
    disableReverseLookup: true,
    onConnect(session, callback) {
      const from = ip(session);
      const deadline = allowed(from) ? undefined : setTimeout(authDeadline(session), lim.authDeadlineMs).unref();
      sessions.set(session.id, { deadline });
      log.info({ session: session.id, client: from }, "relay connection");
      callback();
    },
    onClose(session) {
      clearTimeout(sessions.get(session.id)?.deadline);
      sessions.delete(session.id);
    },
    onAuth(auth: SMTPServerAuthentication, session, callback) {
      // With a certificate, passwords travel only inside STARTTLS (or from an allowed address). Without
      // one there is no TLS to ask for: AUTH works in plain text, as SPEC §5 has it, and the start logs a warning.
      if (tls && !session.secure && !allowed(ip(session))) return callback(smtpError(538, "5.7.11 Encryption required for requested authentication mechanism"));
      // A blocked address is refused before the password is looked at, a right one too: otherwise the answer tells a guess apart.
      const wait = failures.blockedFor(addressKey(ip(session)));
      if (wait) return callback(smtpError(454, `4.7.0 Too many failed authentications from your address, try again in ${Math.ceil(wait / 60_000)} min`));
      // Compare hashes of equal length in constant time; every user is checked, so timing names no user.
      const given = hashSecret(auth.password ?? "");
      let ok = false;
      for (const u of users) if (sameHash(hashSecret(auth.username ?? ""), hashSecret(u.user)) && sameHash(given, u.hash)) ok = true;
      log.info({ session: session.id, client: ip(session), user: auth.username, ok }, "relay authentication");
      if (!ok) {
        if (failures.failed(addressKey(ip(session)))) log.warn({ client: ip(session), failures: lim.authMaxFailures, minutes: lim.authFailureWindowMs / 60_000 }, "relay AUTH blocked for an address after too many failures");
        // Counted above, answered later: a guesser waits, and parallel attempts were counted already.
        return void setTimeout(() => callback(smtpError(535, "5.7.8 Authentication credentials invalid")), lim.authFailureDelayMs).unref();
      }
      clearTimeout(sessions.get(session.id)?.deadline);
      callback(null, { user: auth.username });
    },
    onMailFrom(address, session, callback) {
      // Answered on a later turn, never at once. smtp-server's SMTPStream.continue() runs what was
      // pipelined after a message synchronously and only then clears its continuation; if that run
      // reaches the end of a second message, the continuation stored for what follows it (QUIT) is
      // the one cleared, and the session hangs. Every message passes MAIL FROM: waiting a turn here
      // lets continue() return first.
      setImmediate(() => {
        if (!session.user && !allowed(ip(session))) return callback(smtpError(530, "5.7.0 Authentication required"));
        if (address.address !== "" && !ADDRESS.test(address.address)) return callback(smtpError(501, "5.1.7 Bad sender address syntax"));
        callback();
      });
    },
    onRcptTo(address, session, callback) {
      if (!ADDRESS.test(address.address)) return callback(smtpError(501, "5.1.3 Bad recipient address syntax"));
      if (session.envelope.rcptTo.length >= RELAY_MAX_RECIPIENTS) return callback(smtpError(452, "4.5.3 Too many recipients"));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) return callback(smtpError(552, "5.3.4 Message size exceeds fixed maximum message size (10 MB)"));
        const now = deps.clock.now();
        const received = `Received: from ${session.clientHostname || "unknown"} (${session.hostNameAppearsAs || "unknown"} [${ip(session)}])\r\n\tby ${hostname()} (Roster relay) with ${session.secure ? "ESMTPS" : "ESMTP"} id ${session.id}${session.user ? ` (authenticated as ${String(session.user)})` : ""};\r\n\t${now.toUTCString()}\r\n`;
        const raw = Buffer.concat([Buffer.from(received), ...chunks]);
        const to = session.envelope.rcptTo.map((r) => r.address).join(", ");
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : "";
        const id = newId();
        try {
          deps.db.insert(mailOutbox).values({ id, kind: "relay", fromAddress: from, toAddress: to, subject: subjectOf(raw), text: "", html: null, raw, status: "queued", createdAt: now, nextAttemptAt: now }).run();
        } catch (err) {
          log.error({ err, session: session.id }, "relay could not store a message");
          return callback(smtpError(451, "4.3.0 Temporary local problem, try again later"));
        }
        log.info({ session: session.id, client: ip(session), mailId: id, from, recipients: session.envelope.rcptTo.length, bytes: raw.length }, "relay accepted a message");
        deps.mailQueued();
        callback(null, `2.0.0 Ok: queued as ${id}`);
      });
    },
  });
  server.on("error", (err) => log.error({ err }, "relay error"));
  gateConnections(server.server, perAddress, (from) => log.info({ client: from, limit: lim.perAddress }, "relay connection refused: too many from one address"));

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const address = server.server.address();
      resolve({
        port: typeof address === "object" && address ? address.port : port,
        close: () => new Promise<void>((r) => server.close(() => r())),
      });
    });
  });
}
