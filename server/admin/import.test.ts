import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { accounts, mailOutbox } from "../db/schema.js";
import { createTestApp, ORIGIN, registerMember, setupOwner } from "../test/harness.js";
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

/** Files as Excel and others save them, sent to the API as bytes (the page reads an upload the same way: decodeImport). */
describe("import files: encodings, headers, size", () => {
  async function world() {
    const t = createTestApp();
    const owner = await setupOwner(t);
    const send = (bytes: Uint8Array | string, o: { token?: string; type?: string } = {}) =>
      t.app.request(`${ORIGIN}/api/v1/admin/users/import`, { method: "POST", body: bytes, headers: { authorization: `Bearer ${o.token ?? owner.token}`, "content-type": o.type ?? "text/csv" } });
    const nickname = (userId: string) => t.db.select().from(accounts).where(eq(accounts.userId, userId)).get()?.nickname;
    return { t, owner, send, nickname };
  }
  // "userId,nickname\nsj1,山田 花子\n" as Japanese Excel saves "CSV": Shift_JIS.
  const SJIS = Uint8Array.from([...Buffer.from("userId,nickname\nsj1,"), 0x8e, 0x52, 0x93, 0x63, 0x20, 0x89, 0xd4, 0x8e, 0x71, 0x0a]);

  it("reads Shift_JIS (Japanese Excel's CSV) and UTF-16 with a BOM as the Japanese they are", async () => {
    const { send, nickname } = await world();
    const r = await send(SJIS);
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ created: 1, failed: 0 });
    expect(nickname("sj1")).toBe("山田 花子");

    // As Excel saves "Unicode Text": UTF-16 with a BOM, tab-separated.
    const utf16 = Buffer.from("\uFEFFuserId\tnickname\nu16\t鈴木 一郎\n", "utf16le");
    expect(await (await send(utf16)).json()).toMatchObject({ created: 1 });
    expect(nickname("u16")).toBe("鈴木 一郎");
  });

  it("refuses a Western file that Shift_JIS would misread as Japanese (Latin-1 \"Hélène\", \"Björn\"), and follows a BOM over a declared charset", async () => {
    const { send, nickname } = await world();
    for (const name of ["Hélène", "Björn", "Renée Ström"]) {
      const r = await send(Uint8Array.from([...Buffer.from("userId,nickname\nwest1,"), ...Buffer.from(name, "latin1"), 0x0a]));
      expect(r.status, name).toBe(400);
      expect(((await r.json()) as { errors: { body: string } }).errors.body, name).toMatch(/UTF-8/);
    }
    expect(nickname("west1")).toBeUndefined();
    const bom = Buffer.from("\uFEFFuserId,nickname\nbom1,Zoë\n", "utf8");
    expect((await send(bom, { type: "text/csv; charset=shift_jis" })).status).toBe(200);
    expect(nickname("bom1")).toBe("Zoë");
  });

  it("refuses bytes that are neither UTF-8 nor Shift_JIS, and says how to save the file; nothing is created", async () => {
    const { send, nickname } = await world();
    const r = await send(Uint8Array.from([...Buffer.from("userId,nickname\nbad1,"), 0xfd, 0xfe, 0x0a]));
    expect(r.status).toBe(400);
    expect(((await r.json()) as { errors: { body: string } }).errors.body).toMatch(/UTF-8/);
    expect(nickname("bad1")).toBeUndefined();
  });

  it("refuses a header with a column twice, and a file separated by semicolons, with what to do", async () => {
    const { send, nickname } = await world();
    const dup = await send("userId,userId,email\ndup1,dup2,a@acme.test\n");
    expect(dup.status).toBe(400);
    expect(await dup.json()).toMatchObject({ errors: { body: expect.stringMatching(/twice/) } });
    expect(nickname("dup2")).toBeUndefined();
    const semi = await send("userId;email;nickname\nsemi1;s@acme.test;Semi\n");
    expect(semi.status).toBe(400);
    expect(await semi.json()).toMatchObject({ errors: { body: expect.stringMatching(/semicolons/) } });
  });

  it("names the 50,000-row limit, and stops reading at it (a 10 MB file of one-letter rows is refused, not parsed whole)", async () => {
    const { send } = await world();
    const r = await send(`userId\n${"x\n".repeat(2_000_000)}`);
    expect(r.status).toBe(413);
    expect(await r.json()).toMatchObject({ errors: { body: expect.stringMatching(/50,000 rows/) } });
    // Past the limit the file is not read at all: a broken quote at row 60,000 is never reached
    // (read whole, the file would be "cannot be read", a 400).
    const broken = await send(`userId\n${"x\n".repeat(60_000)}"unterminated\n`);
    expect(broken.status).toBe(413);
  });

  it("refuses a file wrapped in a form (curl -F) with 415 and how to send it, instead of importing its boundary lines as rows", async () => {
    const { send, nickname } = await world();
    const body = '--b\r\nContent-Disposition: form-data; name="file"; filename="users.csv"\r\nContent-Type: text/csv\r\n\r\nuserId,nickname\nmp1,Mia\n\r\n--b--\r\n';
    const r = await send(body, { type: "multipart/form-data; boundary=b" });
    expect(r.status).toBe(415);
    const p = (await r.json()) as { code: string; detail: string };
    expect(p.code).toBe("unsupported_media_type");
    expect(p.detail).toContain("sent as multipart/form-data;");
    expect(p.detail).toContain("--data-binary");
    expect(nickname("mp1")).toBeUndefined();
  });

  it("answers a member 403 before reading the body", async () => {
    const { t, send } = await world();
    const member = await registerMember(t, "mia@acme.test");
    const r = await send(`userId\n${"x\n".repeat(2_000_000)}`, { token: member.token });
    expect(r.status).toBe(403);
    // Not read: a file that cannot be parsed is a 403 too, not the parser's 400.
    expect((await send('userId\n"unterminated\n', { token: member.token })).status).toBe(403);
    expect(await r.json()).toMatchObject({ code: "forbidden" });
  });
});
