import type { AddressInfo } from "node:net";
import { createApp } from "./app.js";
import { systemClock } from "./clock.js";
import { ConfigError, loadConfig } from "./config.js";
import { DatabaseTooNewError } from "./db/client.js";
import { CannotOpenDatabaseError, holdDataDir, openMigrated } from "./backup.js";
import { afterResponseWith, type Deps } from "./deps.js";
import { ARGON2_PARAMS } from "./auth/password.js";
import { argon2Pool } from "./auth/argon2-pool.js";
import { bootstrapOwner } from "./accounts/registration.js";
import { createLogger } from "./log.js";
import { AppError } from "./errors.js";
import { t } from "./i18n/index.js";
import type { Logger } from "pino";
import { createMetrics } from "./metrics.js";
import { createMailWorker } from "./mail/worker.js";
import { startRelay, type Relay } from "./mail/relay.js";
import { startMaintenance } from "./maintenance.js";
import { releaseMemoryWhenIdle } from "./db/idle-memory.js";
import { isProbe } from "./probes.js";
import { httpServer } from "./http/listener.js";
import { VERSION } from "./http/api/index.js";

/** config → database + migrations → first admin → HTTP + mail worker → graceful stop. */
async function main(): Promise<void> {
  let loaded;
  try {
    loaded = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(78); // EX_CONFIG
    }
    throw e;
  }
  const { config, warnings } = loaded;
  const log = createLogger(config.logLevel);
  for (const w of warnings) log.warn(w);

  let db;
  let dataDirLock: { release(): void } | undefined;
  try {
    // Before the database is touched: no second server, and no restore, while this one runs.
    dataDirLock = holdDataDir(config.dataDir);
    // An upgrade: the database is copied as it was before its migrations run.
    const opened = await openMigrated({ dataDir: config.dataDir, keep: config.backupKeep });
    db = opened.db;
    if (opened.backup) log.info({ file: opened.backup }, "backup written before applying migrations");
    if (opened.applied) log.info("database migrations applied");
  } catch (e) {
    if (e instanceof DatabaseTooNewError || e instanceof CannotOpenDatabaseError) {
      log.fatal({ code: e instanceof CannotOpenDatabaseError ? e.code : undefined }, e.message);
      process.exit(1);
    }
    throw e;
  }

  const kick = { fn: () => {} };
  // Argon2id on low-priority threads: the event loop stays responsive while log ins saturate the cores.
  const hasher = argon2Pool({ params: ARGON2_PARAMS });
  const deps: Deps = { db, clock: systemClock, config, hasher, log, mailQueued: () => kick.fn(), afterResponse: afterResponseWith(log), metrics: createMetrics(db, { processMetrics: true, storage: config, now: () => systemClock.now() }) };
  const worker = createMailWorker(deps);
  kick.fn = () => worker.kick();

  if (config.bootstrap) {
    const created = await bootstrapOwner(deps, config.bootstrap).catch((e: unknown) => {
      // The password rules need the account (it may not equal the user ID or the address): checked here, not with the other settings.
      if (!(e instanceof AppError)) throw e;
      const [setting, why] =
        e.code === "weak_password"
          ? ["ROSTER_ADMIN_PASSWORD", `the password is refused: ${t("en", e.fields?.password ?? "password.weak")}`]
          : ["ROSTER_ADMIN_EMAIL / ROSTER_ORG_NAME", `refused (${Object.keys(e.fields ?? {}).join(", ") || e.code}): ${e.message}`];
      log.fatal({ code: e.code }, `${setting}: ${why} Or leave ROSTER_ADMIN_EMAIL and ROSTER_ADMIN_PASSWORD unset and register the first account in the browser.`);
      process.exit(78);
    });
    if (created) log.info({ userId: created.userId, email: created.email }, "created the first account from ROSTER_ADMIN_EMAIL");
    // A sysadmin who changed them later should hear why nothing happened.
    else log.info("ROSTER_ADMIN_EMAIL and ROSTER_ADMIN_PASSWORD are set but the server already has accounts: they are used only on a fresh install (change an admin's password with roster reset-password)");
  }

  const app = createApp(deps);
  const server = httpServer(app.fetch, { hostname: config.host });
  const cannotListen = listenFailure(log, "PORT", `${config.host}:${config.port}`);
  server.once("error", cannotListen);
  server.listen(config.port, config.host, () => {
    server.off("error", cannotListen);
    const info = server.address() as AddressInfo;
    log.info({ version: VERSION, port: info.port, host: config.host, baseUrl: config.baseUrl, dataDir: config.dataDir, mail: config.mail.transport }, `Roster listening on http://${config.host === "0.0.0.0" ? "localhost" : config.host}:${info.port} (mail links use ${config.baseUrl})`);
    if (config.mail.transport === "capture") log.warn("mail is captured, not sent: admins read it under /admin/mail (set ROSTER_SMTP_URL to deliver)");
  });
  // 30–60 s after the last request (health checks and scrapes aside), the database's mapped
  // pages and page cache are handed back.
  const idleMemory = releaseMemoryWhenIdle(db.$client, { log, collectGarbage: (globalThis as { gc?: () => void }).gc });
  server.on("request", (req: { url?: string }) => {
    if (!isProbe(req.url)) idleMemory.touch();
  });
  worker.start();
  let relay: Relay | undefined;
  if (config.relay.port !== undefined) {
    relay = await startRelay(deps, config.relay.port, config.host).catch(listenFailure(log, "ROSTER_RELAY_PORT", `${config.host}:${config.relay.port}`));
    log.info({ port: relay.port, auth: config.relay.auth.length > 0, allow: config.relay.allow, starttls: Boolean(config.relay.tlsCertFile) }, "SMTP relay listening");
    if (config.relay.auth.length > 0 && !config.relay.tlsCertFile) {
      log.warn("the relay takes ROSTER_RELAY_AUTH passwords in plain text (no certificate): set ROSTER_RELAY_TLS_CERT_FILE and ROSTER_RELAY_TLS_KEY_FILE to offer STARTTLS");
    }
  }
  const maintenance = startMaintenance(deps);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping");
    maintenance.stop();
    idleMemory.stop();
    // Stop accepting, let requests in flight finish, and do not wait for idle keep-alive connections.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await Promise.race([closed, new Promise((r) => setTimeout(r, 5000))]);
    await relay?.close();
    await worker.stop();
    await hasher.close();
    db.$client.close();
    dataDirLock?.release();
    log.info("stopped");
    log.flush();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

/** A port that cannot be had (taken, or below 1024 without the right): one line for the sysadmin, and exit. */
function listenFailure(log: Logger, setting: string, target: string) {
  return (e: NodeJS.ErrnoException & { port?: number; address?: string }): never => {
    const why =
      e.code === "EADDRINUSE"
        ? `the port is already in use. Stop what listens there, or choose another port with ${setting}.`
        : e.code === "EACCES"
          ? `this process may not open that port. Choose one above 1024 with ${setting}.`
          : e.code === "ENOTFOUND" || e.code === "EADDRNOTAVAIL" || e.code === "EAI_AGAIN"
            ? `HOST is not an address of this machine. Use 0.0.0.0 (every address, the default) or one of its own.`
            : e.message;
    const where = e.address !== undefined && e.port !== undefined ? `${e.address}:${e.port}` : target;
    log.fatal({ code: e.code }, `Roster cannot listen on ${where}: ${why}`);
    process.exit(1);
  };
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
