import { describe, expect, it } from "vitest";
import { dictionaries, fromAcceptLanguage, t, toLang } from "./index.js";

const { en, ja } = dictionaries;

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("i18n dictionaries", () => {
  it("en and ja have exactly the same keys", () => {
    expect(Object.keys(ja).sort()).toEqual(Object.keys(en).sort());
  });

  it("every message is translated (no empty strings) and keeps the same placeholders", () => {
    for (const [key, text] of Object.entries(en)) {
      const other = (ja as Record<string, string>)[key] ?? "";
      expect(text.trim(), key).not.toBe("");
      expect(other.trim(), key).not.toBe("");
      expect(placeholders(other), key).toEqual(placeholders(text));
    }
  });

  it("the page strings in Japanese are Japanese, not copies of the English", () => {
    const same = Object.keys(en).filter((k) => /^(page|nav|form|account|admin)\./.test(k) && (ja as Record<string, string>)[k] === (en as Record<string, string>)[k]);
    expect(same).toEqual([]);
  });

  it("fills placeholders and picks languages", () => {
    expect(t("ja", "error.rate_limited", { seconds: 30 })).toContain("30秒");
    expect(t("en", "no.such.key")).toBe("no.such.key");
    expect(toLang("ja-JP")).toBe("ja");
    expect(fromAcceptLanguage("fr, ja;q=0.8, en;q=0.5")).toBe("ja");
  });
});
