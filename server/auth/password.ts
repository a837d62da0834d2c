import { hash, verify } from "@node-rs/argon2";
import { createRequire } from "node:module";
import path from "node:path";

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
}

/** SPEC §2: Argon2id m=19456 KiB, t=2, p=1. @node-rs/argon2 runs it on libuv's pool, off the event loop. */
export const ARGON2_PARAMS = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;
/** @node-rs/argon2's `Algorithm.Argon2id` (a const enum, which isolated modules cannot import). */
const ARGON2ID = 2;

export function argon2Hasher(params: { memoryCost: number; timeCost: number; parallelism: number } = ARGON2_PARAMS): PasswordHasher {
  const opts = { ...params, algorithm: ARGON2ID };
  return {
    hash: (password) => hash(normalizePassword(password), opts),
    verify: async (h, password) => {
      try {
        return await verify(h, normalizePassword(password));
      } catch {
        return false;
      }
    },
  };
}

/** Fast parameters for tests only: the same algorithm and code path, a fraction of the cost. */
export const fastHasher = (): PasswordHasher => argon2Hasher({ memoryCost: 256, timeCost: 1, parallelism: 1 });

export const normalizePassword = (p: string): string => p.normalize("NFKC");

let common: string | undefined;
/**
 * The common-password list, loaded on the first password check rather than
 * at start (the whole dictionary package is several MB of a server's idle
 * memory). Only the entries long enough to matter are kept, as one string of
 * lines (about 170 kB; a Set of them took 1 MB more), and the package's
 * modules are dropped from the module cache, all of them: one left there
 * kept, through its parent, every list of the package alive (2.5 MB).
 */
function commonPasswords(): string {
  if (common === undefined) {
    const require = createRequire(import.meta.url);
    const id = require.resolve("@zxcvbn-ts/language-common");
    const { dictionary } = require(id) as { dictionary: Record<string, string[]> };
    common = `\n${(dictionary["passwords-common"] ?? []).filter((p) => p.length >= 8).join("\n")}\n`;
    // node_modules/@zxcvbn-ts/: language-common and the decompressor it loads.
    const scope = path.dirname(path.dirname(path.dirname(id))) + path.sep;
    for (const key of Object.keys(require.cache)) if (key.startsWith(scope)) delete require.cache[key];
  }
  return common;
}

/** `lower` is on the common-password list (a line of it; no entry holds a line break). */
const isCommonPassword = (lower: string): boolean => !lower.includes("\n") && commonPasswords().includes(`\n${lower}\n`);

/**
 * SPEC §2 password rules. Returns the i18n key of the reason, or null when the
 * password may be used.
 */
export function passwordProblem(password: string, ctx: { userId?: string | null; email?: string | null }): string | null {
  const p = normalizePassword(password);
  const length = [...p].length;
  if (length < 8) return "password.tooShort";
  if (length > 128) return "password.tooLong";
  const lower = p.toLowerCase();
  if (ctx.userId && lower === ctx.userId.toLowerCase()) return "password.equalsUserId";
  if (ctx.email && lower === ctx.email.toLowerCase()) return "password.equalsEmail";
  if (isCommonPassword(lower)) return "password.common";
  return null;
}
