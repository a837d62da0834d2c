import { createRequire } from "node:module";
import os from "node:os";
import { Worker } from "node:worker_threads";
import { normalizePassword, type PasswordHasher } from "./password.js";

/**
 * Argon2id on a few worker threads that run at a lower CPU priority than the
 * event loop. While log ins saturate every core, the scheduler still gives the
 * event loop the CPU the moment it has work, so health checks, token
 * validations and pages keep answering in milliseconds; the hashes take what
 * is left. (On libuv's pool the hashes ran at the event loop's priority and a
 * health check waited behind them.)
 *
 * The worker is plain CommonJS passed as a string, so it runs the same under
 * the compiled build, tsx and Vitest.
 */
const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
try { require("node:os").setPriority(0, workerData.nice); } catch {}
const argon2 = require(workerData.argon2);
parentPort.on("message", (job) => {
  let reply;
  try {
    reply = { id: job.id, ok: job.op === "hash" ? argon2.hashSync(job.password, job.options) : argon2.verifySync(job.hash, job.password) };
  } catch (e) {
    reply = { id: job.id, error: String((e && e.message) || e) };
  }
  parentPort.postMessage(reply);
});
`;

interface Job {
  id: number;
  op: "hash" | "verify";
  hash?: string;
  password: string;
  options?: object;
}
interface Reply {
  id: number;
  ok?: string | boolean;
  error?: string;
}
interface Pending {
  job: Job;
  tries: number;
  resolve: (v: string | boolean) => void;
  reject: (e: Error) => void;
}
interface Slot {
  worker: Worker;
  /** Jobs handed to this thread, oldest first: it answers them in order. */
  inFlight: Pending[];
}

/**
 * Jobs a thread holds at once: the one it hashes and the next, already in its
 * message queue, so it starts that the moment it finishes instead of waiting
 * for the event loop (busy with requests under load) to hand it one.
 */
const DEPTH = 2;

export interface Argon2Pool extends PasswordHasher {
  /** Ends the threads; jobs still queued fail. */
  close(): Promise<void>;
}

export interface PoolOptions {
  /** Threads (default: the cores). */
  size?: number;
  /** Nice value of the threads, 0–19 (default 10). */
  nice?: number;
  /** Threads idle this long end, and start again on the next hash (default 60 s). */
  idleMs?: number;
  params: { memoryCost: number; timeCost: number; parallelism: number };
}

/** @node-rs/argon2's `Algorithm.Argon2id`. */
const ARGON2ID = 2;

export function argon2Pool(o: PoolOptions): Argon2Pool {
  const size = Math.max(1, o.size ?? os.availableParallelism());
  const workerData = { nice: o.nice ?? 10, argon2: createRequire(import.meta.url).resolve("@node-rs/argon2") };
  const options = { ...o.params, algorithm: ARGON2ID };
  const idleMs = o.idleMs ?? 60_000;
  const slots: Slot[] = [];
  const queue: Pending[] = [];
  let nextId = 0;
  let closed = false;
  let idleTimer: NodeJS.Timeout | null = null;

  function spawn(): Slot {
    const slot: Slot = { worker: new Worker(WORKER, { eval: true, workerData }), inFlight: [] };
    slot.worker.unref();
    slot.worker.on("message", (r: Reply) => {
      if (slot.inFlight[0]?.job.id === r.id) {
        const p = slot.inFlight.shift() as Pending;
        if (r.error !== undefined) p.reject(new Error(r.error));
        else p.resolve(r.ok as string | boolean);
      }
      pump();
    });
    // A thread that dies hands its jobs to others; the next job starts a new thread. Only the job it
    // was running counts the try (it may be what killed it, and gets one more); those waiting behind
    // it never started, so they go back to the front of the queue as they were.
    const lost = (e: Error) => {
      remove(slot);
      const [running, ...waiting] = slot.inFlight.splice(0);
      const again = [...(running && running.tries < 2 ? [{ ...running, tries: running.tries + 1 }] : []), ...waiting];
      if (running && running.tries >= 2) running.reject(e);
      if (closed) for (const p of again) p.reject(e);
      else queue.unshift(...again);
      pump();
    };
    slot.worker.on("error", lost);
    slot.worker.on("exit", () => lost(new Error("argon2 worker exited")));
    slots.push(slot);
    return slot;
  }

  function remove(slot: Slot) {
    const i = slots.indexOf(slot);
    if (i >= 0) slots.splice(i, 1);
  }

  /** An idle thread, else a new one while there are fewer than `size`, else the least loaded below DEPTH. */
  function pick(): Slot | null {
    const idle = slots.find((s) => s.inFlight.length === 0);
    if (idle) return idle;
    if (slots.length < size) return spawn();
    let best: Slot | null = null;
    for (const s of slots) if (s.inFlight.length < DEPTH && (!best || s.inFlight.length < best.inFlight.length)) best = s;
    return best;
  }

  function pump() {
    while (queue.length && !closed) {
      const slot = pick();
      if (!slot) return;
      const p = queue.shift() as Pending;
      slot.inFlight.push(p);
      slot.worker.postMessage(p.job);
    }
    if (!closed && !queue.length && slots.every((s) => s.inFlight.length === 0)) armIdle();
  }

  function armIdle() {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      idleTimer = null;
      // Out of the pool first, so no job is handed to a thread that is ending.
      for (const s of [...slots]) {
        if (s.inFlight.length) continue;
        remove(s);
        void s.worker.terminate();
      }
    }, idleMs);
    idleTimer.unref();
  }

  function run(job: Omit<Job, "id">): Promise<string | boolean> {
    if (closed) return Promise.reject(new Error("argon2 pool closed"));
    return new Promise((resolve, reject) => {
      queue.push({ job: { ...job, id: nextId++ }, resolve, reject, tries: 1 });
      pump();
    });
  }

  return {
    hash: async (password) => (await run({ op: "hash", password: normalizePassword(password), options })) as string,
    verify: async (hash, password) => {
      try {
        return (await run({ op: "verify", hash, password: normalizePassword(password) })) === true;
      } catch {
        return false;
      }
    },
    async close() {
      closed = true;
      if (idleTimer) clearTimeout(idleTimer);
      for (const p of queue.splice(0)) p.reject(new Error("argon2 pool closed"));
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
