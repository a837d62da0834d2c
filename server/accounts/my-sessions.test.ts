import { describe, expect, it } from "vitest";
import { createTestApp, login, registerMember, setupOwner } from "../test/harness.js";
import { auditActions, expectJson, expectProblem } from "../test/api.js";
import type { SessionView } from "./my-sessions.js";

type List = { items: SessionView[]; nextCursor: string | null; total: number };

async function threeDevices() {
  const t = createTestApp();
  const owner = await setupOwner(t);
  const ken = await registerMember(t, "ken@acme.test", { userId: "ken" });
  t.clock.advance(1000);
  const phone = await login(t, "ken");
  t.clock.advance(1000);
  const tablet = await login(t, "ken");
  const list = async (token: string) => expectJson<List>(await t.request("/api/v1/me/sessions", { token }), 200);
  const alive = async (token: string) => (await t.request("/api/v1/me", { token })).status === 200;
  return { t, owner, ken, phone, tablet, list, alive };
}

describe("GET /api/v1/me/sessions", () => {
  it("lists the caller's own sessions as a list, the current one first and marked", async () => {
    const { phone, list } = await threeDevices();
    const l = await list(phone.token);
    expect(l.total).toBe(3);
    expect(l.nextCursor).toBeNull();
    expect(l.items.map((s) => s.current)).toEqual([true, false, false]);
    expect(l.items[0]?.id).toBe(phone.token.split(".")[0]);
    // The rest newest first.
    expect(l.items[1]!.createdAt > l.items[2]!.createdAt).toBe(true);
    expect(Object.keys(l.items[0]!).sort()).toEqual(["createdAt", "current", "device", "expiresAt", "id", "ip", "lastUsedAt"]);
    expect(JSON.stringify(l)).not.toContain(phone.token.split(".")[1]);
  });
});

describe("DELETE /api/v1/me/sessions (log out everywhere else)", () => {
  it("ends every other session of the caller, not the current one and not anyone else's", async () => {
    const { t, owner, ken, phone, tablet, list, alive } = await threeDevices();
    expect((await t.request("/api/v1/me/sessions", { method: "DELETE", token: phone.token })).status).toBe(204);
    expect(await alive(phone.token)).toBe(true);
    expect(await alive(ken.token)).toBe(false);
    expect(await alive(tablet.token)).toBe(false);
    expect(await alive(owner.token)).toBe(true);
    expect((await list(phone.token)).items.map((s) => s.current)).toEqual([true]);
    expect(auditActions(t).at(-1)).toBe("session.ended");
  });
});

describe("DELETE /api/v1/me/sessions/{id}", () => {
  it("ends one of the caller's other sessions", async () => {
    const { t, phone, tablet, alive } = await threeDevices();
    const id = tablet.token.split(".")[0];
    expect((await t.request(`/api/v1/me/sessions/${id}`, { method: "DELETE", token: phone.token })).status).toBe(204);
    expect(await alive(tablet.token)).toBe(false);
    expect(await alive(phone.token)).toBe(true);
    expect(auditActions(t).at(-1)).toBe("session.ended");
  });

  it("ends the current session when given its id (logs the caller out)", async () => {
    const { t, phone, alive } = await threeDevices();
    const id = phone.token.split(".")[0];
    expect((await t.request(`/api/v1/me/sessions/${id}`, { method: "DELETE", token: phone.token })).status).toBe(204);
    expect(await alive(phone.token)).toBe(false);
  });

  it.each([
    ["another user's session", (s: Awaited<ReturnType<typeof threeDevices>>) => s.owner.token.split(".")[0]!],
    ["an unknown id", () => "nosuchsession"],
  ])("answers 404 for %s and ends nothing", async (_, pick) => {
    const s = await threeDevices();
    const before = s.t.db.$client.prepare("SELECT count(*) AS n FROM sessions").get();
    await expectProblem(await s.t.request(`/api/v1/me/sessions/${pick(s)}`, { method: "DELETE", token: s.phone.token }), 404, "not_found");
    expect(s.t.db.$client.prepare("SELECT count(*) AS n FROM sessions").get()).toEqual(before);
    expect(await s.alive(s.owner.token)).toBe(true);
  });

  it("needs a session", async () => {
    const { t, tablet } = await threeDevices();
    await expectProblem(await t.request(`/api/v1/me/sessions/${tablet.token.split(".")[0]}`, { method: "DELETE", json: {} }), 401, "unauthenticated");
  });
});
