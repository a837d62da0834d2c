import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { eq } from "drizzle-orm";
import { systemClock } from "../clock.js";
import { ConfigError, loadConfig, type Config } from "../config.js";
import { databaseFile } from "../db/client.js";
import { accounts } from "../db/schema.js";
import { atOnce, type Deps } from "../deps.js";
import { argon2Hasher, passwordProblem } from "../auth/password.js";
import { invalidateUserSessions } from "../auth/sessions.js";
import { forgetLoginFailures } from "../auth/throttle.js";
import { bootstrapOwner } from "../accounts/registration.js";
import { findByLogin } from "../accounts/store.js";
import { audit, verifyAuditChain } from "../admin/audit.js";
import { queueMail } from "../mail/outbox.js";
import { createMailWorker } from "../mail/worker.js";
import { createLogger } from "../log.js";
import { backupDatabase, backupProblem, CannotOpenDatabaseError, holdDataDir, openMigrated } from "../backup.js";
import { t } from "../i18n/index.js";
import { checkReady, localBase } from "./healthcheck.js";
import { PasswordInputError, passwordFrom, processPasswordSource, type PasswordSource } from "./password-input.js";

interface Command {
  summary: string;
  usage: string;
  options?: Record<string, { type: "string" | "boolean"; short?: string }>;
  run(o: { config: Config; values: Record<string, string | boolean | undefined>; positionals: string[]; passwords: PasswordSource }): Promise<number>;
}

class UsageError extends Error {}

class NoDatabaseError extends Error {
  constructor(dataDir: string) {
    super(`no database at ${databaseFile(dataDir)} (is ROSTER_DATA_DIR right?)`);
  }
}

/**
 * The services, on the database opened as the server opens it: migrated, after a
 * pre-migration copy when an upgrade brings migrations (so a command run before the
 * new server starts does not leave the upgrade without one).
 */
async function deps(config: Config, o: { create?: boolean } = {}): Promise<Deps & { migration: { applied: boolean; backup: string | null } }> {
  // Only the commands that set a server up make its database: another one run with a mistyped
  // ROSTER_DATA_DIR would otherwise answer from an empty database it has just made.
  if (!o.create && !existsSync(databaseFile(config.dataDir))) throw new NoDatabaseError(config.dataDir);
  // Quiet unless the environment asks for a level (the checked one: an empty value is unset).
  const log = createLogger(process.env.ROSTER_LOG_LEVEL || process.env.ROSTER_LOG_LEVEL_FILE ? config.logLevel : "warn", 2);
  const { db, applied, backup } = await openMigrated({ dataDir: config.dataDir, keep: config.backupKeep });
  if (backup) log.warn({ file: backup }, "backup written before applying migrations");
  return { db, clock: systemClock, config, hasher: argon2Hasher(), log, mailQueued: () => {}, afterResponse: atOnce, migration: { applied, backup } };
}

const need = (v: unknown, name: string): string => {
  if (typeof v !== "string" || !v) throw new UsageError(`--${name} is required`);
  return v;
};

const PASSWORD_OPTIONS = { password: { type: "string" }, "password-stdin": { type: "boolean" } } as const;
const PASSWORD_USAGE =
  "[--password-stdin | --password PASSWORD]\n\n" +
  "The password: with --password-stdin, the first line of standard input (printf '%s\\n' \"$PW\" | roster …);\n" +
  "with neither, asked twice on the terminal (docker compose exec gives one). --password shows it to ps and the shell's history.";

/** Is a server (perhaps of an older version, which holds no lock) running here? Its HTTP port answers /healthz. */
async function serverRunning(config: Config): Promise<boolean> {
  try {
    const r = await fetch(`${localBase(config)}/healthz`, { signal: AbortSignal.timeout(1500) });
    return r.ok;
  } catch {
    return false;
  }
}

