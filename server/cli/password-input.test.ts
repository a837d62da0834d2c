import { existsSync } from "node:fs";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { databaseFile } from "../db/client.js";
import { runCommand } from "./commands.js";
import type { PasswordSource } from "./password-input.js";
import { dataDir, depsFor, EMAIL, err, logIn, withOwner } from "./test-kit.js";

/** Standard input as a pipe (`printf … | roster …`), or as a terminal that records raw mode. */
function source(o: { tty?: boolean; lines?: string[] } = {}) {
  const stdin = new PassThrough() as PassThrough & { isTTY?: boolean; setRawMode?: (raw: boolean) => void; raw: boolean[] };
  const prompt = new PassThrough();
  const shown: string[] = [];
  prompt.on("data", (c: Buffer) => shown.push(c.toString()));
  stdin.raw = [];
  if (o.tty) {
    stdin.isTTY = true;
    stdin.setRawMode = (raw) => void stdin.raw.push(raw);
    // Keys arrive one line at a time, as someone types them after each prompt.
    let next = 0;
    prompt.on("data", (c: Buffer) => {
      if (/: $/.test(c.toString()) && next < (o.lines ?? []).length) setImmediate(() => stdin.write(o.lines![next++]!));
    });
  } else {
    stdin.end((o.lines ?? []).join(""));
  }
  const src: PasswordSource = { stdin, prompt };
  return { src, stdin, shown };
}

describe("CLI passwords without the command line (ps, shell history)", () => {
  it("--password-stdin takes the first line of standard input", async () => {
    const dir = await withOwner();
    const { src } = source({ lines: ["brand-new-pass-7\n", "ignored second line\n"] });
    expect(await runCommand("reset-password", ["--login", "boss", "--password-stdin"], src)).toBe(0);
    expect((await logIn(depsFor(dir), "boss", "brand-new-pass-7")).user.userId).toBe("boss");
  });

  it("create-admin reads it from standard input as well, with Windows line ends", async () => {
    const dir = dataDir();
    const { src } = source({ lines: ["first-owner-pass-9\r\n"] });
    expect(await runCommand("create-admin", ["--email", EMAIL, "--user-id", "boss", "--password-stdin"], src)).toBe(0);
    expect((await logIn(depsFor(dir), "boss", "first-owner-pass-9")).user.userId).toBe("boss");
  });

  it("on a terminal, with neither flag, asks twice without echo; Backspace deletes what was typed", async () => {
    const dir = await withOwner();
    const { src, stdin, shown } = source({ tty: true, lines: ["brand-new-pass-7x\u007f\r", "brand-new-pass-7\r"] });
    expect(await runCommand("reset-password", ["--login", "boss"], src)).toBe(0);
    expect(shown.join("")).toBe("New password: \nAgain: \n");
    expect(stdin.raw).toEqual([true, false, true, false]);
    expect((await logIn(depsFor(dir), "boss", "brand-new-pass-7")).user.userId).toBe("boss");
  });

  it("on a terminal, takes both lines pasted at once, and a character whose bytes arrive in two reads", async () => {
    const dir = await withOwner();
    const pw = "パスワード-long-7";
    const bytes = Buffer.from(`${pw}\r${pw}\r`);
    const stdin = new PassThrough() as PassThrough & { isTTY?: boolean; setRawMode?: (raw: boolean) => void };
    stdin.isTTY = true;
    stdin.setRawMode = () => undefined;
    const prompt = new PassThrough();
    let sent = false;
    prompt.on("data", (c: Buffer) => {
      if (sent || !/: $/.test(c.toString())) return;
      sent = true;
      // Split inside the first "パ" (three bytes in UTF-8), then the rest with both Enters.
      setImmediate(() => {
        stdin.write(bytes.subarray(0, 1));
        setImmediate(() => stdin.write(bytes.subarray(1)));
      });
    });
    expect(await runCommand("reset-password", ["--login", "boss"], { stdin, prompt })).toBe(0);
    expect((await logIn(depsFor(dir), "boss", pw)).user.userId).toBe("boss");
  });

  it("refuses two different passwords typed, Ctrl-C, a pipe without --password-stdin, an empty line, and both flags; nothing is changed or created", async () => {
    const dir = await withOwner();
    const cases: [string[], ReturnType<typeof source>, RegExp][] = [
      [["--login", "boss"], source({ tty: true, lines: ["brand-new-pass-7\r", "brand-new-pass-8\r"] }), /differ/],
      [["--login", "boss"], source({ tty: true, lines: ["brand-new\u0003"] }), /cancelled/],
      [["--login", "boss"], source({ lines: ["brand-new-pass-7\n"] }), /--password-stdin/],
      [["--login", "boss", "--password-stdin"], source({ lines: ["\n"] }), /held no password/],
      [["--login", "boss", "--password-stdin", "--password", "brand-new-pass-7"], source(), /not both/],
    ];
    for (const [args, { src }, message] of cases) {
      err.length = 0;
      expect(await runCommand("reset-password", args, src), args.join(" ")).toBe(2);
      expect(err.join("\n"), args.join(" ")).toMatch(message);
    }
    expect((await logIn(depsFor(dir), "boss", "correct-horse-42")).user.userId).toBe("boss");

    const empty = dataDir();
    expect(await runCommand("create-admin", ["--email", EMAIL], source().src)).toBe(2);
    expect(existsSync(databaseFile(empty))).toBe(false);
  });
});
