import { describe, expect, it } from "vitest";
import { PASSWORD } from "../test/harness.js";
import { world } from "./admin-api-world.js";

describe("API keys and introspection", () => {
  it("a key whose creator is demoted stops working, and the list says so; it works again when they are an admin again", async () => {
    const { t, admin, owner, member } = await world();
    const created = (await (await t.request("/api/v1/admin/api-keys", { token: admin.token, json: { name: "chat" } })).json()) as { key: string; id: string; active: boolean };
    expect(created.active).toBe(true);
    const introspect = () => t.request("/api/v1/introspect", { token: created.key, json: { token: member.token } });
    const listed = async () => ((await (await t.request("/api/v1/admin/api-keys", { token: owner.token })).json()) as { items: { id: string; active: boolean }[] }).items.find((k) => k.id === created.id);
    expect((await introspect()).status).toBe(200);
    expect(await listed()).toMatchObject({ active: true });
    const adaId = ((await (await t.request("/api/v1/me", { token: admin.token })).json()) as { id: string }).id;
    expect((await t.request(`/api/v1/admin/users/${adaId}/demote`, { method: "POST", token: owner.token })).status).toBe(200);
    expect((await introspect()).status).toBe(401);
    expect(await listed()).toMatchObject({ active: false });
    const page = await (await t.request("/admin/api-keys", { cookie: `roster_session=${owner.token}` })).text();
    expect(page).toContain("Not working");
    expect(page).toContain("Its creator is no longer an active administrator");
    expect((await t.request(`/api/v1/admin/users/${adaId}/promote`, { method: "POST", token: owner.token })).status).toBe(200);
    expect(await listed()).toMatchObject({ active: true });
    expect((await introspect()).status).toBe(200);
  });

  it("an API key acts as its creator, and the audit log says which key it was", async () => {
    const { t, admin } = await world();
    const created = (await (await t.request("/api/v1/admin/api-keys", { token: admin.token, json: { name: "chat server" } })).json()) as { key: string; id: string };
    const viaKey = await t.request("/api/v1/admin/users", { token: created.key, json: { userId: "bot-made", email: "bot-made@acme.test" } });
    expect(viaKey.status).toBe(201);
    expect((await t.request("/api/v1/admin/users", { token: admin.token, json: { userId: "by-hand", email: "by-hand@acme.test" } })).status).toBe(201);
    const entries = ((await (await t.request("/api/v1/admin/audit?action=admin.user_created", { token: admin.token })).json()) as { items: { actor: { label: string }; target: { label: string }; detail: Record<string, unknown> }[] }).items;
    const made = (label: string) => entries.find((e) => e.target.label === label);
    expect(made("bot-made")).toMatchObject({ actor: { label: "ada" }, detail: { apiKey: { id: created.id, name: "chat server" } } });
    expect(made("by-hand")?.actor.label).toBe("ada");
    expect(made("by-hand")?.detail).not.toHaveProperty("apiKey");
    // A log in sent with the key's header is the person's own: the key is not named beside them.
    expect((await t.request("/api/v1/auth/login", { json: { login: "mia", password: PASSWORD }, headers: { authorization: `Bearer ${created.key}` } })).status).toBe(200);
    const logins = ((await (await t.request("/api/v1/admin/audit?action=login.succeeded", { token: admin.token })).json()) as { items: { actor: { label: string }; detail: Record<string, unknown> }[] }).items;
    expect(logins.find((e) => e.actor.label === "mia")?.detail).not.toHaveProperty("apiKey");
    // The audit page names the key beside the admin, in both languages.
    const cookie = `roster_session=${admin.token}`;
    expect(await (await t.request("/admin/audit?action=admin.user_created", { cookie })).text()).toContain("with the API key “chat server”");
    expect(await (await t.request("/admin/audit?action=admin.user_created", { cookie: `${cookie}; roster_lang=ja` })).text()).toContain("（APIキー「chat server」を使用）");
    // The chain still holds with the key in the detail.
    expect((await (await t.request("/api/v1/admin/audit/verify", { token: admin.token })).json()) as { ok: boolean }).toMatchObject({ ok: true });
  });

  it("introspects a user's token with an API key; disabled accounts' tokens are inactive", async () => {
    const { t, admin, member, owner } = await world();
    const created = (await (await t.request("/api/v1/admin/api-keys", { token: admin.token, json: { name: "chat" } })).json()) as { key: string; id: string };
    expect(created.key).toMatch(/^rk_/);
    const form = (token: string) => t.request("/api/v1/introspect", { token: created.key, body: new URLSearchParams({ token }).toString(), headers: { "content-type": "application/x-www-form-urlencoded" } });
    const active = (await (await form(member.token)).json()) as Record<string, unknown>;
    expect(active).toMatchObject({ active: true, sub: member.user.id, username: "mia", type: "general", organization: { name: "Acme" } });
    expect(typeof active.exp).toBe("number");
    expect(await (await form("garbage")).json()).toEqual({ active: false });
    // RFC 7662's optional hint beside the token, in either order, and the token percent-encoded.
    const hinted = await t.request("/api/v1/introspect", { token: created.key, body: `token_type_hint=access_token&token=${encodeURIComponent(member.token).replace(/\./g, "%2E")}`, headers: { "content-type": "application/x-www-form-urlencoded; charset=UTF-8" } });
    expect(await hinted.json()).toMatchObject({ active: true, sub: member.user.id });
    // A repeated token: the last counts, as the pages read a repeated field.
    const twice = await t.request("/api/v1/introspect", { token: created.key, body: `token=garbage&token=${encodeURIComponent(member.token)}`, headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(await twice.json()).toMatchObject({ active: true, sub: member.user.id });
    // A valid credential of the wrong kind is asked for the right one; only a refused one is an invalid_token (RFC 6750).
    // Neither form nor JSON: the 415 says both are taken, not "must be JSON".
    const multipart = await t.request("/api/v1/introspect", { token: created.key, body: `--b\r\nContent-Disposition: form-data; name="token"\r\n\r\n${member.token}\r\n--b--\r\n`, headers: { "content-type": "multipart/form-data; boundary=b" } });
    expect(multipart.status).toBe(415);
    expect(((await multipart.json()) as { detail: string }).detail).toBe("The body was sent as multipart/form-data; send it as application/x-www-form-urlencoded (RFC 7662) or application/json.");
    const wrongKind = await t.request("/api/v1/introspect", { token: member.token, json: { token: member.token } });
    expect(wrongKind.status).toBe(401);
    expect(wrongKind.headers.get("www-authenticate")).toBe('Bearer realm="roster"');
    expect((await t.request("/api/v1/me", { token: created.key })).headers.get("www-authenticate")).toBe('Bearer realm="roster"');
    const unknownKey = await t.request("/api/v1/introspect", { token: `${created.key.slice(0, -4)}aaaa`, json: { token: member.token } });
    expect(unknownKey.headers.get("www-authenticate")).toBe('Bearer realm="roster", error="invalid_token"');
    // A temporary password set by an admin: the new session must choose its own password first, and until
    // then it is no token for the chat either.
    expect((await t.request(`/api/v1/admin/users/${member.user.id}/password`, { token: admin.token, json: { password: "Temp-Desk-4471" } })).status).toBe(200);
    const temporary = (await (await t.request("/api/v1/auth/login", { json: { login: "mia", password: "Temp-Desk-4471" } })).json()) as { token: string };
    expect(await (await form(temporary.token)).json()).toEqual({ active: false });
    expect((await t.request("/api/v1/me/password", { token: temporary.token, json: { currentPassword: "Temp-Desk-4471", newPassword: "mias-own-pass-42" } })).status).toBe(204);
    expect(await (await form(temporary.token)).json()).toMatchObject({ active: true, sub: member.user.id });
    await t.request(`/api/v1/admin/users/${member.user.id}/disable`, { method: "POST", token: owner.token });
    expect(await (await form(temporary.token)).json()).toEqual({ active: false });
    const list = (await (await t.request("/api/v1/admin/api-keys", { token: admin.token })).json()) as { items: { lastUsedAt: string | null }[] };
    expect(list.items[0]?.lastUsedAt).not.toBeNull();
    expect(JSON.stringify(list)).not.toContain(created.key.slice(-20));
    await t.request(`/api/v1/admin/api-keys/${created.id}`, { method: "DELETE", token: admin.token });
    expect((await form(admin.token)).status).toBe(401);
  });

  it("regression: a chat server lists the directory and the groups of the key's organization with an API key (SPEC §1)", async () => {
    const { t, admin } = await world();
    const { key, id } = (await (await t.request("/api/v1/admin/api-keys", { token: admin.token, json: { name: "chat" } })).json()) as { key: string; id: string };
    const people = await t.request("/api/v1/directory", { token: key });
    expect(people.status).toBe(200);
    const userIds = ((await people.json()) as { items: { userId: string }[] }).items.map((u) => u.userId);
    // Acme's active members, not Globex's.
    expect(userIds).toEqual(expect.arrayContaining(["ada", "mia"]));
    expect(userIds).not.toContain("gina");
    expect((await t.request("/api/v1/groups", { token: key })).status).toBe(200);
    // A wrong key, and the same key once revoked, list nothing.
    expect((await t.request("/api/v1/directory", { token: `${key}x` })).status).toBe(401);
    expect((await t.request(`/api/v1/admin/api-keys/${id}`, { method: "DELETE", token: admin.token })).status).toBe(204);
    expect((await t.request("/api/v1/directory", { token: key })).status).toBe(401);
  });

  it("lists the audit log for admins and verifies its chain", async () => {
    const { t, admin } = await world();
    const list = (await (await t.request("/api/v1/admin/audit?action=login", { token: admin.token })).json()) as { items: { action: string }[] };
    expect(list.items.length).toBeGreaterThan(0);
    expect(list.items.every((e) => e.action.startsWith("login"))).toBe(true);
    expect(await (await t.request("/api/v1/admin/audit/verify", { token: admin.token })).json()).toMatchObject({ ok: true });
    // Pages follow their cursor; a cursor the list did not make is refused, not read as the first page.
    const first = (await (await t.request("/api/v1/admin/audit?limit=1", { token: admin.token })).json()) as { items: { seq: number }[]; nextCursor: string };
    const second = (await (await t.request(`/api/v1/admin/audit?limit=1&cursor=${first.nextCursor}`, { token: admin.token })).json()) as { items: { seq: number }[] };
    expect(second.items[0]?.seq).toBeLessThan(first.items[0]?.seq as number);
    const bad = await t.request("/api/v1/admin/audit?cursor=zzz", { token: admin.token });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ errors: { cursor: expect.any(String) } });
  });
});
