import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

/** The project root: child processes run `server/main.ts` from here, through tsx (no build needed). */
export const root = fileURLToPath(new URL("..", import.meta.url));

/** Every process a test started; `killChildren()` in afterAll ends any still running. */
export const children = new Set<ChildProcess>();

export function killChildren(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
}

/** Polls `probe` until it returns something truthy, or fails after `ms` naming what it waited for. */
export async function until<T>(what: string, ms: number, probe: () => T | undefined | false, every = 50): Promise<T> {
  for (const end = Date.now() + ms; ; await new Promise((r) => setTimeout(r, every))) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
  }
}

export interface ServerProcess {
  proc: ChildProcess;
  base: string;
  /** The server's JSON log lines so far. */
  logs: Record<string, unknown>[];
}

/** The server (from the sources through tsx, or `entry`) on `dataDir`, a free port on loopback, our environment without ROSTER_*. */
function spawnRoster(dataDir: string, env: Record<string, string>, entry?: string): ChildProcess {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("ROSTER_") && k !== "PORT" && k !== "HOST"));
  const proc = spawn(process.execPath, entry ? [entry] : ["--import", "tsx", "server/main.ts"], {
    cwd: root,
    env: { ...inherited, PORT: "0", HOST: "127.0.0.1", ROSTER_DATA_DIR: dataDir, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(proc);
  return proc;
}

/**
 * The real server as a child process on port 0 of the loopback, with the
 * caller's ROSTER_* settings only; resolves once its log says which port.
 * `entry`: a built file to run instead of server/main.ts through tsx.
 */
export async function spawnServer(dataDir: string, env: Record<string, string> = {}, opts: { entry?: string } = {}): Promise<ServerProcess> {
  const proc = spawnRoster(dataDir, { ROSTER_LOG_LEVEL: "info", ...env }, opts.entry);
  const logs: Record<string, unknown>[] = [];
  let stderr = "";
  proc.stderr!.on("data", (d: Buffer) => void (stderr += d.toString()));
  createInterface({ input: proc.stdout! }).on("line", (line) => {
    try {
      logs.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // not a log line
    }
  });
  const port = await until(`the server to listen (${stderr})`, 15_000, () => {
    if (proc.exitCode !== null) throw new Error(`the server exited: ${stderr}`);
    return logs.find((l) => typeof l.port === "number")?.port as number | undefined;
  });
  return { proc, base: `http://127.0.0.1:${port}`, logs };
}

/** Runs the server until it exits on its own (a start it refuses): its exit code, stdout's JSON lines, and stderr. */
export async function runUntilExit(dataDir: string, env: Record<string, string> = {}): Promise<{ code: number | null; lines: Record<string, unknown>[]; stderr: string }> {
  const proc = spawnRoster(dataDir, env);
  let out = "";
  let stderr = "";
  proc.stdout!.on("data", (d: Buffer) => void (out += d.toString()));
  proc.stderr!.on("data", (d: Buffer) => void (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => proc.once("exit", (c) => resolve(c)));
  const lines = out
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { code, lines, stderr };
}
