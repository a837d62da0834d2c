import { readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import { verify } from "@node-rs/argon2";
import { argon2Pool, type Argon2Pool } from "./argon2-pool.js";

const params = { memoryCost: 256, timeCost: 1, parallelism: 1 };
let pool: Argon2Pool | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

describe("Argon2id on low-priority worker threads", () => {
  it("hashes with the given parameters and verifies: right password true, wrong false", async () => {
    pool = argon2Pool({ params, size: 2 });
    const h = await pool.hash("correct horse battery");
    expect(h).toMatch(/^\$argon2id\$v=19\$m=256,t=1,p=1\$/);
    // The hash is a standard one: the library verifies it outside the pool too.
    expect(await verify(h, "correct horse battery")).toBe(true);
    expect(await pool.verify(h, "correct horse battery")).toBe(true);
    expect(await pool.verify(h, "correct horse batterY")).toBe(false);
  });

  it("normalises the password (NFKC) as the rest of Roster does", async () => {
    pool = argon2Pool({ params, size: 1 });
    const h = await pool.hash("ｐａｓｓｗｏｒｄ１２３");
    expect(await pool.verify(h, "password123")).toBe(true);
  });

  it("answers false, not an error, for a hash that is not one", async () => {
    pool = argon2Pool({ params, size: 1 });
    expect(await pool.verify("not a hash", "x")).toBe(false);
    expect(await pool.verify("", "x")).toBe(false);
  });

  it("queues more jobs than threads and answers each its own", async () => {
    pool = argon2Pool({ params, size: 2 });
    const passwords = Array.from({ length: 12 }, (_, i) => `password-${i}`);
    const hashes = await Promise.all(passwords.map((p) => pool!.hash(p)));
    expect(new Set(hashes).size).toBe(12);
    const checks = await Promise.all(hashes.map((h, i) => pool!.verify(h, passwords[(i + 1) % 12]!)));
    expect(checks.every((c) => c === false)).toBe(true);
    const rights = await Promise.all(hashes.map((h, i) => pool!.verify(h, passwords[i]!)));
    expect(rights.every((c) => c === true)).toBe(true);
  });

  it("a thread holding two jobs answers both, in order, each its own", async () => {
    pool = argon2Pool({ params, size: 1 });
    const [a, b] = await Promise.all([pool.hash("first"), pool.hash("second")]);
    const [aa, ab, ba, bb] = await Promise.all([pool.verify(a!, "first"), pool.verify(a!, "second"), pool.verify(b!, "first"), pool.verify(b!, "second")]);
    expect([aa, ab, ba, bb]).toEqual([true, false, false, true]);
  });

  it("close refuses the jobs a thread holds and those still queued: none is left hanging", async () => {
    pool = argon2Pool({ params: { memoryCost: 8192, timeCost: 3, parallelism: 1 }, size: 1 });
    const jobs = ["a", "b", "c", "d"].map((p) => pool!.hash(p).then(() => "done", (e: Error) => e.message));
    await pool.close();
    pool = undefined;
    const outcomes = await Promise.all(jobs);
    expect(outcomes.filter((o) => o !== "done").every((o) => /closed|exited|terminated/.test(o))).toBe(true);
    expect(outcomes.filter((o) => o !== "done").length, "queued jobs are refused").toBeGreaterThanOrEqual(2);
  });

  it("runs its threads at a lower priority than the event loop", async () => {
    pool = argon2Pool({ params, size: 1, nice: 7 });
    await pool.hash("warm up the thread");
    const base = os.getPriority(0);
    const niced = threadNices(process.pid).filter((n) => n === base + 7);
    expect(niced.length, "a thread at nice +7").toBeGreaterThanOrEqual(1);
    expect(os.getPriority(0), "the event loop keeps its priority").toBe(base);
  });

  it("never answers wrongly for a job that arrives as an idle thread is ending", async () => {
    pool = argon2Pool({ params, size: 2, idleMs: 1 });
    const h = await pool.hash("right");
    for (let i = 0; i < 40; i++) {
      await new Promise((r) => setTimeout(r, i % 4));
      expect(await pool.verify(h, "right"), `round ${i}`).toBe(true);
    }
  });

  it("starts threads again after they ended idle, and refuses work once closed", async () => {
    pool = argon2Pool({ params, size: 1, idleMs: 20, nice: 5 });
    const niced = () => threadNices(process.pid).filter((n) => n === os.getPriority(0) + 5).length;
    const h = await pool.hash("first");
    expect(niced()).toBe(1);
    for (let i = 0; i < 100 && niced() > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(niced(), "the idle thread ended").toBe(0);
    expect(await pool.verify(h, "first")).toBe(true);
    expect(niced()).toBe(1);
    await pool.close();
    await expect(pool.hash("late")).rejects.toThrow(/closed/);
    pool = undefined;
  });
});

/** The nice value of every thread of a process (Linux /proc); a thread that ends while it is read is left out. */
function threadNices(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((tid) => {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
    } catch {
      return [];
    }
    return [Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16])];
  });
}
