import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { HOUR } from "../../clock.js";
import { ORIGIN, type TestApp } from "../../test/harness.js";
import { translator } from "../../i18n/index.js";
import { ImportProgress } from "../../../views/partials/admin-import-report.js";
import type { ImportJob } from "../../admin/import-jobs.js";
import { accountOf, adminWorld, PASSWORD } from "./admin-users-world.js";
import { hx } from "./test-helpers.js";

const CSV = [
  "userId,email,type,nickname,password,groupName",
  "ok1,ok1@acme.test,general,OK One,, Sales / Tokyo ",
  `ok2,,general,OK Two,${PASSWORD},`,
  "Bad Id,not-an-email,general,,,",
  "mia,,general,,,",
  "ok1,dup@acme.test,general,,,",
  "ok3,,admin,,password,",
].join("\n");

function upload(t: TestApp, cookie: string, content: string | Uint8Array, name = "people.csv", type = "text/csv") {
  const body = new FormData();
  body.set("file", new File([content], name, { type }));
  return t.app.request(`${ORIGIN}/admin/users/import`, { method: "POST", body, headers: { cookie, origin: ORIGIN } });
}

async function checked(t: TestApp, cookie: string, content: string | Uint8Array = CSV) {
  const r = await upload(t, cookie, content);
  expect(r.status).toBe(303);
  const location = r.headers.get("location") ?? "";
  expect(location).toMatch(/^\/admin\/import\/[\w-]+$/);
  return location;
}

/** Polls the progress fragment as the page does, until the job is done. */
async function untilDone(t: TestApp, cookie: string, job: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const html = await (await t.request(`${job}/progress`, { cookie, headers: hx })).text();
    if (!html.includes('hx-trigger="every 1s"')) return html;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error("the import did not finish");
}

