import { resolveMx as systemResolveMx } from "node:dns/promises";
import type { MxRecord } from "node:dns";
import { readFileSync } from "node:fs";
import { rootCertificates } from "node:tls";
import nodemailer from "nodemailer";
import type { SendMailOptions } from "nodemailer";
import { parseConnectionUrl } from "nodemailer/lib/shared/index.js";
import type SMTPPool from "nodemailer/lib/smtp-pool/index.js";
import { ConfigError, type Config, type MailTransportKind } from "../config.js";
import type { MailRow } from "../db/schema.js";

/** What a transport needs of an outbox row. */
export type OutgoingMail = Pick<MailRow, "id" | "fromAddress" | "toAddress" | "subject" | "text" | "html" | "raw" | "createdAt"> & Partial<Pick<MailRow, "kind">>;

/** A recipient the receiving server refused while taking the message for the others (or for none). */
export interface Refusal {
  address: string;
  /** A 4xx reply (or no reply): try this recipient again later. */
  temporary: boolean;
  response: string;
}

/**
 * `temporary` is retried on the schedule; `permanent` fails the message at once. With
 * `refused`, recipients fared differently: those listed are refused as each says, and the
 * outcome is the others' (a relayed message to several people, or to several domains).
 */
export interface SendResult {
  outcome: "sent" | "temporary" | "permanent";
  /** The server's reply (or what went wrong before there was one); kept as the row's lastError. */
  response: string;
  refused?: Refusal[];
}

/** nodemailer's `rejectedErrors`: one error per refused recipient, with its reply. */
function refusalsOf(errors: unknown): Refusal[] {
  if (!Array.isArray(errors)) return [];
  return errors.flatMap((x) => {
    const e = x as { recipient?: unknown; responseCode?: number; response?: string; message?: string };
    if (typeof e.recipient !== "string") return [];
    return [{ address: e.recipient, temporary: !(typeof e.responseCode === "number" && e.responseCode >= 500), response: (e.response || e.message || "").trim().slice(0, 500) }];
  });
}

/** Transports never throw for a delivery problem: they classify it. */
export interface MailTransport {
  readonly kind: MailTransportKind;
  send(mail: OutgoingMail): Promise<SendResult>;
  close(): void;
}

const TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 60_000, dnsTimeout: 10_000 };

/**
 * SMTP errors to outcomes. A 5xx reply is permanent, except a refused log in:
 * wrong credentials are the server's fault, not the message's, and mail
 * should flow again once an admin fixes ROSTER_SMTP_URL. A message nodemailer
 * refuses before sending (no valid recipient, too big) will never go either.
 */
export function classifyError(err: unknown): SendResult {
  const e = (err ?? {}) as { code?: string; responseCode?: number; response?: string; message?: string; rejectedErrors?: unknown };
  const response = (e.response || (e.code ? `${e.code}: ${e.message}` : e.message) || String(err)).trim().slice(0, 1000);
  // Every recipient refused: each as its own reply says (some may be worth another try, some not).
  const refused = refusalsOf(e.rejectedErrors);
  const also = refused.length ? { refused } : {};
  if (typeof e.responseCode === "number") {
    return { outcome: e.responseCode >= 500 && e.code !== "EAUTH" ? "permanent" : "temporary", response, ...also };
  }
  return { outcome: e.code === "EENVELOPE" || e.code === "EMESSAGE" ? "permanent" : "temporary", response, ...also };
}

/** Bare addresses of the row's To (comma-separated when a relayed message has several). */
export const recipients = (to: string) => to.split(",").map((a) => a.trim()).filter(Boolean);
const domainOf = (address: string) => address.slice(address.lastIndexOf("@") + 1).replace(/>$/, "").toLowerCase();

/**
 * The Message-ID comes from the row id, so a message sent again after a crash
 * carries the same id and the recipient's mail system can drop the copy.
 */
