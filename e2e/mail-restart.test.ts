import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { decodeWords, parseMime, startUpstream, type Reply, type Upstream } from "../server/test/smtp-upstream.js";
import { killChildren, spawnServer, until, type ServerProcess } from "./process.js";

/**
 * SPEC §5 durability: mail written to the outbox survives `kill -9` and is
 * delivered after the next start. The server runs as a real child process
 * (through tsx, so no build is needed) on a temporary data directory.
 */
const PASSWORD = "correct horse battery";
const upstreams: Upstream[] = [];
const dirs: string[] = [];

afterAll(async () => {
  killChildren();
  await Promise.all(upstreams.map((u) => u.close()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

type Server = ServerProcess;

const startServer = (dataDir: string, smtpUrl: string): Promise<Server> => spawnServer(dataDir, { ROSTER_SMTP_URL: smtpUrl });

async function register(s: Server, body: Record<string, unknown>) {
  const r = await fetch(`${s.base}/api/v1/auth/register`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ password: PASSWORD, ...body }) });
  expect(r.status, await r.clone().text()).toBe(201);
}

async function killHard(s: Server) {
  const exited = once(s.proc, "exit");
  s.proc.kill("SIGKILL");
  await exited;
}

function outboxRow(dataDir: string, to: string) {
  const db = new Database(path.join(dataDir, "roster.db"), { readonly: true, fileMustExist: true });
  try {
    return db.prepare("SELECT kind, status, attempts FROM mail_outbox WHERE to_address = ?").get(to) as { kind: string; status: string; attempts: number } | undefined;
  } finally {
    db.close();
  }
}

/** Owner, then a member whose confirmation mail the upstream does not take; returns the first server. */
async function queueUndeliveredMail(reply: Reply, member: string) {
  const upstream = await startUpstream({ reply });
  upstreams.push(upstream);
  const dataDir = mkdtempSync(path.join(tmpdir(), "roster-e2e-mail-"));
  dirs.push(dataDir);
  const first = await startServer(dataDir, upstream.url);
  await register(first, { email: "owner@acme.test", userId: "owner", organizationName: "Acme" });
  await register(first, { email: member });
  return { upstream, dataDir, first };
}

async function expectDeliveredAfterRestart(upstream: Upstream, dataDir: string, member: string) {
  upstream.setReply("accept");
  const second = await startServer(dataDir, upstream.url);
  const [mail] = await upstream.waitFor(1, 20_000);
  expect(mail!.to).toEqual([member]);
  const parsed = parseMime(mail!.raw);
  expect(decodeWords(parsed.headers.get("subject") ?? "")).toBe("Confirm your email address");
  expect(parsed.parts[0]?.body).toMatch(/\/verify-email\?token=[\w-]+/);
  await until("the row to be marked sent", 5_000, () => outboxRow(dataDir, member)?.status === "sent");
  // A graceful stop lets the worker finish and exits cleanly.
  const exited = once(second.proc, "exit");
  second.proc.kill("SIGTERM");
  expect((await exited)[0]).toBe(0);
}

describe("mail survives kill -9", () => {
  it("a confirmation mail the upstream deferred (451) is delivered after a restart", async () => {
    const member = "member@acme.test";
    const { upstream, dataDir, first } = await queueUndeliveredMail(451, member);
    await until("the first attempt to be deferred", 10_000, () => first.logs.some((l) => l.msg === "mail deferred" && l.to === member));
    expect(outboxRow(dataDir, member)).toEqual({ kind: "verify_email", status: "deferred", attempts: 1 });
    await killHard(first);
    expect(upstream.received).toHaveLength(0);
    await expectDeliveredAfterRestart(upstream, dataDir, member);
  }, 30_000);

  it("a mail in flight when the process dies is sent again after a restart", async () => {
    const member = "inflight@acme.test";
    const { upstream, dataDir, first } = await queueUndeliveredMail("hang", member);
    await until("the upstream to receive the message data", 10_000, () => upstream.dataStarted() > 0);
    expect(outboxRow(dataDir, member)).toEqual({ kind: "verify_email", status: "sending", attempts: 0 });
    await killHard(first);
    await expectDeliveredAfterRestart(upstream, dataDir, member);
  }, 30_000);
});
