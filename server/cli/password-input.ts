import type { Readable, Writable } from "node:stream";
import { StringDecoder } from "node:string_decoder";

/**
 * Where a CLI command gets a password, so it need not be an argument (which `ps`, the shell's
 * history and `docker inspect` show): `--password-stdin` reads the first line of standard input
 * (`printf '%s\n' "$PW" | roster …`, as `docker login` does); with neither flag, a terminal is
 * asked twice without echo. `--password` still works, for scripts that already use it.
 */
export interface PasswordSource {
  stdin: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  /** Where the prompt is written: stderr, so that stdout stays the command's answer. */
  prompt: Writable;
}

export const processPasswordSource = (): PasswordSource => ({ stdin: process.stdin, prompt: process.stderr });

export class PasswordInputError extends Error {
  /** A mistake in how the command was called (the usage is shown with it), not in what was typed. */
  constructor(message: string, readonly usage = false) {
    super(message);
  }
}

/** The first line of a stream, without its line ending (at most 4 KiB: a password, not a file). */
export async function firstLine(input: Readable): Promise<string> {
  let text = "";
  for await (const chunk of input) {
    text += typeof chunk === "string" ? chunk : (chunk as Buffer).toString("utf8");
    const end = text.search(/\r?\n/);
    if (end >= 0) {
      text = text.slice(0, end);
      break;
    }
    if (text.length > 4096) throw new PasswordInputError("standard input holds no password line (over 4 KiB without a line end)");
  }
  return text;
}

/**
 * Lines typed on a terminal in raw mode, echoing nothing: Enter ends one, Backspace deletes,
 * Ctrl-C and Ctrl-D (on an empty line) give up. What arrives after an Enter (typed ahead, or
 * pasted with both lines) is kept for the next question; bytes are decoded as one UTF-8 stream,
 * so a character split across two reads stays whole. Exported for its test.
 */
export function hiddenLines(source: PasswordSource) {
  const { stdin, prompt } = source;
  const decoder = new StringDecoder("utf8");
  let pending = "";
  return {
    ask(question: string): Promise<string> {
      prompt.write(question);
      return new Promise((resolve, reject) => {
        let typed = "";
        const done = (err: Error | null, rest: string) => {
          stdin.off("data", onData);
          stdin.setRawMode?.(false);
          stdin.pause();
          pending = rest;
          prompt.write("\n");
          if (err) reject(err);
          else resolve(typed);
        };
        const take = (text: string): boolean => {
          const chars = [...text];
          for (let n = 0; n < chars.length; n++) {
            const ch = chars[n]!;
            if (ch === "\r" || ch === "\n") {
              // A CR LF pair is one Enter.
              const next = ch === "\r" && chars[n + 1] === "\n" ? n + 2 : n + 1;
              done(null, chars.slice(next).join(""));
              return true;
            }
            if (ch === "\u0003" || (ch === "\u0004" && typed === "")) {
              done(new PasswordInputError("cancelled"), "");
              return true;
            }
            if (ch === "\u007f" || ch === "\b") typed = [...typed].slice(0, -1).join("");
            else if (ch >= " ") typed += ch;
          }
          return false;
        };
        const onData = (chunk: Buffer | string) => void take(typeof chunk === "string" ? chunk : decoder.write(chunk));
        const left = pending;
        pending = "";
        stdin.setRawMode?.(true);
        if (take(left)) return;
        stdin.on("data", onData);
        stdin.resume();
      });
    },
  };
}

/** The password for a command, from `--password`, `--password-stdin` or the terminal. */
export async function passwordFrom(values: Record<string, string | boolean | undefined>, source: PasswordSource): Promise<string> {
  const given = values.password;
  if (typeof given === "string" && values["password-stdin"]) throw new PasswordInputError("give --password or --password-stdin, not both", true);
  if (typeof given === "string") {
    if (!given) throw new PasswordInputError("--password is empty", true);
    return given;
  }
  if (values["password-stdin"]) {
    const line = await firstLine(source.stdin);
    if (!line) throw new PasswordInputError("--password-stdin: standard input held no password");
    return line;
  }
  if (!source.stdin.isTTY) throw new PasswordInputError("a password is required: --password-stdin (reads standard input), or no flag on a terminal to be asked", true);
  const terminal = hiddenLines(source);
  const first = await terminal.ask("New password: ");
  if (!first) throw new PasswordInputError("no password typed");
  const again = await terminal.ask("Again: ");
  if (again !== first) throw new PasswordInputError("the two passwords differ");
  return first;
}
