import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { validateSessionToken } from "../auth/sessions.js";
import { accounts, auditLog, mailOutbox, organizations } from "../db/schema.js";
import { startUpstream } from "../test/smtp-upstream.js";
import { closedPort, dataDir, depsFor, EMAIL, err, logIn, openDb, out, PASSWORD, roster, upstreams, withOwner } from "./test-kit.js";

describe("roster create-admin", () => {
  it("makes an active owner of a new organization who can log in at once with that password, by user ID or email", async () => {
    const dir = dataDir();
    expect(await roster("create-admin", "--email", EMAIL, "--password", PASSWORD, "--org", "Corp IT", "--user-id", "boss")).toBe(0);
    expect(out).toEqual([`created owner boss <${EMAIL}>`]);

    const d = depsFor(dir);
    const rows = d.db.select().from(accounts).all();
    expect(rows).toHaveLength(1);
    const a = rows[0]!;
    expect(a).toMatchObject({ userId: "boss", email: EMAIL, type: "owner", status: "active", mustChangePassword: false });
    expect(a.emailVerifiedAt).not.toBeNull();
    expect(a.passwordHash).toMatch(/^\$argon2id\$/);
    expect(d.db.select().from(organizations).where(eq(organizations.id, a.organizationId!)).get()?.name).toBe("Corp IT");

    const byUserId = await logIn(d, "boss", PASSWORD);
    expect(byUserId.user).toMatchObject({ userId: "boss", type: "owner" });
    expect(validateSessionToken(d, byUserId.token)?.account.id).toBe(a.id);
    expect((await logIn(d, EMAIL, PASSWORD)).user.userId).toBe("boss");
    await expect(logIn(d, "boss", "wrong-horse-42")).rejects.toMatchObject({ code: "invalid_credentials" });
  });

  it("without --org and --user-id: the organization is 'My organization' and the user ID comes from the email", async () => {
    const dir = dataDir();
    expect(await roster("create-admin", "--email", EMAIL, "--password", PASSWORD)).toBe(0);
    expect(out).toEqual([`created owner it.admin <${EMAIL}>`]);
    const d = depsFor(dir);
    const a = d.db.select().from(accounts).get()!;
    expect(a.userId).toBe("it.admin");
    expect(d.db.select().from(organizations).get()?.name).toBe("My organization");
    expect((await logIn(d, "it.admin", PASSWORD)).user.type).toBe("owner");
  });

  it("refuses when the server already has accounts (exit 1, says to use the web UI) and adds nothing", async () => {
    const dir = await withOwner();
    expect(await roster("create-admin", "--email", "second@corp.example", "--password", "another-pass-99")).toBe(1);
    expect(err.join("\n")).toContain("the server already has accounts");
    const d = depsFor(dir);
    expect(d.db.select().from(accounts).all().map((a) => a.userId)).toEqual(["boss"]);
    await expect(logIn(d, "second@corp.example", "another-pass-99")).rejects.toMatchObject({ code: "invalid_credentials" });
  });

  // The refusals below are thrown: index.ts prints "roster create-admin: <message> (<field>: <reason>)" and exits 1.
  it.each([
    ["too short", ["--email", EMAIL, "--password", "short"], "weak_password", { password: "password.tooShort" }],
    ["common", ["--email", EMAIL, "--password", "password123"], "weak_password", { password: "password.common" }],
    ["equal to the email", ["--email", EMAIL, "--password", EMAIL], "weak_password", { password: "password.equalsEmail" }],
    ["equal to --user-id", ["--email", EMAIL, "--password", "bossman-1", "--user-id", "bossman-1"], "weak_password", { password: "password.equalsUserId" }],
    // The user ID derived from the email is known only inside the transaction: it must roll back whole.
    ["equal to the derived user ID", ["--email", "longpassword7@corp.example", "--password", "longpassword7"], "weak_password", { password: "password.equalsUserId" }],
    ["a bad email", ["--email", "not-an-email", "--password", PASSWORD], "validation_failed", undefined],
  ])("refuses a password or email that is %s and writes nothing", async (_what, args, code, fields) => {
    const dir = dataDir();
    await expect(roster("create-admin", ...args)).rejects.toMatchObject(fields ? { code, fields } : { code });
    const db = openDb(dir);
    expect(db.select().from(accounts).all()).toEqual([]);
    expect(db.select().from(organizations).all()).toEqual([]);
    expect(db.select().from(auditLog).all()).toEqual([]);
  });

  it("records the creation in the audit log", async () => {
    const dir = await withOwner();
    const actions = openDb(dir).select().from(auditLog).orderBy(auditLog.seq).all().map((r) => [r.action, r.targetLabel]);
    expect(actions).toEqual([["organization.created", ""], ["account.created_first_owner", "boss"]]);
  });

  // Every lookup lowercases what it is given: an owner stored as "Admin" could never log in by user ID.
  it("--user-id Admin gives an owner who can log in as Admin (folded to lower case, as registration does)", async () => {
    const dir = dataDir();
    expect(await roster("create-admin", "--email", EMAIL, "--password", PASSWORD, "--user-id", "Admin")).toBe(0);
    const d = depsFor(dir);
    expect((await logIn(d, "Admin", PASSWORD)).user.type).toBe("owner");
    expect(d.db.select().from(accounts).get()?.userId).toBe("admin");
  });

  // SPEC §2: a userId is 3–32 of a-z 0-9 . _ - starting with a letter or digit, as registration enforces.
  it.each([["x"], ["bad id!"], ["-dash"], ["a".repeat(40)]])("refuses --user-id %j, which breaks the SPEC's userId rules, and writes nothing", async (userId) => {
    const dir = dataDir();
    await expect(roster("create-admin", "--email", EMAIL, "--password", PASSWORD, `--user-id=${userId}`)).rejects.toMatchObject({ code: "validation_failed" });
    expect(openDb(dir).select().from(accounts).all()).toEqual([]);
  });
});