export const commands: Record<string, Command> = {
  healthcheck: {
    summary: "exit 0 when the server on PORT answers /readyz (the Docker HEALTHCHECK)",
    usage: "roster healthcheck [--url http://127.0.0.1:8080/readyz]",
    options: { url: { type: "string" } },
    // index.ts runs it without loading the rest of the CLI (healthcheck.ts); here when the environment needs reading.
    run: ({ config, values }) => checkReady((values.url as string | undefined) ?? `${localBase(config)}/readyz`),
  },
  migrate: {
    summary: "apply pending database migrations and exit",
    usage: "roster migrate",
    async run({ config }) {
      const { migration } = await deps(config, { create: true });
      if (migration.backup) console.log(`copied the database first: ${migration.backup}`);
      console.log(migration.applied ? "migrations applied" : "the database is up to date");
      return 0;
    },
  },
  "create-admin": {
    summary: "create the first account (owner of a new organization) on an empty server",
    usage: `roster create-admin --email EMAIL [--org NAME] [--user-id ID] ${PASSWORD_USAGE}`,
    options: { email: { type: "string" }, ...PASSWORD_OPTIONS, org: { type: "string" }, "user-id": { type: "string" } },
    async run({ config, values, passwords }) {
      const email = need(values.email, "email");
      const password = await passwordFrom(values, passwords);
      const d = await deps(config, { create: true });
      const created = await bootstrapOwner(d, {
        email,
        password,
        organizationName: (values.org as string | undefined) ?? "My organization",
        userId: (values["user-id"] as string | undefined) || undefined, // empty: taken from the email, as registration does
      });
      if (!created) {
        console.error("the server already has accounts: log in as an owner and create admins in the web UI");
        return 1;
      }
      console.log(`created owner ${created.userId} <${created.email}>`);
      return 0;
    },
  },
  "reset-password": {
    summary: "set a new password for an account (by email or user ID) and end its sessions",
    usage: `roster reset-password --login EMAIL_OR_USERID ${PASSWORD_USAGE}`,
    options: { login: { type: "string" }, ...PASSWORD_OPTIONS },
    async run({ config, values, passwords }) {
      // The arguments first: a usage mistake touches no database.
      const login = need(values.login, "login");
      const password = await passwordFrom(values, passwords);
      const d = await deps(config);
      const a = findByLogin(d.db, login);
      if (!a) {
        console.error("no such account");
        return 1;
      }
      const problem = passwordProblem(password, a);
      if (problem) {
        console.error(`the password is refused: ${t("en", problem)}`);
        return 1;
      }
      const passwordHash = await d.hasher.hash(password);
      d.db.transaction((tx) => {
        tx.update(accounts).set({ passwordHash, mustChangePassword: true, updatedAt: d.clock.now() }).where(eq(accounts.id, a.id)).run();
        invalidateUserSessions({ db: tx }, a.id);
        forgetLoginFailures(tx, a.id);
        audit(tx, d, { action: "account.password_reset_cli", target: { id: a.id, label: a.userId }, organizationId: a.organizationId, ip: "cli" });
      });
      console.log(`password set for ${a.userId}; they must change it at the next log in`);
      return 0;
    },
  },
  "list-users": {
    summary: "list accounts as tab-separated lines (userId, email, type, status)",
    usage: "roster list-users [--limit N]",
    options: { limit: { type: "string" } },
    async run({ config, values }) {
      const d = await deps(config);
      const limit = Number(values.limit ?? 1000);
      if (!Number.isInteger(limit) || limit < 1) throw new UsageError("--limit takes a whole number");
      const rows = d.db.select().from(accounts).orderBy(accounts.userId).limit(limit + 1).all();
      for (const a of rows.slice(0, limit)) console.log([a.userId, a.email ?? "", a.type, a.status].join("\t"));
      // On stderr, so a script reading the lines reads only accounts.
      if (rows.length > limit) console.error(`(the first ${limit} accounts by user ID; there are more: --limit N, or the admin export)`);
      return 0;
    },
  },
  backup: {
    summary: "write a consistent copy of the database to ROSTER_DATA_DIR/backups (safe while running; kept until you remove it)",
    usage: "roster backup",
    async run({ config }) {
      if (!existsSync(databaseFile(config.dataDir))) throw new NoDatabaseError(config.dataDir);
      // Labelled "manual": the nightly rotation (ROSTER_BACKUP_KEEP) neither counts nor removes it.
      const file = await backupDatabase({ dataDir: config.dataDir, keep: config.backupKeep, label: "manual" });
      console.log(file);
      return 0;
    },
  },
  restore: {
    summary: "replace the database with a backup (refuses while the server runs)",
    usage: "roster restore --file PATH",
    options: { file: { type: "string" } },
    async run({ config, values }) {
      const from = need(values.file, "file");
      if (!existsSync(from)) throw new UsageError(`no such file: ${from}`);
      const running = () => {
        console.error("the server is running: stop it first (docker compose stop roster)");
        return 1;
      };
      // A server of this version holds the data directory's lock; an older one answers on PORT.
      let lock: { release(): void };
      try {
        lock = holdDataDir(config.dataDir);
      } catch (e) {
        if (e instanceof CannotOpenDatabaseError && e.code === "DATA_DIR_IN_USE") return running();
        throw e;
      }
      try {
        if (await serverRunning(config)) return running();
        const problem = backupProblem(from);
        if (problem) {
          console.error(`${from} cannot be restored: ${problem}. Nothing was changed.`);
          return 1;
        }
        const target = databaseFile(config.dataDir);
        if (existsSync(target)) {
          // A copy of what is replaced; a damaged file (the usual reason to restore) SQLite cannot
          // copy, so its bytes are kept as they are.
          await backupDatabase({ dataDir: config.dataDir, keep: config.backupKeep, label: "pre-restore" }).catch(() => {
            const dir = path.join(config.dataDir, "backups");
            mkdirSync(dir, { recursive: true });
            copyFileSync(target, path.join(dir, `roster-pre-restore-damaged-${new Date().toISOString().replace(/[:.]/g, "-")}.db`));
          });
        }
        for (const ext of ["-wal", "-shm"]) rmSync(target + ext, { force: true });
        // Copied beside it, then renamed over it: a copy cut short leaves the database as it was.
        const partial = `${target}.restoring`;
        copyFileSync(from, partial);
        renameSync(partial, target);
      } finally {
        lock.release();
      }
      console.log(`restored ${from}`);
      return 0;
    },
  },
  "verify-audit": {
    summary: "check the audit log's hash chain",
    usage: "roster verify-audit",
    async run({ config }) {
      const r = verifyAuditChain(await deps(config));
      if (r.ok) {
        console.log(`audit chain verified: ${r.entries} entries`);
        return 0;
      }
      console.error(`audit chain BROKEN at entry ${r.brokenAt}: ${r.reason} (${r.entries} entries verified before it)`);
      return 1;
    },
  },
  "send-test-mail": {
    summary: "queue a test mail to an address and try to deliver it now",
    usage: "roster send-test-mail --to EMAIL",
    options: { to: { type: "string" } },
    async run({ config, values }) {
      const to = need(values.to, "to");
      if (config.mail.transport === "capture") {
        // Nothing would leave: a test that "passed" here would say nothing about the mail server.
        console.error("not sent: no mail server is configured, mail is captured (set ROSTER_SMTP_URL, or ROSTER_MAIL_TRANSPORT=direct). Admins read captured mail under /admin/mail.");
        return 1;
      }
      const d = await deps(config, { create: true }); // a test before the first start, too
      const id = d.db.transaction((tx) => queueMail(tx, d, to, "en", { kind: "test" }));
      const worker = createMailWorker(d);
      await worker.drain();
      await worker.stop();
      const row = d.db.$client.prepare("SELECT status, last_error AS lastError, last_response AS lastResponse FROM mail_outbox WHERE id = ?").get(id) as { status: string; lastError: string | null; lastResponse: string | null };
      const said = row.status === "sent" ? row.lastResponse : row.lastError;
      const line = `${row.status}${said ? `: ${said}` : ""} (transport ${config.mail.transport})`;
      if (row.status === "sent") console.log(line);
      else {
        // A test that failed is marked failed, not retried for a day: it has said what it had to.
        d.db.$client.prepare("UPDATE mail_outbox SET status = 'failed' WHERE id = ? AND status <> 'sent'").run(id);
        console.error(line);
      }
      return row.status === "sent" ? 0 : 1;
    },
  },
};

export async function runCommand(name: string, args: string[], passwords: PasswordSource = processPasswordSource()): Promise<number> {
  const cmd = commands[name];
  if (!cmd) {
    console.error(`roster: unknown command "${name}" (roster --help lists them)`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({ args, options: { help: { type: "boolean", short: "h" }, ...cmd.options }, allowPositionals: false, strict: true });
  } catch (e) {
    console.error(`${(e as Error).message}\nusage: ${cmd.usage}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(`${cmd.summary}\n\nusage: ${cmd.usage}`);
    return 0;
  }
  let config: Config;
  try {
    config = loadConfig().config;
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      return 78;
    }
    throw e;
  }
  try {
    return await cmd.run({ config, values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals, passwords });
  } catch (e) {
    if (e instanceof PasswordInputError) {
      console.error(`roster ${name}: ${e.message}${e.usage ? `\nusage: ${cmd.usage}` : ""}`);
      return 2;
    }
    if (e instanceof UsageError) {
      console.error(`${e.message}\nusage: ${cmd.usage}`);
      return 2;
    }
    if (e instanceof NoDatabaseError) {
      console.error(e.message);
      return 1;
    }
    throw e;
  }
}
