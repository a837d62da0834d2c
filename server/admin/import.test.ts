import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { accounts, mailOutbox } from "../db/schema.js";
import { createTestApp, setupOwner } from "../test/harness.js";
import { importUsers } from "./import.js";

describe("importUsers", () => {
  it("regression: wakes the mail worker as each chunk's setup mails are queued, not after the whole file (SPEC §5: tried at once)", async () => {
    const t = createTestApp();
    const owner = await setupOwner(t);
    const actor = t.db.select().from(accounts).where(eq(accounts.id, owner.user.id)).get()!;
    let kicks = 0;
    const queuedAtKick: number[] = [];
    const deps = { ...t.deps, mailQueued: () => void (kicks++, queuedAtKick.push(t.db.select().from(mailOutbox).all().length)) };
    const rows = Array.from({ length: 450 }, (_, n) => ({ userId: `person${n}`, email: `person${n}@acme.test` }));
    const progress: { done: number; kicks: number }[] = [];
    const report = await importUsers(deps, actor, rows, { dryRun: false, meta: { ip: "127.0.0.1", userAgent: "test" }, onProgress: (done) => progress.push({ done, kicks }) });
    expect(report.created).toBe(450);
    // After the first chunk of 200, its mails are already on their way.
    expect(progress[0]).toEqual({ done: 200, kicks: 1 });
    expect(queuedAtKick[0]).toBeGreaterThanOrEqual(200);
    expect(kicks).toBe(3);
  });
});
