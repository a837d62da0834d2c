import { X509Certificate } from "node:crypto";
import { accessSync, constants, readFileSync, statSync } from "node:fs";
import tls from "node:tls";
import { errorCode } from "./errors.js";
import { hostname } from "node:os";
import { isIP } from "node:net";
import path from "node:path";
import { z } from "zod";

/**
 * SPEC §7: defaults, then the environment, then `NAME_FILE` secrets; checked
 * once. Nothing else in the server reads process.env.
 */
const boolish = z
  .enum(["true", "false", "1", "0", "yes", "no"], { message: "expected true or false" })
  .transform((v) => v === "true" || v === "1" || v === "yes");

// Digits only: Number() would take " " as 0 and "1e3" as 1000.
const wholeNumber = (message: string) => z.string().regex(/^\d+$/, message).transform(Number);

const port = wholeNumber("expected a port from 0 to 65535").pipe(z.number().max(65535, "expected a port from 0 to 65535"));

/** A file the server reads later (certificates): refused at start rather than at the first mail. */
const readableFile = z.string().min(1).refine(
  (f) => {
    try {
      accessSync(f, constants.R_OK);
      return statSync(f).isFile();
    } catch {
      return false;
    }
  },
  { message: "expected a readable file" },
);

/** `roster@corp.example` or `Roster <roster@corp.example>`. */
const mailFrom = z.string().refine(
  (s) => {
    const m = /^[^<>]*<([^<>]+)>\s*$/.exec(s);
    return z.email().safeParse((m ? m[1] : s)?.trim()).success;
  },
  { message: 'expected an address, such as "Roster <roster@corp.example>" or roster@corp.example' },
);

const cidr = z.string().refine(
  (s) => {
    const [addr, bits, extra] = s.split("/");
    if (extra !== undefined || !addr) return false;
    const v = isIP(addr);
    if (!v) return false;
    if (bits === undefined) return true;
    const n = Number(bits);
    return /^\d+$/.test(bits) && n >= 0 && n <= (v === 4 ? 32 : 128);
  },
  { message: "expected IP addresses or CIDR ranges, comma-separated (10.0.0.0/8,127.0.0.1)" },
);

const userPass = z.string().regex(/^[^:,]+:.+$/, "expected user:password pairs, comma-separated");

const list = (item: z.ZodType<string, string>) =>
  z
    .string()
    .transform((s) => s.split(",").map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(item));