describe("import", () => {
  it("documents the columns and offers a template", async () => {
    const { t, adminCookie } = await adminWorld();
    const html = await (await t.request("/admin/import", { cookie: adminCookie })).text();
    expect(html).toContain('<form method="post" action="/admin/users/import" enctype="multipart/form-data"');
    for (const col of ["userId", "email", "type", "nickname", "password", "groupName", "gender", "birthDate", "location", "statusMessage", "language", "friendPolicy", "avatarUrl", "level", "role", "friendingForbidden"]) expect(html).toContain(`<td class="mono">${col}`);
    // The table scrolls sideways on a phone: a named region the keyboard can reach.
    expect(html).toContain('<div class="table-wrap" tabindex="0" role="region" aria-label="Table of the columns">');
    const template = await t.request("/admin/import/template.csv", { cookie: adminCookie });
    expect(template.headers.get("content-disposition")).toBe('attachment; filename="roster-import-template.csv"');
    const rows = parse(await template.text(), { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0] ?? {})).toEqual(["userId", "email", "type", "nickname", "password", "groupName", "gender", "birthDate", "location", "statusMessage", "language", "friendPolicy", "avatarUrl", "level", "role", "friendingForbidden"]);
  });

  it("checks first (per-row errors and counts, nothing created), then imports the valid rows with progress to completion", async () => {
    const { t, adminCookie } = await adminWorld();
    const job = await checked(t, adminCookie);
    expect(accountOf(t, "ok1")).toBeUndefined();

    const report = await (await t.request(job, { cookie: adminCookie })).text();
    expect(report).toContain("people.csv");
    expect(report).toMatch(/<dt>Rows<\/dt><dd>6<\/dd>/);
    expect(report).toMatch(/<dt>Valid<\/dt><dd>2<\/dd>/);
    expect(report).toMatch(/<dt>With problems<\/dt><dd>4<\/dd>/);
    expect(report).toContain("Rows with problems (4)");
    // Row (as a spreadsheet numbers it: the header is row 1), userId, code, field messages.
    expect(report).toMatch(/<td class="num">4<\/td><td class="mono">Bad Id<\/td><td><span class="code">validation_failed<\/span>/);
    expect(report).toContain("<span class=\"mono\">email</span>: Enter a valid email address.");
    expect(report).toMatch(/<td class="num">5<\/td><td class="mono">mia<\/td><td><span class="code">user_id_taken<\/span>/);
    expect(report).toContain("This value appears on an earlier row of the file.");
    expect(report).toMatch(/<td class="num">7<\/td><td class="mono">ok3<\/td><td><span class="code">weak_password<\/span>/);
    expect(report).toContain(`<form method="post" action="${job}/run"`);
    expect(report).toContain("Import 2 valid rows");

    const run = await t.request(`${job}/run`, { form: {}, cookie: adminCookie });
    expect(run.status).toBe(303);
    expect(run.headers.get("location")).toBe(job);
    // A second click (or a reload that posts again) starts nothing more.
    expect((await t.request(`${job}/run`, { form: {}, cookie: adminCookie })).status).toBe(303);

    const done = await untilDone(t, adminCookie, job);
    expect(done).toMatch(/^<div id="import-progress"/);
    expect(done).toContain("Import finished: 2 created, 4 not imported.");
    expect(accountOf(t, "ok1")).toMatchObject({ status: "invited", groupName: "Sales/Tokyo" });
    expect(accountOf(t, "ok2")).toMatchObject({ status: "active", mustChangePassword: true });
    expect(t.mailbox.lastMessage("ok1@acme.test")?.text).toContain("/setup?token=");

    const csv = await t.request(`${job}/results.csv`, { cookie: adminCookie });
    expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    const rows = parse(await csv.text(), { columns: true, bom: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.row, r.userId, r.status, r.code, r.outcome])).toEqual([
      ["2", "ok1", "created", "", "setup_mail"],
      ["3", "ok2", "created", "", "password"],
      ["4", "Bad Id", "error", "validation_failed", ""],
      ["5", "mia", "error", "user_id_taken", ""],
      ["6", "ok1", "error", "user_id_taken", ""],
      ["7", "ok3", "error", "weak_password", ""],
    ]);
  });

  it("hands each one-time setup link out once: in the first results download, not again", async () => {
    const { t, adminCookie } = await adminWorld();
    const job = await checked(t, adminCookie, ["userId,email,type,nickname,password,groupName", "nomail1,,general,,,", "nomail2,,general,,,"].join("\n"));
    await t.request(`${job}/run`, { form: {}, cookie: adminCookie });
    await untilDone(t, adminCookie, job);
    const download = async () => parse(await (await t.request(`${job}/results.csv`, { cookie: adminCookie })).text(), { columns: true, bom: true }) as Record<string, string>[];
    expect((await t.request(`${job}/results.csv`, { method: "HEAD", cookie: adminCookie })).status).toBe(200);
    const first = await download();
    expect(first.map((r) => r.outcome)).toEqual(["setup_link", "setup_link"]);
    for (const r of first) expect(r.setupUrl).toMatch(/\/setup\?token=/);
    const second = await download();
    expect(second.map((r) => [r.userId, r.status, r.setupUrl])).toEqual([["nomail1", "created", ""], ["nomail2", "created", ""]]);
    expect(await (await t.request(job, { cookie: adminCookie })).text()).toContain("The 2 setup links were in an earlier download");
    // The links handed out still work.
    expect((await t.request(new URL(first[0]!.setupUrl!).pathname + new URL(first[0]!.setupUrl!).search)).status).toBe(200);
  });

  it("numbers rows as a spreadsheet shows them, blank lines counted and a line break inside a cell not", async () => {
    const { t, adminCookie } = await adminWorld();
    // Row 1 header, row 2 blank, row 3 fine, row 4 a two-line cell, rows 5–6 blank, row 7 a bad ID.
    const csv = ["userId,nickname,statusMessage", "", "fine1,Fine,", 'fine2,Two,"line one', 'line two"', "", "", "Bad Id,,"].join("\n");
    const report = await (await t.request(await checked(t, adminCookie, csv), { cookie: adminCookie })).text();
    expect(report).toMatch(/<td class="num">7<\/td><td class="mono">Bad Id<\/td>/);
  });

  it("polls while running: the fragment asks again every second, and stops when done", () => {
    const v = { lang: "en" as const, t: translator("en"), serverName: "Roster", user: null, here: "/" };
    const job: ImportJob = { id: "j1", actorId: "a", filename: "x.csv", csv: true, sheetRows: null, state: "running", check: { dryRun: true, total: 4, valid: 4, created: 0, failed: 0, results: [] }, total: 4, done: 2, report: null, createdAt: 0, finishedAt: null, linksTaken: 0 };
    const running = String(ImportProgress({ v, job }));
    expect(running).toContain('hx-get="/admin/import/j1/progress" hx-trigger="every 1s" hx-swap="outerHTML"');
    expect(running).toContain('<progress max="4" value="2">');
    const finished = String(ImportProgress({ v, job: { ...job, state: "done", done: 4, report: { ...job.check, dryRun: false, created: 4 } } }));
    expect(finished).not.toContain("hx-trigger");
    expect(finished).toContain("/admin/import/j1/results.csv");
  });

  it("forgets a finished job after an hour, and an unstarted check too", async () => {
    const { t, adminCookie } = await adminWorld();
    const job = await checked(t, adminCookie);
    t.clock.advance(HOUR - 1000);
    await t.request(`${job}/run`, { form: {}, cookie: adminCookie });
    await untilDone(t, adminCookie, job);
    t.clock.advance(HOUR - 1000);
    expect((await t.request(job, { cookie: adminCookie })).status).toBe(200);
    t.clock.advance(1000);
    expect((await t.request(job, { cookie: adminCookie })).status).toBe(404);
    const unstarted = await checked(t, adminCookie);
    t.clock.advance(HOUR);
    expect((await t.request(unstarted, { cookie: adminCookie })).status).toBe(404);
  });

  it("keeps only an admin's last three finished jobs: each holds its whole check, and the server must not grow with every run", async () => {
    const { t, adminCookie } = await adminWorld();
    const done: string[] = [];
    for (let n = 0; n < 4; n++) {
      const job = await checked(t, adminCookie, `userId\nkeep${n}\n`);
      await t.request(`${job}/run`, { form: {}, cookie: adminCookie });
      await untilDone(t, adminCookie, job);
      done.push(job);
      t.clock.advance(1000);
    }
    // The next upload makes room: the oldest finished job goes, the last three stay.
    await checked(t, adminCookie, "userId\nkeep4\n");
    expect((await t.request(done[0] ?? "", { cookie: adminCookie })).status).toBe(404);
    for (const job of done.slice(1)) expect((await t.request(job, { cookie: adminCookie })).status).toBe(200);
  });

  it("shows another admin's job to nobody else", async () => {
    const { t, adminCookie, ownerCookie } = await adminWorld();
    const job = await checked(t, adminCookie);
    for (const path of [job, `${job}/progress`, `${job}/results.csv`]) expect((await t.request(path, { cookie: ownerCookie })).status).toBe(404);
    expect((await t.request(`${job}/run`, { form: {}, cookie: ownerCookie })).status).toBe(404);
    expect(accountOf(t, "ok1")).toBeUndefined();
  });

  it("reads JSON too", async () => {
    const { t, adminCookie } = await adminWorld();
    const r = await upload(t, adminCookie, JSON.stringify([{ userId: "jay", nickname: "Jay" }]), "people.json", "application/json");
    const html = await (await t.request(r.headers.get("location") ?? "", { cookie: adminCookie })).text();
    expect(html).toContain("Import 1 valid rows");
  });

  it.each([
    ["no file", "", "Choose a file to import."],
    ["a broken CSV", 'userId,email\n"unclosed,x\n', "The CSV file cannot be read"],
    ["JSON that is not a list", '{"userId":"x"}', "Expected a JSON array of objects"],
  ])("%s: the upload form again, with the reason", async (_what, content, message) => {
    const { t, adminCookie } = await adminWorld();
    const r = await upload(t, adminCookie, content);
    expect(r.status).toBe(400);
    const html = await r.text();
    expect(html).toContain(message);
    expect(html).toContain('enctype="multipart/form-data"');
    // The reason is the file field's description, and the summary links to the field.
    expect(html).toContain('aria-describedby="f-file-hint f-file-error" aria-invalid="true"');
    expect(html).toMatch(/<p class="field-error" id="f-file-error">[^<]+<\/p>/);
    expect(html).toContain('<a href="#f-file">');
    expect(html).toContain("<title>Error: ");
  });

  it("speaks Japanese, field messages included", async () => {
    const { t, adminCookie } = await adminWorld();
    const job = await checked(t, adminCookie);
    const html = await (await t.request(job, { cookie: `${adminCookie}; roster_lang=ja` })).text();
    expect(html).toContain("有効な2行をインポート");
    expect(html).not.toContain("Enter a valid email address.");
  });

  it("reads a Shift_JIS file from Japanese Excel, and refuses bytes it cannot read with what to do, in Japanese", async () => {
    const { t, adminCookie } = await adminWorld();
    const sjis = Uint8Array.from([...Buffer.from("userId,nickname\nsj1,"), 0x8e, 0x52, 0x93, 0x63, 0x20, 0x89, 0xd4, 0x8e, 0x71, 0x0a]);
    const job = await checked(t, adminCookie, sjis);
    await t.request(`${job}/run`, { form: {}, cookie: adminCookie });
    await untilDone(t, adminCookie, job);
    expect(accountOf(t, "sj1")?.nickname).toBe("山田 花子");

    const r = await upload(t, `${adminCookie}; roster_lang=ja`, Uint8Array.from([...Buffer.from("userId\nbad1,"), 0xfd, 0x0a]));
    expect(r.status).toBe(400);
    expect(await r.text()).toContain("「CSV UTF-8」形式で保存し直して");
    expect(accountOf(t, "bad1")).toBeUndefined();
  });
});