export function toNodemailer(mail: OutgoingMail, to: string[] = recipients(mail.toAddress)): SendMailOptions {
  // A relayed message as received; with 8-bit bytes it goes with BODY=8BITMIME (RFC 6152), as it came.
  if (mail.raw) return { envelope: { from: mail.fromAddress, to, ...(mail.raw.some((b) => b > 0x7f) ? { use8BitMime: true } : {}) }, raw: mail.raw };
  return {
    // A relay's failure notice goes from the null sender (RFC 5321 §4.5.5), so it is never answered in turn.
    ...(mail.kind === BOUNCE_KIND ? { envelope: { from: false, to } } : {}),
    from: mail.fromAddress,
    to,
    subject: mail.subject,
    text: mail.text,
    html: mail.html ?? undefined,
    messageId: `<${mail.id}@${domainOf(mail.fromAddress) || "roster.invalid"}>`,
    date: mail.createdAt,
    // RFC 3834: vacation responders must not answer machine mail.
    headers: { "Auto-Submitted": "auto-generated" },
  };
}

function sentResult(info: { response?: string; rejected?: unknown[]; rejectedErrors?: unknown }): SendResult {
  const rejected = (info.rejected ?? []).map(String);
  const response = (info.response ?? "").trim();
  if (!rejected.length) return { outcome: "sent", response };
  const refused = refusalsOf(info.rejectedErrors);
  // A refusal nodemailer names without its reply: tried again, as a reply-less failure would be.
  for (const address of rejected) if (!refused.some((r) => r.address === address)) refused.push({ address, temporary: true, response: "refused" });
  return { outcome: "sent", response: `${response} (refused: ${rejected.join(", ")})`, refused };
}

/** The kind of the notice a relayed message's sender gets when some recipient could not be reached. */
export const BOUNCE_KIND = "relay_bounce";

/** Nothing leaves the server; admins read the outbox in the web UI (SPEC §5). */
export function captureTransport(): MailTransport {
  return { kind: "capture", send: async () => ({ outcome: "sent", response: "captured, not sent" }), close: () => {} };
}

function readCa(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw new ConfigError([`ROSTER_SMTP_CA_FILE: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? "error"}): expected a PEM certificate file`]);
  }
}

/**
 * The intranet's mail server from ROSTER_SMTP_URL (smtp:// upgrades with
 * STARTTLS when offered, smtps:// is TLS from the start, credentials in the
 * URL). One pool of a few connections serves every message.
 */
export function smtpTransport(o: { url: string; caFile?: string; maxConnections?: number }): MailTransport {
  // nodemailer ignores every other option when given `url`, so the URL is parsed here and merged.
  const fromUrl = parseConnectionUrl(o.url);
  // A `ca` option replaces Node's trust store; the extra CA is meant to add to it.
  const ca = o.caFile ? { ca: [...rootCertificates, readCa(o.caFile)] } : {};
  // `maxRequeues` is missing from @types/nodemailer; nodemailer 7 reads it.
  const options: SMTPPool.Options & { maxRequeues: number } = {
    ...TIMEOUTS,
    ...fromUrl,
    pool: true,
    maxConnections: o.maxConnections ?? 10,
    // The pool would otherwise requeue a message forever when the server keeps dropping the
    // connection; one fresh try covers a stale pooled connection, the worker's schedule does the rest.
    maxRequeues: 1,
    tls: { ...ca, ...fromUrl.tls },
    disableFileAccess: true,
    disableUrlAccess: true,
  };
  const transporter = nodemailer.createTransport(options);
  return {
    kind: "smtp",
    send: (mail) => transporter.sendMail(toNodemailer(mail)).then(sentResult, classifyError),
    close: () => transporter.close(),
  };
}

type ResolveMx = (domain: string) => Promise<MxRecord[]>;

/**
 * The hosts to try for a domain, best first. Without MX records the domain
 * itself is the mail host (RFC 5321 §5.1). A null MX (RFC 7505) means the
 * domain takes no mail at all: an empty list.
 */
