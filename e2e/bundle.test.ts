import { execFile } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs script, no declarations
import { bundleCli, bundleServer } from "../scripts/bundle.mjs";
// @ts-expect-error: a plain .mjs script, no declarations
import { PRODUCTION } from "../bench/proc.mjs";
import { killChildren, root, spawnServer } from "./process.js";

/**
 * What `npm start` and the image run is the bundle (scripts/bundle.mjs), not
 * server/main.ts through tsx as the other tests do: built here, it must find
 * at run time everything it leaves outside itself or reads from disk.
 */
const dirs: string[] = [];
afterAll(() => {
  killChildren();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("the bundled server (dist/roster.mjs) and CLI (dist/cli/)", () => {
  it("starts on a fresh data directory and serves pages, assets, password rules, hashing and log in; the CLI works beside it", async () => {
    // Inside the project, as dist/ is, so node_modules and the migrations are found the same way.
    const cache = path.join(root, "node_modules", ".cache");
    mkdirSync(cache, { recursive: true });
    const outDir = mkdtempSync(path.join(cache, "roster-bundle-"));
    const dataDir = mkdtempSync(path.join(tmpdir(), "roster-bundle-data-"));
    dirs.push(outDir, dataDir);
    const entry = path.join(outDir, "roster.mjs");
    const warnings = (await bundleServer(entry)) as { text: string }[];
    expect(warnings.map((w) => w.text)).toEqual([]);

    const s = await spawnServer(dataDir, {}, { entry });
    // The migrations, read from the project's migrations/ folder.
    expect(await (await fetch(`${s.base}/readyz`)).json()).toEqual({ status: "ready" });
    // A page, and the script it links, read from node_modules/htmx.org.
    const page = await (await fetch(`${s.base}/login`)).text();
    const htmx = /\/static\/htmx\.min\.js\?v=[\w-]+/.exec(page)?.[0];
    expect(htmx).toBeDefined();
    const script = await fetch(`${s.base}${htmx}`);
    expect(script.status).toBe(200);
    expect(await script.text()).toContain("htmx");

    const register = (password: string) =>
      fetch(`${s.base}/api/v1/auth/register`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: "owner@acme.test", userId: "owner", password, organizationName: "Acme" }),
      });
    // The common-password list, loaded from node_modules on first use.
    const weak = await register("password123");
    expect(weak.status).toBe(400);
    expect(((await weak.json()) as { code: string }).code).toBe("weak_password");
    // Argon2id on the hashing threads, which load the native addon by its path.
    expect((await register("correct horse battery")).status).toBe(201);
    const login = await fetch(`${s.base}/api/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ login: "owner", password: "correct horse battery" }) });
    expect(login.status).toBe(200);
    const { token } = (await login.json()) as { token: string };
    const me = await fetch(`${s.base}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await me.json()) as { userId: string }).userId).toBe("owner");

    // The CLI, bundled as the image runs it (`roster <command>`), beside the running server.
    const cliDir = path.join(outDir, "cli");
    expect(((await bundleCli(cliDir)) as { text: string }[]).map((w) => w.text)).toEqual([]);
    const cli = path.join(cliDir, "index.mjs");
    const port = new URL(s.base).port;
    const roster = (...args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        const env = { PATH: process.env.PATH ?? "", ROSTER_DATA_DIR: dataDir, PORT: port, HOST: "127.0.0.1" };
        execFile(process.execPath, [cli, ...args], { cwd: root, env }, (e, stdout, stderr) => resolve({ code: e ? Number(e.code) : 0, stdout, stderr }));
      });
    expect(await roster("healthcheck")).toMatchObject({ code: 0 });
    // The image runs it every 10 s: it loads neither native addon (CommonJS modules show in require.cache;
    // the bundled code's own chunks do not, so this checks the addons and their packages only).
    const hook = path.join(outDir, "loaded.cjs");
    writeFileSync(hook, 'process.on("exit", () => process.stderr.write("loaded=" + JSON.stringify(Object.keys(require.cache))));');
    const loaded = await new Promise<string>((resolve) =>
      execFile(process.execPath, ["--require", hook, cli, "healthcheck"], { cwd: root, env: { PATH: process.env.PATH ?? "", PORT: port, HOST: "127.0.0.1" } }, (_e, _out, stderr) => resolve(stderr)),
    );
    const modules = JSON.parse(/loaded=(.*)$/m.exec(loaded)?.[1] ?? "null") as string[];
    expect(modules.filter((m) => /better-sqlite3|argon2/.test(m))).toEqual([]);
    expect((await roster("list-users")).stdout).toMatch(/^owner\s+owner@acme\.test\s+owner\s+active/m);
    expect((await roster("healthcheck", "--help")).stdout).toContain("usage: roster healthcheck");

    const exited = once(s.proc, "exit");
    s.proc.kill("SIGTERM");
    expect((await exited)[0]).toBe(0);
    expect(s.logs.some((l) => l.msg === "stopped")).toBe(true);
    // Nothing answers now: the image's health check says so, and fails.
    const down = await roster("healthcheck");
    expect(down.code).toBe(1);
    expect(down.stderr).toContain(`not reachable: http://127.0.0.1:${port}/readyz`);
  }, 60_000);

  it("is started the same way by the image, `npm start` and the bench, so the bench measures what ships", () => {
    const production = PRODUCTION as { nodeArgs: string[]; env: Record<string, string> };
    const dockerfile = readFileSync(path.join(root, "Dockerfile"), "utf8");
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)?.[1] ?? "[]") as string[];
    expect(cmd).toEqual(["node", ...production.nodeArgs, "dist/roster.mjs"]);
    // The last stage's ENV (a line per variable, continued with backslashes).
    const env = /^ENV ((?:.*\\\n)*.*)$/gm;
    const lastEnv = [...dockerfile.matchAll(env)].pop()?.[1] ?? "";
    for (const [k, v] of Object.entries(production.env)) expect(lastEnv).toMatch(new RegExp(`(^|\\s)${k}=${v}(\\s|$)`));
    const start = (JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts.start;
    const envPrefix = Object.entries(production.env).map(([k, v]) => `${k}=${v} `).join("");
    expect(start).toContain(`${envPrefix}node ${production.nodeArgs.join(" ")} dist/roster.mjs`);
  });
});
