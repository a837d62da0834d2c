import { statSync, utimesSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { backupDatabase } from "../backup.js";
import { DAY } from "../clock.js";
import { createMetrics } from "../metrics.js";
import { expectJson } from "../test/api.js";
import { createTestApp, login, PASSWORD, setupOwner } from "../test/harness.js";
import { pageLogin } from "../http/pages/test-helpers.js";
import { tempDirs } from "../test/temp.js";
import { readStorage, type StorageSummary } from "./storage.js";

const tempDir = tempDirs("roster-storage-");

/** An app on a real data directory (roster.db, backups/). */
async function onDisk(backupKeep = 7) {
  const dataDir = tempDir();
  const t = createTestApp({ file: path.join(dataDir, "roster.db"), config: { dataDir, backupKeep } });
  const owner = await setupOwner(t);
  return { t, dataDir, owner };
}

const size = (f: string) => {
  try {
    return statSync(f).size;
  } catch {
    return 0;
  }
};

describe("the data volume", () => {
  it("reports the database, the room left, and the nightly backups with the newest", async () => {
    const { t, dataDir } = await onDisk(3);
    const config = { dataDir, backupKeep: 3 };
    const empty = readStorage(config, { now: t.clock.now() }) as StorageSummary;
    const db = path.join(dataDir, "roster.db");
    expect(empty.databaseBytes).toBe(size(db) + size(`${db}-wal`));
    expect(empty.databaseBytes).toBeGreaterThan(0);
    expect(empty.volume?.freeBytes).toBeGreaterThan(0);
    expect(empty.volume!.totalBytes).toBeGreaterThanOrEqual(empty.volume!.freeBytes);
    expect(empty.backups).toEqual({ keep: 3, count: 0, lastAt: null, bytes: 0, stale: false, nextAt: expect.any(String) });
    // The next one is at 03:00 server time, within a day.
    const next = Date.parse(empty.backups.nextAt!);
    expect(next - t.clock.now().getTime()).toBeGreaterThan(0);
    expect(next - t.clock.now().getTime()).toBeLessThanOrEqual(DAY);
    expect(new Date(next).getHours()).toBe(3);
    // None at all, two days after the server was first used: the nightly backup keeps failing.
    const firstUse = new Date("2026-01-10T09:00:00Z");
    expect(readStorage(config, { now: new Date("2026-01-12T08:00:00Z"), inUseSince: firstUse })?.backups.stale).toBe(false);
    expect(readStorage(config, { now: new Date("2026-01-12T10:00:00Z"), inUseSince: firstUse })?.backups.stale).toBe(true);

    const first = await backupDatabase({ dataDir, keep: 3, source: t.db.$client, now: new Date("2026-01-13T03:00:00Z") });
    const second = await backupDatabase({ dataDir, keep: 3, source: t.db.$client, now: new Date("2026-01-14T03:00:00Z") });
    // A pre-migration copy is not a nightly backup.
    await backupDatabase({ dataDir, keep: 3, source: t.db.$client, label: "pre-migration" });
    const newest = new Date("2026-01-14T03:00:05Z");
    utimesSync(first, new Date("2026-01-13T03:00:05Z"), new Date("2026-01-13T03:00:05Z"));
    utimesSync(second, newest, newest);
    const now = new Date("2026-01-15T09:00:00Z");
    const s = readStorage(config, { now }) as StorageSummary;
    expect(s.backups).toMatchObject({ keep: 3, count: 2, lastAt: newest.toISOString(), bytes: size(first) + size(second), stale: false });
    // Two days without one is worth a warning, unless nightly backups are off.
    expect(readStorage(config, { now: new Date(newest.getTime() + 2 * DAY + 1000) })?.backups.stale).toBe(true);
    expect(readStorage({ dataDir, backupKeep: 0 }, { now: new Date(newest.getTime() + 5 * DAY) })?.backups).toMatchObject({ stale: false, nextAt: null });
  });

  it("is low when less than 1 GiB (a tenth of a small volume), or less than two copies of the database, is left", async () => {
    const { t, dataDir } = await onDisk();
    const GiB = 2 ** 30;
    const read = (freeBytes: number, totalBytes = 100 * GiB) =>
      readStorage({ dataDir, backupKeep: 7 }, { now: t.clock.now(), statfs: () => ({ bsize: 4096, bavail: freeBytes / 4096, blocks: totalBytes / 4096 }) }) as StorageSummary;
    expect(read(2 * GiB).low).toBe(false);
    expect(read(GiB - 4096)).toMatchObject({ low: true, lowBelowBytes: GiB, volume: { freeBytes: GiB - 4096, totalBytes: 100 * GiB } });
    // A 2 GiB volume is not "almost full" with 1.5 GiB left: the floor is a tenth of it.
    expect(read(1.5 * GiB, 2 * GiB)).toMatchObject({ low: false, lowBelowBytes: Math.floor(0.2 * GiB) });
    expect(read(0.1 * GiB, 2 * GiB).low).toBe(true);
    // A volume that cannot be read is not reported as full.
    const unreadable = () => {
      throw new Error("EACCES");
    };
    expect(readStorage({ dataDir, backupKeep: 7 }, { now: t.clock.now(), statfs: unreadable })).toMatchObject({ volume: null, low: false });
    expect(readStorage({ dataDir: ":memory:", backupKeep: 7 }, { now: t.clock.now() })).toBeNull();
  });

  it("is the owner's: the API answers them and refuses an admin", async () => {
    const { t, owner } = await onDisk();
    const s = await expectJson<StorageSummary>(await t.request("/api/v1/admin/storage", { token: owner.token }), 200);
    expect(s).toMatchObject({ databaseBytes: expect.any(Number), low: false, backups: { keep: 7, count: 0, stale: false } });
    // Three days after the first account and still no nightly backup: something keeps it from being written.
    t.clock.advance(3 * DAY);
    const later = await expectJson<StorageSummary>(await t.request("/api/v1/admin/storage", { token: owner.token }), 200);
    expect(later.backups).toMatchObject({ count: 0, stale: true });
    await expectJson(await t.request("/api/v1/admin/users", { token: owner.token, json: { type: "admin", userId: "ada", email: "ada@acme.test", password: PASSWORD } }), 201);
    const admin = await login(t, "ada");
    expect((await t.request("/api/v1/admin/storage", { token: admin.token })).status).toBe(403);
  });

  it("shows on the owner's dashboard, in both languages, and not on an admin's", async () => {
    const { t, owner } = await onDisk(0);
    const cookie = await pageLogin(t, "owner");
    const html = await (await t.request("/admin", { cookie })).text();
    expect(html).toContain('<h2 id="storage-title">Storage</h2>');
    expect(html).toContain("Free on the data volume");
    expect(html).toMatch(/<dd>\d+(\.\d)? (B|kB|MB)<\/dd>/);
    expect(html).toContain("Nightly backups are off (ROSTER_BACKUP_KEEP=0)");
    const ja = await (await t.request("/admin", { headers: { cookie: `${cookie}; roster_lang=ja` } })).text();
    expect(ja).toContain("データボリュームの空き");
    expect(ja).toContain("夜間バックアップは無効です");

    await expectJson(await t.request("/api/v1/admin/users", { token: owner.token, json: { type: "admin", userId: "ada", email: "ada@acme.test", password: PASSWORD } }), 201);
    const adminCookie = await pageLogin(t, "ada");
    const adminHtml = await (await t.request("/admin", { cookie: adminCookie })).text();
    expect(adminHtml).toContain('id="mail-title"');
    expect(adminHtml).not.toContain("storage-title");
  });

  it("is in the metrics, for an alert before the volume fills", async () => {
    const { t, dataDir } = await onDisk();
    await backupDatabase({ dataDir, keep: 7, source: t.db.$client });
    const text = await createMetrics(t.db, { storage: { dataDir, backupKeep: 7 } }).registry.metrics();
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1]);
    expect(value("roster_database_bytes")).toBeGreaterThan(0);
    expect(value("roster_data_volume_free_bytes")).toBeGreaterThan(0);
    expect(value("roster_data_volume_size_bytes")).toBeGreaterThanOrEqual(value("roster_data_volume_free_bytes"));
    expect(value("roster_backups_bytes")).toBeGreaterThan(0);
    expect(Math.abs(value("roster_last_backup_timestamp_seconds") - Date.now() / 1000)).toBeLessThan(60);
  });
});
