import { performance } from "node:perf_hooks";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { generateSecret } from "../../auth/tokens.js";
import { createTestApp, setupOwner, type TestApp } from "../../test/harness.js";
import { expectProblem } from "../../test/api.js";
import { anyString, isWellFormed, someIp } from "../../test/hostile.js";

/**
 * Issue 7 item 4, tokens: every kind of token (mailed links, registration
 * requests, sessions, API keys) given random strings answers invalid_token
 * (or 401 for credentials), never a 5xx, and takes as long for a
 * well-formed unknown token as for garbage.
 */
const RUNS = 100;
const NEW_PASSWORD = "a new good secret";

let t: TestApp;
let owner: string;
let apiKey: string;

beforeAll(async () => {
  t = createTestApp();
  owner = (await setupOwner(t)).token;
  apiKey = ((await (await t.request("/api/v1/admin/api-keys", { token: owner, json: { name: "chat" } })).json()) as { key: string }).key;
  // Live tokens of every kind exist, so a lookup has rows to (not) find.
  await t.request("/api/v1/admin/invitations", { token: owner, json: { email: "invitee@acme.test" } });
  await t.request("/api/v1/admin/users", { token: owner, json: { userId: "setup.me" } });
  await t.request("/api/v1/auth/password-reset", { json: { email: "owner@acme.test" } });
});

