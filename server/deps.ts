import type { Logger } from "pino";
import { afterTheseAnswers } from "./http/listener.js";
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
  /**
   * Runs work after the response has gone (so its cost cannot be timed from
   * outside); errors are logged. Tests run it at once, to read its mail.
   */
  afterResponse: (work: () => void) => void;
  /** Counters for GET /metrics; absent in most tests. */
  metrics?: Metrics;
}

/** Who is asking and from where: goes into sessions and the audit log. */
export interface RequestMeta {
  ip: string;
  userAgent: string;
  /** The UI language of the request, for mail to people who have no account yet. */
  language?: string;
  /** The API key the request came with, and its creator (`accountId`): what it does is the creator's, and the audit log says by which key. */
  apiKey?: { id: string; name: string; accountId: string };
}

/** Production `afterResponse`: once the answers of this turn are written, errors logged. */
export const afterResponseWith =
  (log: Logger) =>
  (work: () => void): void => {
    afterTheseAnswers(() => {
      try {
        work();
      } catch (err) {
        log.error({ err }, "work after a response failed");
      }
    });
  };

/** Tests' and tools' `afterResponse`: at once, so what it writes can be read next. */
export const atOnce = (work: () => void): void => work();
