import { beforeAll, describe, expect, it } from "vitest";
import { createTestApp, ORIGIN, PASSWORD, registerMember, setupOwner, type TestApp } from "../../test/harness.js";
import { expectProblem } from "../../test/api.js";

/** Every JSON endpoint of the spine, with a body that is valid but for the field under test. */
const endpoints: { method: string; path: string; user?: boolean; body: Record<string, unknown>; nullable?: string[] }[] = [
  {
    method: "POST",
    path: "/api/v1/auth/register",
    body: { email: "new@acme.test", password: PASSWORD, userId: "newbie", nickname: "New", organizationName: "Org", claimDomain: true, language: "en" },
  },
  { method: "POST", path: "/api/v1/auth/verify-email", body: { email: "ken@acme.test", code: "123456" } },
  { method: "POST", path: "/api/v1/auth/verify-email", body: { token: "a".repeat(32) } },
  { method: "POST", path: "/api/v1/auth/resend-verification", body: { email: "ken@acme.test" } },
  { method: "POST", path: "/api/v1/auth/login", body: { login: "ken", password: PASSWORD, device: "phone" } },
  { method: "POST", path: "/api/v1/auth/password-reset", body: { email: "ken@acme.test" } },
  { method: "POST", path: "/api/v1/auth/password-reset/confirm", body: { token: "a".repeat(32), password: "a new good secret" } },
  {
    method: "PATCH",
    path: "/api/v1/me",
    user: true,
    body: { nickname: "K", avatarUrl: "", groupName: "Sales", gender: "male", birthDate: "1990-01-01", location: "Tokyo", statusMessage: "hi", language: "ja", friendPolicy: "allow_any", messageSettings: { pushOffline: true } },
    nullable: ["birthDate"],
  },
  { method: "POST", path: "/api/v1/me/password", user: true, body: { currentPassword: PASSWORD, newPassword: "a new good secret" } },
  { method: "POST", path: "/api/v1/me/email", user: true, body: { newEmail: "new@acme.test", password: PASSWORD } },
];

const wrongValues: [string, unknown][] = [
  ["a number", 42],
  ["a boolean", true],
  ["null", null],
  ["an array", ["x"]],
  ["an empty array", []],
  ["an object", { a: 1 }],
  ["a nested object", { a: { b: [1, { c: null }] } }],
];

let t: TestApp;
let token: string;

beforeAll(async () => {
  t = createTestApp();
  await setupOwner(t);
  token = (await registerMember(t, "ken@acme.test", { userId: "ken" })).token;
});

const send = (e: (typeof endpoints)[number], body: string, headers: Record<string, string> = { "content-type": "application/json" }) =>
  t.request(e.path, { method: e.method, body, headers, token: e.user ? token : undefined });

const fieldCases = endpoints.flatMap((e) =>
  Object.keys(e.body).flatMap((field) =>
    wrongValues
      // A boolean is the right type for these.
      .filter(([, v]) => !(typeof v === "boolean" && field === "claimDomain"))
      // An object is the right type for messageSettings (its unknown keys are ignored).
      .filter(([, v]) => !(field === "messageSettings" && v !== null && typeof v === "object" && !Array.isArray(v)))
      .filter(([, v]) => !(v === null && e.nullable?.includes(field)))
      .map(([what, value]) => [`${e.method} ${e.path} ${field}`, what, e, field, value] as const),
  ),
);

describe("a field of the wrong type answers 400 validation_failed naming it, never 500", () => {
  it.each(fieldCases)("%s: %s", async (_, __, e, field, value) => {
    const p = await expectProblem(await send(e, JSON.stringify({ ...e.body, [field]: value })), 400, "validation_failed");
    const named = Object.keys(p.errors ?? {});
    // verify-email takes one of two shapes, so a broken field may be reported for the body as a whole.
    expect(named.some((k) => k === field || k.startsWith(`${field}.`) || k === "body")).toBe(true);
  });

  it.each(wrongValues.filter(([, v]) => typeof v !== "boolean"))("PATCH /me messageSettings.pushOffline: %s", async (_, value) => {
    const e = endpoints.find((x) => x.method === "PATCH")!;
    await expectProblem(await send(e, JSON.stringify({ messageSettings: { pushOffline: value } })), 400, "validation_failed");
  });
});

