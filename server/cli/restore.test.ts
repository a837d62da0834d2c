import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { getSettings, putSetting } from "../admin/settings.js";
import { loadConfig } from "../config.js";
import { databaseFile, openDatabase, type Db } from "../db/client.js";
import { commands } from "./commands.js";

const dirs: string[] = [];
const opened: Db[] = [];
let server: Server | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  if (server) await new Promise((r) => server!.close(r));
  server = undefined;
  for (const db of opened.splice(0)) if (db.$client.open) db.$client.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function dbWithName(file: string, name: string): void {
  const db = openDatabase(file);
  putSetting(db, "serverName", name);
  db.$client.close();
}
const nameIn = (file: string): string => {
  const db = openDatabase(file);
  opened.push(db);
  return getSettings({ db }).serverName;
};

/** A data directory holding "Before", a backup file holding "From the backup", and a port for the server check. */
async function setup(serverAnswers: boolean) {
  const dataDir = mkdtempSync(path.join(tmpdir(), "roster-restore-"));
  dirs.push(dataDir);
  dbWithName(databaseFile(dataDir), "Before");
  const backup = path.join(dataDir, "elsewhere.db");
  dbWithName(backup, "From the backup");
  // The check asks http://127.0.0.1:PORT/healthz: a listener that answers it, or a port nobody listens on.
  server = createServer((_req, res) => {
    res.statusCode = serverAnswers ? 200 : 503;
    res.end();
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  if (!serverAnswers) {
    await new Promise((r) => server!.close(r));
    server = undefined;
  }
  const { config } = loadConfig({ ROSTER_DATA_DIR: dataDir, PORT: String(port) });
  vi.spyOn(console, "log").mockImplementation(() => {});
  vi.spyOn(console, "error").mockImplementation(() => {});
  const restore = () => commands.restore!.run({ config, values: { file: backup }, positionals: [] });
  return { dataDir, file: databaseFile(dataDir), restore };
}

describe("roster restore", () => {
  it("refuses while the server answers, changing nothing", async () => {
    const s = await setup(true);
    expect(await s.restore()).toBe(1);
    expect(nameIn(s.file)).toBe("Before");
  });

  it("replaces the database with the backup, keeps a copy of what it replaced, and leaves no partial file", async () => {
    const s = await setup(false);
    expect(await s.restore()).toBe(0);
    expect(nameIn(s.file)).toBe("From the backup");
    const kept = readdirSync(path.join(s.dataDir, "backups")).filter((f) => f.includes("pre-restore"));
    expect(kept).toHaveLength(1);
    expect(nameIn(path.join(s.dataDir, "backups", kept[0]!))).toBe("Before");
    expect(existsSync(`${s.file}.restoring`)).toBe(false);
  });

  it("renames the copy over the database: a process that still has the old file open keeps reading it whole", async () => {
    const s = await setup(false);
    const held = openDatabase(s.file); // memory-mapped, as a server has it
    opened.push(held);
    expect(getSettings({ db: held }).serverName).toBe("Before");
    expect(await s.restore()).toBe(0);
    expect(getSettings({ db: held }).serverName).toBe("Before");
    expect(nameIn(s.file)).toBe("From the backup");
  });
});
