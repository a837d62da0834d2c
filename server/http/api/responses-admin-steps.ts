import { expect, it } from "vitest";
import { backupDatabase } from "../../backup.js";
import { PASSWORD } from "../../test/harness.js";
import { call, dataDir, doc, expectCode, lastToken, loginAs, t, u, w, type Body } from "./responses-check.js";

/** responses.test.ts's steps as the admins go: API keys, accounts, applications, settings and organizations, export and import, the audit log and the mail queue. */
export function adminSteps(): void {
  it("API keys and token introspection", async () => {
    const created = await call("post /api/v1/admin/api-keys", { token: w.owner, json: { name: "chat" } });
    expect(created.body.key).toMatch(/^rk_/);
    w.apiKey = created.body.key;
    const active = await call("post /api/v1/introspect", { token: w.apiKey, body: new URLSearchParams({ token: w.mia }).toString(), headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(active.body).toMatchObject({ active: true, username: "mia", organization: { name: "Acme" } });
    expect((await call("post /api/v1/introspect", { token: w.apiKey, json: { token: "no-such-token" } })).body).toEqual({ active: false });
    expect((await call("get /api/v1/directory", { token: w.apiKey })).status).toBe(200);
    const keys = await call("get /api/v1/admin/api-keys", { token: w.owner });
    expect(keys.body.items[0]).toMatchObject({ name: "chat", createdBy: "owner", lastUsedAt: expect.any(String) });
    const spare = await call("post /api/v1/admin/api-keys", { token: w.owner, json: { name: "spare" } });
    expect((await call("delete /api/v1/admin/api-keys/{id}", { token: w.owner, params: { id: spare.body.id } })).status).toBe(204);
    await expectCode(call("post /api/v1/introspect", { token: w.mia, json: { token: w.mia } }), 401, "unauthenticated");
    await expectCode(call("delete /api/v1/admin/api-keys/{id}", { token: w.owner, params: { id: "no-such-key" } }), 404, "not_found");
  });

  it("accounts an admin creates, reads, edits and changes", async () => {
    const mailed = await call("post /api/v1/admin/users", { token: w.owner, json: { userId: "sam", email: "sam@acme.test" } });
    expect(mailed.body).toMatchObject({ outcome: "setup_mail", user: { status: "invited" } });
    expect(mailed.body).not.toHaveProperty("setupUrl");
    w.samId = mailed.body.user.id;
    const link = await call("post /api/v1/admin/users", { token: w.owner, json: { userId: "kiosk", nickname: "Front desk" } });
    expect(link.body).toMatchObject({ outcome: "setup_link", setupUrl: expect.stringContaining("/setup?token=") });
    w.kioskId = link.body.user.id;
    const tom = await call("post /api/v1/admin/users", { token: w.owner, json: { userId: "tom", email: "tom@acme.test", password: PASSWORD, level: 2, role: 1 } });
    expect(tom.body).toMatchObject({ outcome: "password", user: { mustChangePassword: true, level: 2 } });
    w.tomId = tom.body.user.id;

    expect((await call("post /api/v1/admin/users/{id}/setup-link", { token: w.owner, params: { id: w.kioskId } })).body).toMatchObject({ outcome: "setup_link", setupUrl: expect.any(String) });
    expect((await call("post /api/v1/admin/users/{id}/setup-link", { token: w.owner, params: { id: w.samId } })).body).toEqual(expect.objectContaining({ outcome: "setup_mail" }));
    expect((await call("post /api/v1/auth/setup", { json: { token: lastToken("sam@acme.test"), password: PASSWORD } })).body.user).toMatchObject({ userId: "sam", status: "active" });

    expect((await call("get /api/v1/admin/users/{id}", { token: w.owner, params: { id: w.miaUserId } })).body.birthDate).toBe("1990-02-03");
    expect((await call("patch /api/v1/admin/users/{id}", { token: w.owner, params: { id: w.tomId }, json: { friendingForbidden: true, groupName: "Support" } })).body.friendingForbidden).toBe(true);
    for (const [action, expected] of [
      ["disable", { status: "disabled" }],
      ["enable", { status: "active" }],
      ["promote", { type: "admin" }],
      ["demote", { type: "general" }],
      ["verify-email", { emailVerifiedAt: expect.any(String) }],
    ] as const) {
      expect((await call(`post /api/v1/admin/users/{id}/${action}`, { token: w.owner, params: { id: w.tomId } })).body).toMatchObject(expected);
    }
    expect((await call("post /api/v1/admin/users/{id}/password", { token: w.owner, params: { id: w.tomId }, json: { password: "another long passphrase" } })).body.mustChangePassword).toBe(true);
    expect((await call("delete /api/v1/admin/users/{id}/sessions", { token: w.owner, params: { id: w.miaUserId } })).status).toBe(204);
    w.mia = await loginAs("mia");

    // Searches: a typed query is answered from the search index, the rest from the table; both present accounts.
    expect((await call("get /api/v1/admin/users", { token: w.owner, query: "q=kiosk" })).body.items[0]).toMatchObject({ userId: "kiosk", email: null });
    expect((await call("get /api/v1/admin/users", { token: w.owner, query: "sort=createdAt&order=desc&limit=3" })).body.nextCursor).toEqual(expect.any(String));

    await expectCode(call("get /api/v1/admin/users/{id}", { token: w.owner, params: { id: "no-such-account" } }), 404, "not_found");
    await expectCode(call("get /api/v1/admin/users", { token: w.mia }), 403, "forbidden");
    await expectCode(call("post /api/v1/admin/users", { token: w.owner, json: { userId: "tom" } }), 409, "user_id_taken");
    await expectCode(call("post /api/v1/admin/users/{id}/approve", { token: w.owner, params: { id: w.tomId } }), 400, "validation_failed");
  });

  it("applications approved and declined, settings and organizations", async () => {
    expect((await call("get /api/v1/admin/settings", { token: w.owner })).body).toMatchObject({ registration: "open", deletionLocked: true });
    expect((await call("patch /api/v1/admin/settings", { token: w.owner, json: { registration: "approval" } })).body.registration).toBe("approval");
    for (const name of ["ann", "dan"]) {
      await call("post /api/v1/auth/register", { json: { email: `${name}@acme.test`, password: PASSWORD, userId: name } });
      const v = await call("post /api/v1/auth/verify-email", { json: { email: `${name}@acme.test`, code: t.mailbox.codeIn(t.mailbox.lastMessage(`${name}@acme.test`)) } });
      expect(v.body.user.status).toBe("awaiting_approval");
    }
    const ann = (await call("get /api/v1/admin/users", { token: w.owner, query: "status=awaiting_approval" })).body.items as Body[];
    const id = (userId: string) => ann.find((a) => a.userId === userId).id as string;
    expect((await call("post /api/v1/admin/users/{id}/approve", { token: w.owner, params: { id: id("ann") } })).body.status).toBe("active");
    expect((await call("post /api/v1/admin/users/{id}/decline", { token: w.owner, params: { id: id("dan") }, json: { reason: "Not staff" } })).status).toBe(204);
    await call("patch /api/v1/admin/settings", { token: w.owner, json: { registration: "open" } });

    const globex = await call("post /api/v1/admin/organizations", { token: w.owner, json: { name: "Globex", domains: ["globex.test"] } });
    expect(globex.body).toMatchObject({ claimedDomains: ["globex.test"], members: 0, admins: 0 });
    w.orgId = globex.body.id;
    expect((await call("patch /api/v1/admin/organizations/{id}", { token: w.owner, params: { id: w.orgId }, json: { pendingLimit: 20 } })).body.pendingLimit).toBe(20);
    expect((await call("get /api/v1/admin/organizations", { token: w.owner })).body.total).toBe(2);
    await expectCode(call("patch /api/v1/admin/settings", { token: w.owner, json: { deletionLocked: false } }), 400, "validation_failed");
    await expectCode(call("post /api/v1/admin/organizations", { token: w.mia, json: { name: "Mine" } }), 403, "forbidden");
  });

  it("export, import and deletion", async () => {
    const json = await call("get /api/v1/admin/users/export", { token: w.owner, query: "format=json" });
    expect(json.body.length).toBeGreaterThan(5);
    // The CSV's columns are the JSON export's fields, in order.
    const csv = await call("get /api/v1/admin/users/export", { token: w.owner, query: "format=csv" });
    const exportRow = doc.components.schemas.ExportRow as { properties: Record<string, unknown> };
    expect(csv.text.replace(/^\uFEFF/, "").split("\n")[0]?.split(",")).toEqual(Object.keys(exportRow.properties));

    const rows = [{ userId: "imp1", email: "imp1@acme.test" }, { userId: "imp2" }, { userId: "bad id!" }];
    const dry = await call("post /api/v1/admin/users/import", { token: w.owner, query: "dryRun=true", json: rows });
    expect(dry.body).toMatchObject({ dryRun: true, valid: 2, failed: 1 });
    const done = await call("post /api/v1/admin/users/import", { token: w.owner, body: "userId,email\nimp1,imp1@acme.test\nimp2,\n", headers: { "content-type": "text/csv" } });
    expect(done.body.results).toMatchObject([{ status: "created", outcome: "setup_mail" }, { status: "created", outcome: "setup_link", setupUrl: expect.any(String) }]);

    await expectCode(call("post /api/v1/admin/users/batch-delete", { token: w.owner, json: { ids: [w.kioskId] } }), 403, "deletion_locked");
    await expectCode(call("delete /api/v1/admin/users/{id}", { token: w.owner, params: { id: w.kioskId } }), 403, "deletion_locked");
    await call("patch /api/v1/admin/settings", { token: w.owner, json: { deletionLocked: false, confirmDeletionUnlock: true } });
    const imported = (await call("get /api/v1/admin/users", { token: w.owner, query: "q=imp" })).body.items.map((a: Body) => a.id as string);
    const batch = await call("post /api/v1/admin/users/batch-delete", { token: w.owner, json: { ids: [...imported, "no-such-account"] } });
    expect(batch.body.results.map((x: Body) => x.code ?? x.status)).toEqual(["deleted", "deleted", "not_found"]);
    expect((await call("delete /api/v1/admin/users/{id}", { token: w.owner, params: { id: w.kioskId } })).status).toBe(204);
    await expectCode(call("post /api/v1/admin/users/batch-delete", { token: w.owner, json: { ids: [] } }), 400, "validation_failed");
  });

  it("the audit log, its chain, and the data volume", async () => {
    const audit = await call("get /api/v1/admin/audit", { token: w.owner, query: "limit=200" });
    expect(audit.body.total).toBeGreaterThan(20);
    expect((await call("get /api/v1/admin/audit", { token: w.owner, query: "action=admin.&limit=2" })).body.nextCursor).toEqual(expect.any(String));
    expect((await call("get /api/v1/admin/audit/verify", { token: w.owner })).body).toMatchObject({ ok: true });
    const exported = await call("get /api/v1/admin/audit/export", { token: w.owner, query: "format=json" });
    expect(exported.body.length).toBeGreaterThan(20);
    // The CSV's columns are the JSON export's fields, in order.
    const csv = await call("get /api/v1/admin/audit/export", { token: w.owner, query: "format=csv&action=login." });
    const row = doc.components.schemas.AuditExportRow as { properties: Record<string, unknown> };
    expect(csv.text.replace(/^\uFEFF/, "").split("\n")[0]?.split(",")).toEqual(Object.keys(row.properties));
    await expectCode(call("get /api/v1/admin/audit/export", { token: w.owner, query: "to=soon" }), 400, "validation_failed");
    await backupDatabase({ dataDir, keep: 7, source: t.db.$client, now: t.clock.now() });
    expect((await call("get /api/v1/admin/storage", { token: w.owner })).body.backups).toMatchObject({ count: 1, lastAt: expect.any(String) });
    await expectCode(call("get /api/v1/admin/audit", { token: w.owner, query: "from=yesterday" }), 400, "validation_failed");
    await expectCode(call("get /api/v1/admin/storage", { token: w.mia }), 403, "forbidden");
  });

  it("the mail queue: list, health, a message in full, a test mail and a retry", async () => {
    await t.worker!.drain();
    const list = await call("get /api/v1/admin/mail", { token: w.owner, query: "limit=200" });
    expect(list.body.transport).toBe("capture");
    const sent = list.body.items.find((m: Body) => m.status === "sent");
    expect((await call("get /api/v1/admin/mail/{id}", { token: w.owner, params: { id: sent.id } })).body.text).toEqual(expect.any(String));
    expect((await call("get /api/v1/admin/mail/health", { token: w.owner })).body.counts.sent).toBeGreaterThan(0);
    expect((await call("post /api/v1/admin/mail/test", { token: w.owner, json: { to: "it@acme.test" } })).body).toMatchObject({ status: "sent", transport: "smtp" });
    u.setReply(550);
    const refused = await call("post /api/v1/admin/mail/test", { token: w.owner, json: { to: "no@acme.test" } });
    expect(refused.body).toMatchObject({ status: "failed", lastError: expect.any(String) });
    u.setReply("accept");
    expect((await call("post /api/v1/admin/mail/{id}/retry", { token: w.owner, params: { id: refused.body.id } })).body.status).toBe("queued");
    await expectCode(call("post /api/v1/admin/mail/{id}/retry", { token: w.owner, params: { id: sent.id } }), 400, "validation_failed");
    await expectCode(call("get /api/v1/admin/mail/{id}", { token: w.owner, params: { id: "no-such-mail" } }), 404, "not_found");
  });
}