describe("a body that is not a JSON object", () => {
  const bodies: [string, string][] = [
    ["a number", "42"],
    ["a string", '"hello"'],
    ["an array", '[{"email":"ken@acme.test"}]'],
    ["null", "null"],
    ["true", "true"],
  ];
  it.each(endpoints.flatMap((e) => bodies.map(([what, body]) => [`${e.method} ${e.path}`, what, e, body] as const)))(
    "%s with %s answers 400 validation_failed",
    async (_, __, e, body) => {
      await expectProblem(await send(e, body), 400, "validation_failed");
    },
  );

  it.each(endpoints.flatMap((e) => ['{"email":', "{'email': 'x'}", '{"a":1,}', "NaN", "{", "\u0000"].map((body) => [`${e.method} ${e.path}`, body, e] as const)))(
    "%s with malformed JSON %j answers 400 validation_failed",
    async (_, body, e) => {
      const p = await expectProblem(await send(e, body), 400, "validation_failed");
      expect(p.errors).toEqual({ body: "The body is not valid JSON." });
    },
  );
});

describe("body size and media type (SPEC §6)", () => {
  const register = endpoints[0]!;
  const patchMe = endpoints.find((e) => e.method === "PATCH")!;

  it.each([
    ["register", register, JSON.stringify({ email: "big@acme.test", password: "x".repeat(1024 * 1024) })],
    ["PATCH /me", patchMe, JSON.stringify({ nickname: "x".repeat(1024 * 1024 + 1) })],
    // Bytes count, not characters: 400 000 three-byte characters are 1.2 MB.
    ["register, multibyte", register, JSON.stringify({ email: "big@acme.test", nickname: "あ".repeat(400_000) })],
  ])("refuses a body over 1 MB (%s) with 413 payload_too_large", async (_, e, body) => {
    await expectProblem(await send(e, body), 413, "payload_too_large");
  });

  it("reads a body just under 1 MB (and judges its fields)", async () => {
    const body = JSON.stringify({ nickname: "x".repeat(1024 * 1024 - 100) });
    const p = await expectProblem(await send(patchMe, body), 400, "validation_failed");
    expect(p.errors).toHaveProperty("nickname");
  });

  it.each([
    ["application/xml", "<email>ken@acme.test</email>", {}],
    ["application/x-www-form-urlencoded", "email=ken%40acme.test", { origin: ORIGIN }],
    ["text/plain", '{"email":"ken@acme.test"}', { origin: ORIGIN }],
    ["multipart/form-data; boundary=x", "--x\r\n\r\nken\r\n--x--", { origin: ORIGIN }],
    // JSON is UTF-8; another charset would be read wrong, not converted.
    ["application/json; charset=utf-16", '{"email":"ken@acme.test"}', {}],
    ['application/json; charset="Shift_JIS"', '{"email":"ken@acme.test"}', {}],
  ])("refuses a %s body with 415 unsupported_media_type", async (type, body, extra) => {
    const e = endpoints.find((x) => x.path.endsWith("/password-reset"))!;
    await expectProblem(await send(e, body, { "content-type": type, ...extra }), 415, "unsupported_media_type");
  });

  it("refuses a body without a content type from an API client with 415", async () => {
    const r = await t.request("/api/v1/me", { method: "PATCH", body: '{"nickname":"x"}', headers: { authorization: `Bearer ${token}` } });
    const p = await expectProblem(r, 415, "unsupported_media_type");
    // (A string body gets text/plain from the Request it is sent in, as from fetch.)
    expect(p.detail).toBe("The body was sent as text/plain; send it as application/json.");
  });

  it("accepts application/json with a charset and application/*+json", async () => {
    for (const type of ["application/json; charset=utf-8", "application/json;charset=UTF8", "application/merge-patch+json"]) {
      const r = await t.request("/api/v1/me", { method: "PATCH", body: '{"location":"Kyoto"}', headers: { "content-type": type }, token });
      expect(r.status).toBe(200);
    }
  });
});

describe("unknown paths under /api", () => {
  it.each([
    ["GET", "/api/v1/nope"],
    ["GET", "/api/v1/auth/nope"],
    ["POST", "/api/v1/auth/nope"],
    ["GET", "/api/v2/server"],
    ["GET", "/api/"],
    ["GET", "/api/v1/me/nope"],
    ["DELETE", "/api/v1/server"],
  ])("%s %s answers 404 not_found as problem+json", async (method, path) => {
    await expectProblem(await t.request(path, { method, token, headers: method === "GET" ? {} : { "content-type": "application/json" }, body: method === "GET" ? undefined : "{}" }), 404, "not_found");
  });
});
