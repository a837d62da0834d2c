import type { Server, Socket } from "node:net";
import { plainAddress } from "../allow-list.js";
import { MINUTE, type Clock } from "../clock.js";

/*
 * How much of the relay one client address may take (SPEC §5, §6). The relay is there so the chat
 * server and other intranet systems can always submit mail: no single address may hold every
 * connection, a session that needs credentials cannot sit unauthenticated, and passwords cannot
 * be guessed at full speed. In memory: the relay is one process, and a failure costs no write.
 */

/** Connections at once, all clients together (smtp-server answers the next one 421). */
export const RELAY_MAX_CLIENTS = 200;
/**
 * Connections at once from one address, a tenth of the above: the chat server needs a handful
 * (nodemailer's pool keeps 5), with room for a few other systems behind the same NAT address.
 * Allowed and authenticated clients count too: ROSTER_RELAY_ALLOW may be a whole range, and one
 * host in it must not lock the others out either.
 */
export const RELAY_MAX_PER_ADDRESS = 20;
/**
 * A client outside ROSTER_RELAY_ALLOW must have authenticated this long after connecting, or it
 * gets 421 and is closed; NOOP, RSET or EHLO do not extend it. A real client takes well under a
 * second (greeting, EHLO, STARTTLS, AUTH); 30 s leaves room for a slow link or TLS handshake.
 */
export const RELAY_AUTH_DEADLINE_MS = 30_000;
/**
 * Failed AUTH attempts from one address in a window; past them every AUTH from the address (a
 * right password too, or the answer would tell a guess apart) gets 454 until the window, counted
 * from its first failure, is over. A system with the right password never fails and a person
 * setting one up fails a few times; guessing is held to 40 an hour. Successes are not counted and
 * do not reset the count: a chat server behind one proxy address with a client that guesses is
 * held up for at most one window, with a temporary answer, so it keeps its mail and retries.
 */
export const RELAY_AUTH_MAX_FAILURES = 10;
export const RELAY_AUTH_FAILURE_WINDOW_MS = 15 * MINUTE;
/** Each 535 is sent this long after the check (counted at once): one connection guesses at most once a second. */
export const RELAY_AUTH_FAILURE_DELAY_MS = 1_000;
/** Addresses whose failures are remembered; past it the oldest are forgotten, so many addresses cannot fill memory. */
export const RELAY_AUTH_TRACKED_ADDRESSES = 10_000;

export interface RelayLimits {
  maxClients: number;
  perAddress: number;
  authDeadlineMs: number;
  authMaxFailures: number;
  authFailureWindowMs: number;
  authFailureDelayMs: number;
}

export const RELAY_LIMITS: RelayLimits = {
  maxClients: RELAY_MAX_CLIENTS,
  perAddress: RELAY_MAX_PER_ADDRESS,
  authDeadlineMs: RELAY_AUTH_DEADLINE_MS,
  authMaxFailures: RELAY_AUTH_MAX_FAILURES,
  authFailureWindowMs: RELAY_AUTH_FAILURE_WINDOW_MS,
  authFailureDelayMs: RELAY_AUTH_FAILURE_DELAY_MS,
};

/**
 * Whom a limit counts: an IPv4 address, or an IPv6 host's /64 (a host is given a whole /64 and may
 * take any address in it; counting each address apart would give it millions of shares).
 */
export function addressKey(ip: string): string {
  const plain = plainAddress(ip);
  if (!plain.includes(":")) return plain;
  const bare = plain.split("%")[0]!.toLowerCase();
  const [head = "", tail] = bare.split("::");
  const groups = head ? head.split(":") : [];
  if (tail !== undefined && groups.length < 4) {
    const rest = tail ? tail.split(":") : [];
    groups.push(...Array<string>(Math.max(0, 8 - groups.length - rest.length)).fill("0"), ...rest);
  }
  return `${groups.slice(0, 4).map((g) => (parseInt(g, 16) || 0).toString(16)).join(":")}::/64`;
}

/**
 * Counts connections per address on the listening socket itself, before smtp-server sees them:
 * its own onConnect comes only after a delay (it waits to catch clients that talk before the
 * greeting), and in that time a flood from one address filled the 200 slots every client shares.
 * A connection over the share gets a 421 line and is closed at once.
 */
export function gateConnections(listener: Server, counter: ReturnType<typeof connectionCounter>, refused: (from: string) => void): void {
  const handlers = listener.listeners("connection") as ((socket: Socket) => void)[];
  listener.removeAllListeners("connection");
  listener.on("connection", (socket: Socket) => {
    const from = addressKey(socket.remoteAddress ?? "");
    if (!counter.take(from)) {
      refused(from);
      socket.on("error", () => {});
      socket.end("421 4.7.0 Too many connections from your address, try again later\r\n");
      return;
    }
    socket.once("close", () => counter.release(from));
    for (const h of handlers) h.call(listener, socket);
  });
}

/** Open connections by client address. */
export function connectionCounter(perAddress: number) {
  const open = new Map<string, number>();
  return {
    /** Counts one more connection from `ip`, unless the address already holds `perAddress`: then false, nothing counted. */
    take(ip: string): boolean {
      const n = open.get(ip) ?? 0;
      if (n >= perAddress) return false;
      open.set(ip, n + 1);
      return true;
    },
    release(ip: string): void {
      const n = (open.get(ip) ?? 0) - 1;
      if (n > 0) open.set(ip, n);
      else open.delete(ip);
    },
  };
}

/**
 * Failed AUTH attempts by client address, in fixed windows. Checked and counted in the same
 * synchronous turn as the password, so parallel attempts cannot slip past the limit.
 */
export function authFailures(clock: Clock, limits: Pick<RelayLimits, "authMaxFailures" | "authFailureWindowMs">, tracked = RELAY_AUTH_TRACKED_ADDRESSES) {
  const seen = new Map<string, { count: number; since: number }>();
  const current = (ip: string, now: number) => {
    const s = seen.get(ip);
    if (s && now - s.since >= limits.authFailureWindowMs) seen.delete(ip);
    return seen.get(ip);
  };
  return {
    /** Milliseconds until `ip` may try again; 0 when it may now. */
    blockedFor(ip: string): number {
      const now = clock.now().getTime();
      const s = current(ip, now);
      return s && s.count >= limits.authMaxFailures ? s.since + limits.authFailureWindowMs - now : 0;
    },
    /** Counts a failure; true when it is the one that blocks the address. */
    failed(ip: string): boolean {
      const now = clock.now().getTime();
      const s = current(ip, now);
      if (s) s.count++;
      else {
        if (seen.size >= tracked) {
          // Forget windows that are over, then the oldest that block nothing, and a blocked one only
          // as a last resort (a Map keeps insertion order): failures from many other addresses must
          // not lift a block.
          for (const [k, v] of seen) if (now - v.since >= limits.authFailureWindowMs) seen.delete(k);
          for (const [k, v] of seen) {
            if (seen.size < tracked) break;
            if (v.count < limits.authMaxFailures) seen.delete(k);
          }
          for (const k of seen.keys()) {
            if (seen.size < tracked) break;
            seen.delete(k);
          }
        }
        seen.set(ip, { count: 1, since: now });
      }
      return (s?.count ?? 1) === limits.authMaxFailures;
    },
  };
}
