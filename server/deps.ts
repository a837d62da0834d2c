import type { Logger } from "pino";
import type { Clock } from "./clock.js";
import type { Config } from "./config.js";
import type { Db } from "./db/client.js";
import type { PasswordHasher } from "./auth/password.js";
import type { Metrics } from "./metrics.js";

/** What every service receives: nothing reads process.env or Date.now() itself. */
export interface Deps {
  db: Db;
  clock: Clock;
  config: Config;
  hasher: PasswordHasher;
  log: Logger;
  /** Called after a transaction that queued mail commits, so delivery starts at once. */
  mailQueued: () => void;
  /** Counters for GET /metrics; absent in most tests. */
  metrics?: Metrics;
}

/** Who is asking and from where: goes into sessions and the audit log. */
export interface RequestMeta {
  ip: string;
  userAgent: string;
  /** The UI language of the request, for mail to people who have no account yet. */
  language?: string;
}
