import { describe, expect, it } from "vitest";
import { auditLog } from "../db/schema.js";
import { accountOf, adminWorld, idOf } from "../http/pages/admin-users-world.js";
import { login } from "../test/harness.js";
import { bulkStatus } from "./user-bulk.js";

/** The bulk disable, enable and new setup link of the users list: each account on its own, through the single-account services. */
const meta = { ip: "203.0.113.9", userAgent: "vitest" };

async function world() {
  const w = await adminWorld();
  const actor = (userId: string) => {
    const a = accountOf(w.t, userId);
    if (!a) throw new Error(`no account ${userId}`);
    return a;
  };
  const run = (by: string, action: unknown, ids: unknown) => bulkStatus(w.t.deps, actor(by), action, ids, meta);
  const me = (token: string) => w.t.request("/api/v1/me", { token });
  return { ...w, actor, run, me };
}

describe("bulkStatus", () => {
  it("disables each account, and their sessions end at once (with one audit entry each)", async () => {
    const { t, run, me, create } = await world();
    await create({ userId: "max", email: "max@acme.test", password: "correct horse battery" });
    const mia = await login(t, "mia@acme.test");
    const max = await login(t, "max");
    expect((await me(mia.token)).status).toBe(200);

    const results = run("ada", "disable", [idOf(t, "mia"), idOf(t, "max")]);
    expect(results).toEqual([
      { id: idOf(t, "mia"), userId: "mia", ok: true },
      { id: idOf(t, "max"), userId: "max", ok: true },
    ]);
    expect(accountOf(t, "mia")?.status).toBe("disabled");
    expect(accountOf(t, "max")?.status).toBe("disabled");
    expect((await me(mia.token)).status).toBe(401);
    expect((await me(max.token)).status).toBe(401);
    expect(t.db.select().from(auditLog).all().filter((e) => e.action === "admin.user_disabled")).toHaveLength(2);
  });

  it("a refusal does not stop the others: an owner, one's own account and another organization's are refused, with reasons", async () => {
    const { t, run, ginaId } = await world();
    const results = run("ada", "disable", [idOf(t, "owner"), idOf(t, "ada"), ginaId, idOf(t, "mia")]);
    expect(results).toEqual([
      { id: idOf(t, "owner"), userId: "owner", ok: false, code: "forbidden", message: "admin.users.bulk.why.owner" },
      { id: idOf(t, "ada"), userId: "ada", ok: false, code: "forbidden", message: "admin.users.bulk.why.self" },
      // Outside the admin's organization: not found, and its user ID not told.
      { id: ginaId, userId: ginaId, ok: false, code: "not_found" },
      { id: idOf(t, "mia"), userId: "mia", ok: true },
    ]);
    expect(accountOf(t, "owner")?.status).toBe("active");
    expect(accountOf(t, "ada")?.status).toBe("active");
    expect(accountOf(t, "gina")?.status).toBe("active");
    expect(accountOf(t, "mia")?.status).toBe("disabled");
  });

  it("keeps the last active admin of an organization", async () => {
    const { t, run } = await world();
    const [gabe] = run("owner", "disable", [idOf(t, "gabe")]);
    expect(gabe).toMatchObject({ userId: "gabe", ok: false, code: "last_admin" });
    expect(accountOf(t, "gabe")?.status).toBe("active");
  });

  it("enables disabled accounts back to where they were; one not disabled is left as it is", async () => {
    const { t, run, create } = await world();
    await create({ userId: "ivy", email: "ivy@acme.test" });
    run("ada", "disable", [idOf(t, "mia"), idOf(t, "ivy")]);
    const results = run("ada", "enable", [idOf(t, "mia"), idOf(t, "ivy"), idOf(t, "owner")]);
    expect(results).toEqual([
      { id: idOf(t, "mia"), userId: "mia", ok: true },
      { id: idOf(t, "ivy"), userId: "ivy", ok: true },
      { id: idOf(t, "owner"), userId: "owner", ok: false, code: "forbidden", message: "admin.users.bulk.why.owner" },
    ]);
    expect(accountOf(t, "mia")?.status).toBe("active");
    expect(accountOf(t, "ivy")?.status).toBe("invited");
    expect(run("ada", "enable", [idOf(t, "mia")])).toEqual([{ id: idOf(t, "mia"), userId: "mia", ok: true, message: "admin.users.bulk.already.enable" }]);
    expect(run("ada", "disable", [idOf(t, "mia")])).toEqual([{ id: idOf(t, "mia"), userId: "mia", ok: true }]);
    expect(run("ada", "disable", [idOf(t, "mia")])).toEqual([{ id: idOf(t, "mia"), userId: "mia", ok: true, message: "admin.users.bulk.already.disable" }]);
  });

  it("mails new setup links to invited accounts with an address; gives none in bulk for one without; refuses accounts not invited", async () => {
    const { t, run, create } = await world();
    await create({ userId: "ivy", email: "ivy@acme.test" });
    await create({ userId: "ian", email: "ian@acme.test" });
    await create({ userId: "ned" });
    const firstIvy = t.mailbox.tokenIn(t.mailbox.lastMessage("ivy@acme.test"));
    const mails = t.mailbox.sent().length;

    const results = run("ada", "setup-link", ["ivy", "ian", "ned", "mia"].map((u) => idOf(t, u)));
    expect(results).toEqual([
      { id: idOf(t, "ivy"), userId: "ivy", ok: true },
      { id: idOf(t, "ian"), userId: "ian", ok: true },
      { id: idOf(t, "ned"), userId: "ned", ok: false, code: "validation_failed", message: "admin.users.bulk.why.noEmail" },
      { id: idOf(t, "mia"), userId: "mia", ok: false, code: "validation_failed", message: "admin.users.bulk.why.notInvited" },
    ]);
    expect(t.mailbox.sent().length).toBe(mails + 2);
    expect(t.mailbox.tokenIn(t.mailbox.lastMessage("ivy@acme.test"))).not.toBe(firstIvy);
    expect(t.mailbox.sent().filter((m) => m.toAddress === "ian@acme.test")).toHaveLength(2);
    // No link was made for ned (it would have voided the one handed over at creation), and none was recorded.
    const setupLinks = t.db.select().from(auditLog).all().filter((e) => e.action === "admin.user_setup_link");
    expect(setupLinks.map((e) => e.targetId).sort()).toEqual([idOf(t, "ian"), idOf(t, "ivy")].sort());
  });

  it("counts an id given twice once, and refuses an unknown action, an empty list or more than 1,000 ids", async () => {
    const { t, run } = await world();
    expect(run("ada", "disable", [idOf(t, "mia"), idOf(t, "mia")])).toHaveLength(1);
    for (const [action, ids] of [
      ["delete", [idOf(t, "mia")]],
      ["disable", []],
      ["disable", Array.from({ length: 1001 }, (_, i) => `x${i}`)],
      ["disable", "not-a-list"],
    ] as const) {
      expect(() => run("ada", action, ids)).toThrow(expect.objectContaining({ code: "validation_failed" }));
    }
  });

  it("refuses a member outright, changing nothing", async () => {
    const { t, run } = await world();
    expect(() => run("mia", "disable", [idOf(t, "ada")])).toThrow(expect.objectContaining({ code: "forbidden" }));
    expect(accountOf(t, "ada")?.status).toBe("active");
  });
});