describe("roster reset-password", () => {
  it("sets the new password, ends every session, makes them change it at the next log in, and audits it", async () => {
    const dir = await withOwner();
    const d = depsFor(dir);
    const phone = await logIn(d, "boss", PASSWORD);
    const laptop = await logIn(d, EMAIL, PASSWORD);
    const auditBefore = d.db.select().from(auditLog).all().length;

    expect(await roster("reset-password", "--login", "boss", "--password", "brand-new-pass-7")).toBe(0);
    expect(out).toEqual(["password set for boss; they must change it at the next log in"]);

    expect(validateSessionToken(d, phone.token)).toBeNull();
    expect(validateSessionToken(d, laptop.token)).toBeNull();
    await expect(logIn(d, "boss", PASSWORD)).rejects.toMatchObject({ code: "invalid_credentials" });
    const again = await logIn(d, "boss", "brand-new-pass-7");
    expect(again.user).toMatchObject({ userId: "boss", mustChangePassword: true });
    expect(d.db.select().from(accounts).get()?.mustChangePassword).toBe(true);

    const entries = d.db.select().from(auditLog).orderBy(auditLog.seq).all().slice(auditBefore);
    const reset = entries.find((e) => e.action === "account.password_reset_cli");
    expect(reset).toMatchObject({ targetLabel: "boss", ip: "cli" });
    expect(entries[0]).toBe(reset); // written with the reset, before the log in that followed
  });

  it("lifts the lock that wrong passwords put on the account: its person logs in at once with the new one", async () => {
    const dir = await withOwner();
    const d = depsFor(dir);
    for (let i = 0; i < 8; i++) await logIn(d, "boss", "wrong guess").catch(() => undefined);
    await expect(logIn(d, "boss", PASSWORD)).rejects.toMatchObject({ code: "rate_limited" });
    expect(await roster("reset-password", "--login", "boss", "--password", "brand-new-pass-7")).toBe(0);
    expect((await logIn(d, "boss", "brand-new-pass-7")).user.userId).toBe("boss");
  });

  it("finds the account by email too, in any case", async () => {
    const dir = await withOwner();
    expect(await roster("reset-password", "--login", "IT.Admin@Corp.Example", "--password", "brand-new-pass-7")).toBe(0);
    expect((await logIn(depsFor(dir), "boss", "brand-new-pass-7")).user.userId).toBe("boss");
  });

  it.each([
    ["too short", "short"],
    ["common", "password123"],
    ["equal to the user ID", "Boss.Account"],
  ])("refuses a new password that is %s (exit 1, says why in words) and changes nothing", async (_what, password) => {
    const dir = await withOwner("boss.account");
    const d = depsFor(dir);
    const session = await logIn(d, "boss.account", PASSWORD);
    const auditBefore = d.db.select().from(auditLog).all().length;
    const hashBefore = d.db.select().from(accounts).get()?.passwordHash;

    expect(await roster("reset-password", "--login", "boss.account", "--password", password)).toBe(1);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^the password is refused: \S/);
    expect(err[0]).not.toMatch(/password\.[a-zA-Z]+$/); // a sentence, not an i18n key

    expect(d.db.select().from(accounts).get()?.passwordHash).toBe(hashBefore);
    expect(validateSessionToken(d, session.token)).not.toBeNull();
    expect(d.db.select().from(auditLog).all()).toHaveLength(auditBefore);
    expect((await logIn(d, "boss.account", PASSWORD)).user.mustChangePassword).toBe(false);
  });

  it("answers an unknown account with exit 1 and 'no such account', writing nothing", async () => {
    const dir = await withOwner();
    const d = depsFor(dir);
    const auditBefore = d.db.select().from(auditLog).all().length;
    expect(await roster("reset-password", "--login", "nobody", "--password", "brand-new-pass-7")).toBe(1);
    expect(err).toEqual(["no such account"]);
    expect(await roster("reset-password", "--login", "nobody@corp.example", "--password", "brand-new-pass-7")).toBe(1);
    expect(d.db.select().from(auditLog).all()).toHaveLength(auditBefore);
    expect((await logIn(d, "boss", PASSWORD)).user.userId).toBe("boss");
  });
});


