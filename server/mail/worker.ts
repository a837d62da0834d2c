import { and, asc, eq, inArray, lte } from "drizzle-orm";
import type { Deps } from "../deps.js";
import { mailOutbox } from "../db/schema.js";

/**
 * The outbox worker (SPEC §5). STUB: capture transport only; the delivery
 * engine (smtp, retries) replaces this.
 */
export interface MailWorker {
  /** Look for due mail now (after a commit that queued some). */
  kick(): void;
  start(): void;
  /** Stops taking new mail and waits for the message in flight. */
  stop(): Promise<void>;
  /** Delivers everything due now; resolves when done (tests). */
  drain(): Promise<void>;
}

export function createMailWorker(deps: Pick<Deps, "db" | "clock" | "config" | "log">): MailWorker {
  const drain = async () => {
    const due = deps.db
      .select({ id: mailOutbox.id })
      .from(mailOutbox)
      .where(and(inArray(mailOutbox.status, ["queued", "deferred"]), lte(mailOutbox.nextAttemptAt, deps.clock.now())))
      .orderBy(asc(mailOutbox.createdAt))
      .all();
    for (const m of due) {
      deps.db.update(mailOutbox).set({ status: "sent", sentAt: deps.clock.now(), attempts: 1 }).where(eq(mailOutbox.id, m.id)).run();
    }
  };
  return { kick: () => void drain(), start: () => void drain(), stop: async () => {}, drain };
}
