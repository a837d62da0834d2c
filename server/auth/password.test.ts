import { dictionary } from "@zxcvbn-ts/language-common";
import { describe, expect, it } from "vitest";
import { argon2Hasher, fastHasher, normalizePassword, passwordProblem } from "./password.js";
import { generateCode, generateSecret, looksLikeToken } from "./tokens.js";

describe("passwordProblem (SPEC §2)", () => {
  const ctx = { userId: "kenji.sato", email: "Kenji.Sato@acme.test" };

  it.each([
    ["seven77", "password.tooShort"],
    ["七文字のパスワ", "password.tooShort"], // 7 characters, 21 bytes
    ["x".repeat(129), "password.tooLong"],
    ["kenji.sato", "password.equalsUserId"],
    ["KENJI.SATO", "password.equalsUserId"],
    ["kenji.sato@ACME.test", "password.equalsEmail"],
    ["password123", "password.common"],
    ["Password123", "password.common"],
    ["iloveyou", "password.common"],
    ["qwertyuiop", "password.common"],
    ["ｐａｓｓｗｏｒｄ１２３", "password.common"],
  ])("refuses %j: %s", (password, reason) => {
    expect(passwordProblem(password, ctx)).toBe(reason);
  });

  it.each(["correct horse battery", "八文字のパスワード", "x".repeat(128), "kenji.sato!", "Tr0ub4dor&3x"])("accepts %j", (password) => {
    expect(passwordProblem(password, ctx)).toBeNull();
  });

  it("counts characters after NFKC: a full-width password is as long as its ASCII form", () => {
    expect(normalizePassword("ｓｅｃｒｅｔ　ｈｏｒｓｅ")).toBe("secret horse");
    expect(passwordProblem("ｐａｓｓ１２３", {})).toBe("password.tooShort");
  });

  it("knows the common-password list the reason refers to", () => {
    const common = dictionary["passwords-common"] as string[];
    expect(common).toContain("password123");
    expect(common.length).toBeGreaterThan(10_000);
  });

  it("refuses every long-enough entry of the list, and only whole entries: two of them across a line break are not one", () => {
    const long = (dictionary["passwords-common"] as string[]).filter((p) => p.length >= 8);
    for (const p of long) expect(passwordProblem(p, {}), p).toBe("password.common");
    expect(passwordProblem(`${long[0]}\n${long[1]}`, {})).toBeNull();
    expect(passwordProblem(`${long[0]!.slice(1)}`.padEnd(8, "~"), {})).toBeNull();
  });
});

describe("argon2Hasher", () => {
  it("hashes with Argon2id m=19456 KiB, t=2, p=1", async () => {
    const hash = await argon2Hasher().hash("correct horse battery");
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it("verifies the NFKC form: full-width and ASCII are the same password", async () => {
    const h = fastHasher();
    const hash = await h.hash("Ｓｅｃｒｅｔ　Ｈｏｒｓｅ　７７");
    expect(await h.verify(hash, "Secret Horse 77")).toBe(true);
    expect(await h.verify(hash, "Secret Horse 78")).toBe(false);
  });

  it("answers false, not an error, for a hash it cannot read", async () => {
    expect(await fastHasher().verify("not a hash", "anything")).toBe(false);
  });
});

describe("secrets", () => {
  it("have at least 120 random bits and survive being typed", () => {
    const a = generateSecret();
    expect(a).toMatch(/^[a-z2-7]{32}$/); // 32 × 5 = 160 bits
    expect(looksLikeToken(a)).toBe(true);
    expect(new Set(Array.from({ length: 100 }, () => generateSecret())).size).toBe(100);
  });

  it("codes are 6 digits", () => {
    for (let i = 0; i < 50; i++) expect(generateCode()).toMatch(/^\d{6}$/);
  });
});
