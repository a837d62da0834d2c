import { lt } from "drizzle-orm";
import { HOUR } from "./clock.js";
import type { Deps } from "./deps.js";
import { oneTimeTokens, sessions } from "./db/schema.js";
import { pruneThrottles } from "./auth/throttle.js";

/** Removes expired sessions, tokens and throttle counters. */
export function cleanup(deps: Pick<Deps, "db" | "clock">): { sessions: number; tokens: number; throttles: number } {
  const now = deps.clock.now();
  return {
    sessions: deps.db.delete(sessions).where(lt(sessions.expiresAt, now)).run().changes,
    // Used or expired tokens are kept a week for support questions ("the link said…"), then go.
    tokens: deps.db.delete(oneTimeTokens).where(lt(oneTimeTokens.expiresAt, new Date(now.getTime() - 7 * 24 * HOUR))).run().changes,
    throttles: pruneThrottles(deps),
  };
}

/** The hourly cleanup (STYLE §9). */
export function startMaintenance(deps: Deps): { stop(): void } {
  const run = () => {
    try {
      const removed = cleanup(deps);
      deps.log.info({ removed }, "hourly cleanup");
    } catch (err) {
      deps.log.error({ err }, "cleanup failed");
    }
  };
  const first = setTimeout(run, 60_000);
  const timer = setInterval(run, HOUR);
  first.unref();
  timer.unref();
  return { stop: () => { clearTimeout(first); clearInterval(timer); } };
}
