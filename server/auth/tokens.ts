import { createHash, randomInt, timingSafeEqual } from "node:crypto";
import { encodeBase32LowerCaseNoPadding } from "@oslojs/encoding";

/**
 * Random secrets for sessions, mailed links and API keys: 20 random bytes
 * (160 bits, above the SPEC's 120) in lower-case base32, so they survive
 * being copied out of a mail or typed.
 */
export function generateSecret(bytes = 20): string {
  const b = new Uint8Array(bytes);
  crypto.getRandomValues(b);
  return encodeBase32LowerCaseNoPadding(b);
}

/** Only this hash of a secret is ever stored. (Node's native SHA-256: it runs on every authenticated request.) */
export function hashSecret(secret: string): Buffer {
  return createHash("sha256").update(secret, "utf8").digest();
}

/** Constant-time comparison of two hashes. */
export function sameHash(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The 6-digit code a confirmation mail carries beside its link. */
export function generateCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, "0");
}

/**
 * The code is hashed with the token's own hash as salt, so equal codes on
 * different tokens have different hashes at rest.
 */
export function hashCode(tokenHash: Uint8Array, code: string): Buffer {
  return createHash("sha256").update(tokenHash).update(code).digest();
}

/** A well-formed token is our base32 alphabet; anything else is refused before any lookup. */
export const looksLikeToken = (s: string): boolean => /^[a-z2-7]{16,64}$/.test(s);