/** A random token as a client could send it: any length up to the schema's 200, any characters. */
const randomToken = fc.oneof(
  anyString.filter((s) => s.length <= 200),
  fc.string({ unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz234567"), minLength: 16, maxLength: 64 }),
  fc.string({ unit: "grapheme-ascii", maxLength: 200 }),
);
/** One that can also go in a URL path. */
const pathToken = randomToken.filter((s) => s.length > 0 && s !== "." && s !== ".." && isWellFormed(s));

const post = (path: string, json: unknown, ip: string) => t.request(path, { json, headers: { "x-test-client-ip": ip } });

/** The mailed-link and request kinds: a random token is invalid_token (400). */
const kinds: [string, (token: string, ip: string) => Promise<Response>][] = [
  ["verify-email {token}", (s, ip) => post("/api/v1/auth/verify-email", { token: s }, ip)],
  ["password-reset/confirm", (s, ip) => post("/api/v1/auth/password-reset/confirm", { token: s, password: NEW_PASSWORD }, ip)],
  ["auth/setup", (s, ip) => post("/api/v1/auth/setup", { token: s, password: NEW_PASSWORD }, ip)],
  ["GET invitations/:token", (s, ip) => t.request(`/api/v1/invitations/${encodeURIComponent(s)}`, { headers: { "x-test-client-ip": ip } })],
  ["POST invitations/:token/accept", (s, ip) => post(`/api/v1/invitations/${encodeURIComponent(s)}/accept`, { userId: "newbie", password: NEW_PASSWORD }, ip)],
];

describe("random tokens are invalid_token, never 5xx", () => {
  it.each(kinds)("%s", async (_, send) => {
    await fc.assert(
      fc.asyncProperty(pathToken, someIp, async (token, ip) => {
        await expectProblem(await send(token, ip), 400, "invalid_token");
      }),
      { numRuns: RUNS },
    );
  });

  it("a 6-digit code for an address with no pending account is invalid_token", async () => {
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(/^\d{6}$/), someIp, async (code, ip) => {
        await expectProblem(await post("/api/v1/auth/verify-email", { email: "owner@acme.test", code }, ip), 400, "invalid_token");
      }),
      { numRuns: RUNS },
    );
  });

  it("the pages that take a token answer a bad-link page (400 or 404), never 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(pathToken, async (token) => {
        const q = encodeURIComponent(token);
        for (const path of [`/verify-email?token=${q}`, `/reset-password?token=${q}`, `/setup?token=${q}`, `/invite/${q}`]) {
          const r = await t.request(path);
          expect([400, 404], `${path} → ${r.status}`).toContain(r.status);
          expect(r.headers.get("content-type")).toMatch(/^text\/html/);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe("random credentials are 401, never 5xx", () => {
  /** What a header can carry: visible ASCII and spaces (anything else the client itself refuses). */
  const headerToken = fc.oneof(
    fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 300 }),
    fc.tuple(fc.string({ unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz234567"), minLength: 1, maxLength: 40 }), fc.string({ unit: "grapheme-ascii", maxLength: 60 })).map(([a, b]) => `${a}.${b}`),
    fc.string({ unit: "grapheme-ascii", maxLength: 80 }).map((s) => `rk_${s}`),
  );

  it("a random Bearer token on a user route is 401 unauthenticated", async () => {
    await fc.assert(
      fc.asyncProperty(headerToken, async (token) => {
        await expectProblem(await t.request("/api/v1/me", { headers: { authorization: `Bearer ${token}` } }), 401, "unauthenticated");
        await expectProblem(await t.request("/api/v1/admin/users", { headers: { authorization: `Bearer ${token}` } }), 401, "unauthenticated");
      }),
      { numRuns: RUNS },
    );
  });

  it("a random session cookie is 401 too, and the cookie is cleared", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz234567._-"), minLength: 1, maxLength: 200 }), async (token) => {
        const r = await t.request("/api/v1/me", { cookie: `roster_session=${token}` });
        await expectProblem(r, 401, "unauthenticated");
        expect(r.headers.getSetCookie().some((l) => l.startsWith("roster_session=;"))).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it("introspection of a random token says only {active:false}", async () => {
    await fc.assert(
      fc.asyncProperty(randomToken, async (token) => {
        const r = await t.request("/api/v1/introspect", { token: apiKey, json: { token } });
        expect(r.status).toBe(200);
        expect(await r.json()).toEqual({ active: false });
      }),
      { numRuns: RUNS },
    );
  });
});

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/**
 * Times `n` requests of each kind, interleaved (so drift, GC and JIT hit
 * both alike), after a warm-up; returns the medians in milliseconds.
 */
async function medians(n: number, a: (i: number) => Promise<Response>, b: (i: number) => Promise<Response>) {
  const ta: number[] = [];
  const tb: number[] = [];
  const time = async (f: () => Promise<Response>, into: number[]) => {
    const start = performance.now();
    const r = await f();
    await r.arrayBuffer();
    into.push(performance.now() - start);
  };
  for (let i = 0; i < 20; i++) await Promise.all([(await a(i)).arrayBuffer(), (await b(i)).arrayBuffer()]);
  for (let i = 0; i < n; i++) {
    if (i % 2) {
      await time(() => a(i), ta);
      await time(() => b(i), tb);
    } else {
      await time(() => b(i), tb);
      await time(() => a(i), ta);
    }
  }
  return { a: median(ta), b: median(tb) };
}

/**
 * No early exit on how much of a token is right: one-time tokens and
 * registration requests are looked up by the SHA-256 of the whole token
 * (an indexed equality on the hash, so a guess that shares all but one
 * character with a live token is refused exactly like any other); sessions
 * and API keys find their row by a public id and compare SHA-256 of the
 * secret with timingSafeEqual. Garbage is refused before any lookup, so it
 * is a little faster; the bounds are generous on purpose: they catch a gross
 * difference (a password hash on one path and not the other, say), not
 * microseconds, and must never be flaky.
 */
describe("refusing a token takes about as long whatever it looks like", () => {
  const garbage = fc.sample(fc.string({ unit: "grapheme-ascii", minLength: 32, maxLength: 32 }).filter((s) => !/^[a-z2-7]+$/.test(s)), { numRuns: 300, seed: 7 });
  const shaped = Array.from({ length: 300 }, () => generateSecret());
  const ip = (i: number) => `10.9.${i >> 8}.${i & 255}`;
  /** The last character changed: as close to a live token as a guess can get. */
  const nearMiss = (live: string) => `${live.slice(0, -1)}${live.endsWith("a") ? "b" : "a"}`;
  const live: Record<string, string> = {};

  beforeAll(async () => {
    await t.request("/api/v1/auth/register", { json: { email: "pending@acme.test", password: "correct horse battery" } });
    live.verify = t.mailbox.tokenIn(t.mailbox.lastMessage("pending@acme.test"));
    live.reset = t.mailbox.tokenIn(t.mailbox.lastMessage("owner@acme.test"));
    const created = (await (await t.request("/api/v1/admin/users", { token: owner, json: { userId: "timing.setup" } })).json()) as { setupUrl: string };
    live.setup = new URL(created.setupUrl).searchParams.get("token")!;
    live.invitation = new URL(t.mailbox.linkIn(t.mailbox.lastMessage("invitee@acme.test"))).pathname.split("/").pop()!;
    live.session = owner;
    live.apiKey = apiKey;
  });

  const cases: [string, (token: string, i: number) => Promise<Response>, { live: string; shape: (s: string) => string }][] = [
    ["verify-email", (s, i) => post("/api/v1/auth/verify-email", { token: s }, ip(i)), { live: "verify", shape: (s) => s }],
    ["password-reset/confirm", (s, i) => post("/api/v1/auth/password-reset/confirm", { token: s, password: NEW_PASSWORD }, ip(i)), { live: "reset", shape: (s) => s }],
    ["auth/setup", (s, i) => post("/api/v1/auth/setup", { token: s, password: NEW_PASSWORD }, ip(i)), { live: "setup", shape: (s) => s }],
    ["invitations/:token/accept", (s, i) => post(`/api/v1/invitations/${encodeURIComponent(s)}/accept`, { userId: "newbie", password: NEW_PASSWORD }, ip(i)), { live: "invitation", shape: (s) => s }],
    ["Bearer session", (s) => t.request("/api/v1/me", { headers: { authorization: `Bearer ${s}` } }), { live: "session", shape: (s) => `${s.slice(0, 24)}.${s}` }],
    ["Bearer API key", (s) => t.request("/api/v1/me", { headers: { authorization: `Bearer ${s}` } }), { live: "apiKey", shape: (s) => `rk_${s.slice(0, 16)}_${s}` }],
  ];

  const within = (m: { a: number; b: number }, what: string) => {
    const ratio = m.a / m.b;
    const msg = `${what}: ${m.a.toFixed(3)} ms vs ${m.b.toFixed(3)} ms`;
    expect(ratio, msg).toBeGreaterThan(1 / 3);
    expect(ratio, msg).toBeLessThan(3);
  };

  it.each(cases)("%s: a well-formed unknown token vs garbage (medians over 200 each, within 3×)", async (_, send, o) => {
    within(await medians(200, (i) => send(o.shape(shaped[i]!), i), (i) => send(o.shape(garbage[i]!), i)), "well-formed vs garbage");
  });

  it.each(cases)("%s: one character off a live token vs a random well-formed one (within 3×)", async (_, send, o) => {
    const near = nearMiss(live[o.live]!);
    within(await medians(200, (i) => send(near, i), (i) => send(o.shape(shaped[i]!), i)), "near miss vs unknown");
    // The near miss is refused like any other wrong token.
    expect((await send(near, 999)).status).toBeGreaterThanOrEqual(400);
  });
});
