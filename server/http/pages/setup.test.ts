import { describe, expect, it } from "vitest";
import { createTestApp, PASSWORD, setupOwner } from "../../test/harness.js";
import { pageLogin } from "./test-helpers.js";
import { accountRow, visibleText } from "./admin-org-world.js";

async function world() {
  const t = createTestApp();
  const owner = await setupOwner(t);
  // With an email and no password: a setup mail (SPEC §3 admin-created accounts).
  await t.request("/api/v1/admin/users", { token: owner.token, json: { userId: "sam", email: "sam@acme.test", nickname: "Sam" } });
  const link = new URL(t.mailbox.linkIn(t.mailbox.lastMessage("sam@acme.test")));
  return { t, owner, path: link.pathname + link.search, token: link.searchParams.get("token") ?? "" };
}

describe("/setup", () => {
  it("lets the person choose a password twice, then sends them to log in with the user ID filled in", async () => {
    const { t, path, token } = await world();
    expect(path).toMatch(/^\/setup\?token=/);
    const html = await (await t.request(path)).text();
    expect(html).toContain('<dd class="mono" id="setup-user-id">sam</dd>');
    expect(visibleText(html)).toContain("An administrator of Acme created this account for you.");

    const differ = await t.request("/setup", { form: { token, password: PASSWORD, passwordConfirm: `${PASSWORD}!` } });
    expect(differ.status).toBe(400);
    expect(await differ.text()).toContain("The two passwords differ.");
    const weak = await t.request("/setup", { form: { token, password: "sam", passwordConfirm: "sam" } });
    expect(weak.status).toBe(400);
    expect(accountRow(t, "sam")?.status).toBe("invited");

    const ok = await t.request("/setup", { form: { token, password: PASSWORD, passwordConfirm: PASSWORD } });
    expect(ok.status).toBe(303);
    expect(ok.headers.get("location")).toBe("/setup/done?login=sam");
    expect(accountRow(t, "sam")?.status).toBe("active");
    const done = await (await t.request("/setup/done?login=sam")).text();
    expect(done).toContain("Your password is set. Log in with it now.");
    expect(done).toContain('name="login" type="text" value="sam"');
    expect(done).toContain('<form method="post" action="/login"');
    await pageLogin(t, "sam");
  });

  it("says a used or unknown link cannot be used, and whom to ask", async () => {
    const { t, path, token } = await world();
    await t.request("/setup", { form: { token, password: PASSWORD, passwordConfirm: PASSWORD } });
    for (const p of [path, "/setup?token=nope", "/setup"]) {
      const r = await t.request(p);
      expect(r.status, p).toBeGreaterThanOrEqual(400);
      const text = visibleText(await r.text());
      expect(text).toContain("This setup link cannot be used");
      expect(text).toContain("Ask your administrator for a new one.");
      expect(text).not.toContain("Set my password");
    }
    const again = await t.request("/setup", { form: { token, password: "another good password", passwordConfirm: "another good password" } });
    expect(again.status).toBe(400);
    expect(visibleText(await again.text())).toContain("This setup link cannot be used");
  });
});
