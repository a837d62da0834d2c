import { describe, expect, it } from "vitest";
import { accountOf, adminWorld, idOf, login, PASSWORD, postPairs } from "./admin-users-world.js";

/** Bulk Disable, Enable and Send a new setup link on /admin/users: plain form posts, no JavaScript needed. */

const idPairs = (ids: string[]): [string, string][] => ids.map((id): [string, string] => ["ids", id]);
const bulk = (action: string, ids: string[]): [string, string][] => [["action", action], ...idPairs(ids)];

async function world() {
  const w = await adminWorld();
  const me = async (token: string) => (await w.t.request("/api/v1/me", { token })).status;
  const ids = (...userIds: string[]) => userIds.map((u) => idOf(w.t, u));
  return { ...w, me, ids };
}

describe("bulk status actions on the users list", () => {
  it("offers Enable, Send a new setup link and Disable… in the bulk form", async () => {
    const { t, adminCookie } = await world();
    const html = await (await t.request("/admin/users", { cookie: adminCookie })).text();
    for (const [value, label] of [
      ["enable", "Enable…"],
      ["setup-link", "Send a new setup link…"],
      ["disable", "Disable…"],
    ]) {
      expect(html).toMatch(new RegExp(`<button type="submit" name="action" value="${value}"[^>]*>\\s*${label}\\s*</button>`));
    }
  });

  it("asks before disabling, listing who; nothing changes until confirmed, then their sessions end", async () => {
    const { t, adminCookie, create, me, ids } = await world();
    await create({ userId: "max", email: "max@acme.test", password: "correct horse battery" });
    const mia = await login(t, "mia@acme.test");
    const max = await login(t, "max");

    const ask = await postPairs(t, "/admin/users/bulk", bulk("disable", ids("mia", "max")), { cookie: adminCookie });
    expect(ask.status).toBe(200);
    const confirm = await ask.text();
    expect(confirm).toContain("Disable the selected accounts (2)?");
    expect(confirm).toContain("All of their sessions end at once");
    expect(confirm).toMatch(/<li><span class="mono">mia<\/span>/);
    expect(confirm).toMatch(/<li><span class="mono">max<\/span>/);
    // A plain form: it works with JavaScript off.
    expect(confirm).toContain('<form method="post" action="/admin/users/batch-status"');
    expect(confirm).toContain('<input type="hidden" name="action" value="disable"/>');
    for (const id of ids("mia", "max")) expect(confirm).toContain(`<input type="hidden" name="ids" value="${id}"/>`);
    expect(confirm).toContain("Disable 2 now");
    expect(accountOf(t, "mia")?.status).toBe("active");
    expect(await me(mia.token)).toBe(200);

    const done = await postPairs(t, "/admin/users/batch-status", bulk("disable", ids("mia", "max")), { cookie: adminCookie });
    expect(done.status).toBe(200);
    const html = await done.text();
    expect(html).toContain("Disabling finished");
    expect(html).toContain("Done: 2. Not done: 0.");
    expect(html.match(/Disabled; its sessions were ended/g)).toHaveLength(2);
    expect(accountOf(t, "mia")?.status).toBe("disabled");
    expect(accountOf(t, "max")?.status).toBe("disabled");
    expect(await me(mia.token)).toBe(401);
    expect(await me(max.token)).toBe(401);
  });

  it("a mixed selection: the confirmation already says which will be left as they are and why, and counts only the others", async () => {
    const { t, adminCookie, create, ids } = await world();
    await create({ userId: "max", email: "max@acme.test", password: "correct horse battery" });
    const confirm = await (await postPairs(t, "/admin/users/bulk", bulk("disable", ids("owner", "mia", "ada", "max")), { cookie: adminCookie })).text();
    expect(confirm).toContain("Disable the selected accounts (4)?");
    expect(confirm).toContain("2 of them will be left as they are: each says why below.");
    expect(confirm).toMatch(/<span class="mono">owner<\/span>[^]*?<span class="picked-skip"> Only an owner can change an owner&#39;s account.<\/span>/);
    expect(confirm).toMatch(/<span class="mono">ada<\/span>[^]*?<span class="picked-skip"> Not done: this is your own account.<\/span>/);
    expect(confirm).toMatch(/<span class="mono">mia<\/span><\/li>/);
    expect(confirm).toContain("Disable 2 now");
    // Setup links: an active account is not invited, and one without an address gets none in bulk.
    const ned = await create({ userId: "ned" });
    const links = await (await postPairs(t, "/admin/users/bulk", bulk("setup-link", [...ids("mia"), ned]), { cookie: `${adminCookie}; roster_lang=ja` })).text();
    expect(links).toContain("このうち2件は変更されません。");
    expect(links).toContain("設定待ちではありません。");
    expect(links).toContain("メールアドレスがありません。");
    // Nothing would be sent: no button, only the way back.
    expect(links).not.toContain("件に送る");
    expect(links).not.toContain('action="/admin/users/batch-status"');
  });

  it("a mixed selection: the owner and the admin's own account are refused with reasons, the others are still disabled", async () => {
    const { t, adminCookie, create, ids } = await world();
    await create({ userId: "max", email: "max@acme.test", password: "correct horse battery" });
    const r = await postPairs(t, "/admin/users/batch-status", bulk("disable", ids("owner", "mia", "ada", "max")), { cookie: adminCookie });
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(html).toContain("Done: 2. Not done: 2.");
    expect(html).toContain("Only an owner can change an owner&#39;s account.");
    expect(html).toContain("Not done: this is your own account.");
    expect(accountOf(t, "owner")?.status).toBe("active");
    expect(accountOf(t, "ada")?.status).toBe("active");
    expect(accountOf(t, "mia")?.status).toBe("disabled");
    expect(accountOf(t, "max")?.status).toBe("disabled");
    // The admin is still logged in.
    expect((await t.request("/admin/users", { cookie: adminCookie })).status).toBe(200);
  });

  it("asks before enabling, listing who; enabled accounts go back to what they were", async () => {
    const { t, adminCookie, create, ids } = await world();
    await create({ userId: "ivy", email: "ivy@acme.test" });
    await postPairs(t, "/admin/users/batch-status", bulk("disable", ids("mia", "ivy")), { cookie: adminCookie });
    expect(accountOf(t, "mia")?.status).toBe("disabled");

    const ask = await postPairs(t, "/admin/users/bulk", bulk("enable", ids("mia", "ivy", "ada")), { cookie: adminCookie });
    expect(ask.status).toBe(200);
    const confirm = await ask.text();
    expect(confirm).toContain("Enable the selected accounts (3)?");
    expect(confirm).toContain("Each goes back to what it was before it was disabled");
    expect(confirm).toContain('<input type="hidden" name="action" value="enable"/>');
    // ada is not disabled: nothing to do for her, and the button counts the other two.
    expect(confirm).toContain("Not disabled: nothing to do");
    expect(confirm).toContain("Enable 2 now");
    // Nothing changed yet.
    expect(accountOf(t, "mia")?.status).toBe("disabled");
    expect((await t.request("/api/v1/auth/login", { json: { login: "mia@acme.test", password: PASSWORD } })).status).toBe(403);

    const r = await postPairs(t, "/admin/users/batch-status", bulk("enable", ids("mia", "ivy", "ada")), { cookie: adminCookie });
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(html).toContain("Enabling finished");
    expect(html).toContain("Done: 3. Not done: 0.");
    expect(html).toContain("Not disabled: nothing to do");
    expect(accountOf(t, "mia")?.status).toBe("active");
    // An invited account goes back to waiting for its setup, not to active.
    expect(accountOf(t, "ivy")?.status).toBe("invited");
    expect(await (await login(t, "mia@acme.test")).token).toBeTruthy();
  });

  it("mails new setup links to invited accounts with an address; one without is told to use its page; an active one is not invited", async () => {
    const { t, adminCookie, create, ids } = await world();
    await create({ userId: "ivy", email: "ivy@acme.test" });
    await create({ userId: "ian", email: "ian@acme.test" });
    const ned = await create({ userId: "ned" });
    const before = t.mailbox.sent().length;
    const firstIvy = t.mailbox.tokenIn(t.mailbox.lastMessage("ivy@acme.test"));

    // Mail cannot be called back: the bulk form asks first, and sends nothing until confirmed.
    const ask = await (await postPairs(t, "/admin/users/bulk", bulk("setup-link", ids("ivy", "ian", "ned", "mia")), { cookie: adminCookie })).text();
    expect(ask).toContain("Send new setup links to the selected accounts (4)?");
    expect(ask).toContain("A mail cannot be called back.");
    expect(ask).toContain("Send to 2 now");
    expect(t.mailbox.sent().length).toBe(before);

    const r = await postPairs(t, "/admin/users/batch-status", bulk("setup-link", ids("ivy", "ian", "ned", "mia")), { cookie: adminCookie });
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(html).toContain("Sending setup links finished");
    expect(html).toContain("Done: 2. Not done: 2.");
    expect(html.match(/A new setup link was sent/g)).toHaveLength(2);
    expect(html).toContain("No email address: open the account&#39;s page to make a setup link to hand over.");
    expect(html).toContain(`<a href="/admin/users/${ned}">Open the account</a>`);
    expect(html).toContain("Not invited: its person has chosen a password already.");
    // No link is ever shown on this page.
    expect(html).not.toContain("/setup?token=");

    expect(t.mailbox.sent().length).toBe(before + 2);
    const newIvy = t.mailbox.tokenIn(t.mailbox.lastMessage("ivy@acme.test"));
    expect(newIvy).not.toBe(firstIvy);
    // The mailed link sets the password.
    expect((await t.request("/api/v1/auth/setup", { json: { token: newIvy, password: "ivys-own-pass-42" } })).status).toBe(200);
    expect(accountOf(t, "ivy")?.status).toBe("active");
  });

  it("never touches another organization's account, even when its id is posted", async () => {
    const { t, adminCookie, ginaId, me, ids } = await world();
    const gina = await login(t, "gina");
    for (const action of ["disable", "enable", "setup-link"]) {
      const r = await postPairs(t, "/admin/users/batch-status", bulk(action, [ginaId, ...ids("mia")]), { cookie: adminCookie });
      const html = await r.text();
      expect(html).not.toContain(">gina<");
      expect(html).toContain("1 of the selected accounts no longer exist and are left out.");
    }
    const alone = await postPairs(t, "/admin/users/bulk", bulk("disable", [ginaId]), { cookie: adminCookie });
    expect(alone.headers.get("location")).toBe("/admin/users?done=none_selected");
    expect(accountOf(t, "gina")?.status).toBe("active");
    expect(await me(gina.token)).toBe(200);
  });

  it("refuses a member, and an unknown action on the confirmation's address", async () => {
    const { t, adminCookie, memberCookie, ids } = await world();
    const member = await postPairs(t, "/admin/users/batch-status", bulk("disable", ids("ada")), { cookie: memberCookie });
    expect(member.status).toBe(403);
    expect(accountOf(t, "ada")?.status).toBe("active");
    const unknown = await postPairs(t, "/admin/users/batch-status", bulk("delete", ids("mia")), { cookie: adminCookie });
    expect(unknown.status).toBe(400);
    expect(accountOf(t, "mia")).toBeDefined();
  });

  it("speaks Japanese: the buttons, the confirmation and the results", async () => {
    const { t, adminCookie, create, ids } = await world();
    await create({ userId: "ned" });
    // The chosen language (the switcher's cookie) wins over the admin's own, English.
    const cookie = `${adminCookie}; roster_lang=ja`;
    const list = await (await t.request("/admin/users", { cookie })).text();
    for (const label of ["有効にする…", "設定用リンクを再送する…", "無効にする…"]) expect(list).toContain(label);

    const confirm = await (await postPairs(t, "/admin/users/bulk", bulk("disable", ids("mia")), { cookie })).text();
    expect(confirm).toContain("選択した1件のアカウントを無効にしますか？");
    expect(confirm).toContain("1件を無効にする");

    const disabled = await (await postPairs(t, "/admin/users/batch-status", bulk("disable", ids("mia", "ada")), { cookie })).text();
    expect(disabled).toContain("無効にしました（セッションは終了しました）");
    expect(disabled).toContain("自分のアカウントには実行できません。");
    expect(disabled).toContain("完了：1件、できなかったもの：1件。");

    const ask = await (await postPairs(t, "/admin/users/bulk", bulk("setup-link", ids("ned", "mia")), { cookie })).text();
    expect(ask).toContain("選択した2件のアカウントに設定用リンクを再送しますか？");
    expect(ask).not.toContain('action="/admin/users/batch-status"');
    const links = await (await postPairs(t, "/admin/users/batch-status", bulk("setup-link", ids("ned", "mia")), { cookie })).text();
    expect(links).toContain("メールアドレスがありません。アカウントのページを開いて");
    // mia was disabled just above: she is told to be enabled first, not that she is not invited.
    expect(links).toContain("無効になっています。先に有効にしてください。");
    expect(links).not.toMatch(/Not invited|No email address|Done: /);
  });
});