const schema = z
  .object({
    PORT: port.default(8080),
    HOST: z.string().min(1).default("0.0.0.0"),
    ROSTER_DATA_DIR: z.string().min(1).default("./data"),
    ROSTER_BASE_URL: z
      .url({ protocol: /^https?$/, message: "expected an http:// or https:// URL" })
      // Pages and mail links are built on it as scheme://host[:port]: a path, query or fragment would break them all.
      .refine((u) => /^[a-z]+:\/\/[^/?#@]+\/*$/i.test(u), "expected only the scheme, host and port, such as https://roster.example.com (Roster is served from the root of its host)")
      .default("http://localhost:8080")
      .transform((u) => u.replace(/\/+$/, "")),
    ROSTER_MAIL_TRANSPORT: z.enum(["smtp", "direct", "capture"], { message: "expected smtp, direct or capture" }).optional(),
    ROSTER_SMTP_URL: z
      .url({ protocol: /^smtps?$/, message: "expected an smtp:// or smtps:// URL" })
      // "smtp://user:p#1@host" parses as host "user": a #, ? or / in the password ends the address early.
      // Whatever follows the last @ must be the host the URL parser found (a query of options may follow it).
      .refine((u) => {
        const at = u.lastIndexOf("@");
        if (at < 0) return true;
        try {
          return u.slice(at + 1).split(/[/?#]/)[0]?.toLowerCase() === new URL(u).host.toLowerCase();
        } catch {
          return false;
        }
      }, "expected #, ? and / in the user name or password percent-encoded (%23, %3F, %2F)")
      .optional(),
    ROSTER_SMTP_CA_FILE: readableFile.optional(),
    ROSTER_MAIL_FROM: mailFrom.optional(),
    ROSTER_RELAY_PORT: port.optional(),
    ROSTER_RELAY_AUTH: list(userPass).optional(),
    ROSTER_RELAY_ALLOW: list(cidr).optional(),
    ROSTER_RELAY_TLS_CERT_FILE: readableFile.optional(),
    ROSTER_RELAY_TLS_KEY_FILE: readableFile.optional(),
    ROSTER_ADMIN_EMAIL: z.email({ message: "expected an email address" }).optional(),
    ROSTER_ADMIN_PASSWORD: z.string().min(8, "expected a password of 8 to 128 characters").max(128, "expected a password of 8 to 128 characters").optional(),
    ROSTER_ORG_NAME: z.string().trim().min(1, "expected 1 to 100 characters").max(100, "expected 1 to 100 characters").optional(),
    ROSTER_TRUST_PROXY: boolish.default(false),
    ROSTER_LOG_LEVEL: z
      .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
        message: "expected fatal, error, warn, info, debug, trace or silent",
      })
      .default("info"),
    ROSTER_BACKUP_KEEP: wholeNumber("expected a whole number, 0 or more").default(7),
    /** Days a sent (or failed) mail stays in the outbox before the hourly cleanup removes it. */
    ROSTER_MAIL_RETENTION_DAYS: wholeNumber("expected a whole number of days, 1 or more").pipe(z.number().min(1, "expected a whole number of days, 1 or more")).default(30),
    /** Who may read GET /metrics without an API key: addresses or CIDR ranges. */
    ROSTER_METRICS_ALLOW: list(cidr).default(["127.0.0.1", "::1"]),
  })
  .superRefine((v, ctx) => {
    if (v.ROSTER_MAIL_TRANSPORT === "smtp" && !v.ROSTER_SMTP_URL) {
      ctx.addIssue({ code: "custom", path: ["ROSTER_SMTP_URL"], message: "expected an smtp:// or smtps:// URL when ROSTER_MAIL_TRANSPORT is smtp" });
    }
    if (Boolean(v.ROSTER_ADMIN_EMAIL) !== Boolean(v.ROSTER_ADMIN_PASSWORD)) {
      ctx.addIssue({
        code: "custom",
        path: [v.ROSTER_ADMIN_EMAIL ? "ROSTER_ADMIN_PASSWORD" : "ROSTER_ADMIN_EMAIL"],
        message: "expected ROSTER_ADMIN_EMAIL and ROSTER_ADMIN_PASSWORD together (both or neither)",
      });
    }
    if (Boolean(v.ROSTER_RELAY_TLS_CERT_FILE) !== Boolean(v.ROSTER_RELAY_TLS_KEY_FILE)) {
      ctx.addIssue({
        code: "custom",
        path: [v.ROSTER_RELAY_TLS_CERT_FILE ? "ROSTER_RELAY_TLS_KEY_FILE" : "ROSTER_RELAY_TLS_CERT_FILE"],
        message: "expected ROSTER_RELAY_TLS_CERT_FILE and ROSTER_RELAY_TLS_KEY_FILE together (both or neither)",
      });
    } else if (v.ROSTER_RELAY_TLS_CERT_FILE && v.ROSTER_RELAY_TLS_KEY_FILE) {
      // Read now, so a file that is not PEM, or a key of another certificate, stops the start with the names.
      try {
        tls.createSecureContext({ cert: readFileSync(v.ROSTER_RELAY_TLS_CERT_FILE), key: readFileSync(v.ROSTER_RELAY_TLS_KEY_FILE) });
      } catch (e) {
        if (!/^E[A-Z]+$/.test(errorCode(e))) ctx.addIssue({ code: "custom", path: ["ROSTER_RELAY_TLS_CERT_FILE"], message: `expected a PEM certificate, with its private key in ROSTER_RELAY_TLS_KEY_FILE (${(e as Error).message})` });
      }
    }
    if (v.ROSTER_SMTP_CA_FILE) {
      // Node ignores a CA file it cannot parse, and mail would then fail with "self-signed certificate".
      let parsed: boolean | null = false;
      try {
        const first = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(readFileSync(v.ROSTER_SMTP_CA_FILE, "utf8"))?.[0];
        parsed = first !== undefined && Boolean(new X509Certificate(first));
      } catch (e) {
        // A file that cannot be read is reported by its own check.
        parsed = /^E[A-Z]+$/.test(errorCode(e)) ? null : false;
      }
      if (parsed === false) ctx.addIssue({ code: "custom", path: ["ROSTER_SMTP_CA_FILE"], message: "expected one or more PEM certificates (-----BEGIN CERTIFICATE-----)" });
    }
  });

export type MailTransportKind = "smtp" | "direct" | "capture";

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  baseUrl: string;
  /** True when the base URL is https: cookies get `Secure`. */
  secureCookies: boolean;
  mail: {
    transport: MailTransportKind;
    smtpUrl?: string;
    smtpCaFile?: string;
    from: string;
  };
  relay: {
    port?: number;
    auth: { user: string; password: string }[];
    allow: string[];
    tlsCertFile?: string;
    tlsKeyFile?: string;
  };
  bootstrap?: { email: string; password: string; organizationName: string };
  trustProxy: boolean;
  logLevel: string;
  backupKeep: number;
  mailRetentionDays: number;
  metricsAllow: string[];
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Roster cannot start: the configuration is not valid.\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

const known = new Set(Object.keys(schema.shape));

/** Reads `NAME` or `NAME_FILE` (a path to a file holding the value). */
function resolveEnv(env: NodeJS.ProcessEnv): { values: Record<string, string>; problems: string[]; warnings: string[] } {
  const values: Record<string, string> = {};
  const problems: string[] = [];
  const warnings: string[] = [];
  for (const name of known) {
    const direct = env[name];
    const file = env[`${name}_FILE`];
    if (direct !== undefined && direct !== "" && file) {
      problems.push(`${name} and ${name}_FILE are both set: expected only one of them`);
      continue;
    }
    if (file) {
      try {
        values[name] = readFileSync(file, "utf8").replace(/\r?\n$/, "");
      } catch (e) {
        problems.push(`${name}_FILE: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? "error"}): expected a readable file holding the value`);
      }
    } else if (direct !== undefined && direct !== "") {
      values[name] = direct;
    }
  }
  for (const name of Object.keys(env)) {
    if (name.startsWith("ROSTER_") && !known.has(name) && !(name.endsWith("_FILE") && known.has(name.slice(0, -5)))) {
      warnings.push(`unknown variable ${name} is ignored`);
    }
  }
  return { values, problems, warnings };
}

/**
 * The default sender's domain is this machine's name: in a container, its id. Mail servers that
 * check senders refuse a name without a dot ("need fully-qualified address"), so say so at start.
 */
export function senderWarning(mail: Pick<Config["mail"], "from" | "transport">): string | null {
  const domain = /@([^>\s]+)>?\s*$/.exec(mail.from)?.[1] ?? "";
  if (mail.transport === "capture" || domain.includes(".")) return null;
  return `mail goes from ${mail.from}, whose domain "${domain}" is not a full domain name: many mail servers refuse it; set ROSTER_MAIL_FROM (e.g. Roster <roster@corp.example>)`;
}

/** Builds the Config from an environment; throws ConfigError naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): { config: Config; warnings: string[] } {
  const { values, problems, warnings } = resolveEnv(env);
  const parsed = schema.safeParse(values);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? "configuration");
      const given = values[name];
      const shown = given === undefined || /PASSWORD|AUTH|SMTP_URL/.test(name) ? "" : ` (got "${given}")`;
      problems.push(`${name}: ${issue.message}${shown}`);
    }
  }
  if (problems.length || !parsed.success) throw new ConfigError(problems);
  const v = parsed.data;
  const transport: MailTransportKind = v.ROSTER_MAIL_TRANSPORT ?? (v.ROSTER_SMTP_URL ? "smtp" : "capture");
  const config: Config = {
    port: v.PORT,
    host: v.HOST,
    dataDir: path.resolve(v.ROSTER_DATA_DIR),
    baseUrl: v.ROSTER_BASE_URL,
    secureCookies: v.ROSTER_BASE_URL.startsWith("https:"),
    mail: {
      transport,
      smtpUrl: v.ROSTER_SMTP_URL,
      smtpCaFile: v.ROSTER_SMTP_CA_FILE,
      from: v.ROSTER_MAIL_FROM ?? `Roster <no-reply@${hostname() || "localhost"}>`,
    },
    relay: {
      port: v.ROSTER_RELAY_PORT,
      auth: (v.ROSTER_RELAY_AUTH ?? []).map((pair) => {
        const i = pair.indexOf(":");
        return { user: pair.slice(0, i), password: pair.slice(i + 1) };
      }),
      allow: v.ROSTER_RELAY_ALLOW ?? [],
      tlsCertFile: v.ROSTER_RELAY_TLS_CERT_FILE,
      tlsKeyFile: v.ROSTER_RELAY_TLS_KEY_FILE,
    },
    bootstrap: v.ROSTER_ADMIN_EMAIL && v.ROSTER_ADMIN_PASSWORD
      ? { email: v.ROSTER_ADMIN_EMAIL, password: v.ROSTER_ADMIN_PASSWORD, organizationName: v.ROSTER_ORG_NAME ?? "My organization" }
      : undefined,
    trustProxy: v.ROSTER_TRUST_PROXY,
    logLevel: v.ROSTER_LOG_LEVEL,
    backupKeep: v.ROSTER_BACKUP_KEEP,
    mailRetentionDays: v.ROSTER_MAIL_RETENTION_DAYS,
    metricsAllow: v.ROSTER_METRICS_ALLOW,
  };
  const sender = senderWarning(config.mail);
  if (sender) warnings.push(sender);
  if (v.ROSTER_RELAY_PORT !== undefined && !config.relay.auth.length && !config.relay.allow.length) {
    warnings.push("the relay listens on ROSTER_RELAY_PORT but neither ROSTER_RELAY_AUTH nor ROSTER_RELAY_ALLOW is set: it refuses every client");
  }
  return { config, warnings };
}

/** A config for tests and tools: embedded defaults with overrides. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  const { config } = loadConfig({ ROSTER_DATA_DIR: ":memory:" });
  return { ...config, dataDir: ":memory:", mail: { ...config.mail, from: "Roster <no-reply@roster.test>" }, ...overrides };
}