export async function mxHosts(domain: string, resolveMx: ResolveMx = systemResolveMx): Promise<string[]> {
  try {
    const mx = await resolveMx(domain);
    if (mx.length === 1 && (mx[0]?.exchange === "" || mx[0]?.exchange === ".")) return [];
    if (mx.length) return [...mx].sort((a, b) => a.priority - b.priority).map((m) => m.exchange);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENODATA") throw e;
  }
  return [domain];
}

/** Failures where another MX host may do better: nothing was said about the message. */
const isConnectionFailure = (e: unknown) => {
  const x = e as { code?: string; responseCode?: number };
  return !x.responseCode && ["ECONNECTION", "ETIMEDOUT", "ESOCKET", "EDNS", "ETLS"].includes(x.code ?? "");
};

/**
 * Straight to each recipient domain's MX on port 25. STARTTLS is
 * opportunistic: MX certificates rarely match their names, and an encrypted
 * but unverified session still beats plain text (RFC 7435).
 */
export function directTransport(o: { resolveMx?: ResolveMx; port?: number } = {}): MailTransport {
  async function toDomain(mail: OutgoingMail, domain: string, to: string[]): Promise<SendResult> {
    let hosts: string[];
    try {
      hosts = await mxHosts(domain, o.resolveMx);
    } catch (e) {
      return { outcome: "temporary", response: `MX lookup for ${domain} failed: ${(e as NodeJS.ErrnoException).code ?? String(e)}` };
    }
    if (!hosts.length) return { outcome: "permanent", response: `${domain} accepts no mail (null MX)` };
    let last: SendResult = { outcome: "temporary", response: `no mail host for ${domain}` };
    for (const host of hosts.slice(0, 5)) {
      const t = nodemailer.createTransport({
        host, port: o.port ?? 25, secure: false, ignoreTLS: false, requireTLS: false, opportunisticTLS: true,
        tls: { rejectUnauthorized: false }, ...TIMEOUTS, disableFileAccess: true, disableUrlAccess: true,
      });
      try {
        return sentResult(await t.sendMail(toNodemailer(mail, to)));
      } catch (e) {
        last = classifyError(e);
        if (!isConnectionFailure(e)) return last;
      } finally {
        t.close();
      }
    }
    return last;
  }

  return {
    kind: "direct",
    async send(mail) {
      if (!recipients(mail.toAddress).length) return { outcome: "permanent", response: "no recipients" };
      const byDomain = new Map<string, string[]>();
      for (const r of recipients(mail.toAddress)) byDomain.set(domainOf(r), [...(byDomain.get(domainOf(r)) ?? []), r]);
      const domains = [...byDomain];
      const results = await Promise.all(domains.map(([domain, to]) => toDomain(mail, domain, to)));
      const response = results.map((r) => r.response).join("; ");
      if (results.length === 1) return { ...results[0]!, response };
      // Domains fare apart: a domain that took the message is done; only the others are tried again.
      const refused: Refusal[] = results.flatMap((r, n) =>
        r.outcome === "sent" ? (r.refused ?? []) : domains[n]![1].map((address) => r.refused?.find((x) => x.address === address) ?? { address, temporary: r.outcome === "temporary", response: r.response }),
      );
      const outcome = results.some((r) => r.outcome === "sent") ? "sent" : results.some((r) => r.outcome === "temporary") ? "temporary" : "permanent";
      return { outcome, response, ...(refused.length ? { refused } : {}) };
    },
    close: () => {},
  };
}

/** The transport ROSTER_MAIL_TRANSPORT names. Reads the CA file once, here. */
export function transportFromConfig(mail: Config["mail"]): MailTransport {
  switch (mail.transport) {
    case "capture":
      return captureTransport();
    case "direct":
      return directTransport();
    case "smtp":
      if (!mail.smtpUrl) throw new ConfigError(["ROSTER_SMTP_URL: is required when ROSTER_MAIL_TRANSPORT is smtp"]);
      return smtpTransport({ url: mail.smtpUrl, caFile: mail.smtpCaFile });
  }
}