describe("roster send-test-mail", () => {
  it("delivers through ROSTER_SMTP_URL and exits 0 when the mail server accepts it", async () => {
    const upstream = await startUpstream();
    upstreams.push(upstream);
    const dir = dataDir({ ROSTER_SMTP_URL: upstream.url, ROSTER_MAIL_FROM: "Roster <roster@corp.example>" });
    expect(await roster("send-test-mail", "--to", "ops@corp.example")).toBe(0);
    const [mail] = await upstream.waitFor(1, 2000);
    expect(mail).toMatchObject({ from: "roster@corp.example", to: ["ops@corp.example"] });
    expect(upstream.received).toHaveLength(1);
    // With the mail server's own answer, which names the message in its logs.
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^sent: 250 .+\(transport smtp\)$/);
    expect(openDb(dir).select().from(mailOutbox).all().map((m) => [m.toAddress, m.status])).toEqual([["ops@corp.example", "sent"]]);
  });

  it("exits 1 and says why when the mail server cannot be reached", async () => {
    const port = await closedPort();
    const dir = dataDir({ ROSTER_SMTP_URL: `smtp://127.0.0.1:${port}` });
    expect(await roster("send-test-mail", "--to", "ops@corp.example")).toBe(1);
    // On stderr: stdout is for the success line only.
    expect(out).toEqual([]);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^deferred: .*ECONNREFUSED.*\(transport smtp\)$/);
    // A test is not retried for a day once it has answered.
    expect(openDb(dir).select().from(mailOutbox).all().map((m) => m.status)).toEqual(["failed"]);
  });

  it("exits 1 with the server's reply when the mail server refuses the address", async () => {
    const upstream = await startUpstream({ reply: 550 });
    upstreams.push(upstream);
    dataDir({ ROSTER_SMTP_URL: upstream.url });
    expect(await roster("send-test-mail", "--to", "nobody@corp.example")).toBe(1);
    expect(err[0]).toMatch(/^failed: .*No such user.*\(transport smtp\)$/);
  });

  it("without a mail server configured (capture) fails and says how to configure one: nothing left the server", async () => {
    dataDir();
    expect(await roster("send-test-mail", "--to", "ops@corp.example")).toBe(1);
    expect(out).toEqual([]);
    expect(err).toEqual(["not sent: no mail server is configured, mail is captured (set ROSTER_SMTP_URL, or ROSTER_MAIL_TRANSPORT=direct). Admins read captured mail under /admin/mail."]);
  });
});
