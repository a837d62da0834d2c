import { describe, expect, it } from "vitest";
import { ftsQuery, fullWidth, halfWidthKana, searchText } from "./text-search.js";

describe("the forms a search is tried in", () => {
  it("writes katakana half-width as NFKC reads it back, voiced marks included", () => {
    expect(halfWidthKana("ガギグゲゴ パピプペポ ヴ")).toBe("ｶﾞｷﾞｸﾞｹﾞｺﾞ ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ ｳﾞ");
    expect(halfWidthKana("ヤマダ・タロウー「」。、")).toBe("ﾔﾏﾀﾞ･ﾀﾛｳｰ｢｣｡､");
    // Kanji, hiragana and ASCII stay as they are.
    expect(halfWidthKana("山田 やまだ Yamada")).toBe("山田 やまだ Yamada");
    // Every half-width form comes back as the text it was made from.
    const all = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲンァィゥェォャュョッガザダバパ";
    expect(halfWidthKana(all).normalize("NFKC")).toBe(all);
  });

  it("writes ASCII letters, digits and symbols full-width, and leaves spaces and the rest", () => {
    expect(fullWidth("Tanaka.Hanako@42 タ")).toBe("Ｔａｎａｋａ．Ｈａｎａｋｏ＠４２ タ");
    expect(fullWidth("Tanaka.Hanako@42").normalize("NFKC")).toBe("Tanaka.Hanako@42");
  });

  it("tries each nickname form once, and none that equals the normal one", () => {
    expect(searchText("  ")).toBeNull();
    expect(searchText("\0\0\0")).toBeNull();
    expect(searchText("ta\0naka")).toEqual({ normal: "tanaka", nicknameForms: ["ｔａｎａｋａ"] });
    expect(searchText("tanaka")).toEqual({ normal: "tanaka", nicknameForms: ["ｔａｎａｋａ"] });
    expect(searchText("ＴＡＮＡＫＡ")).toEqual({ normal: "TANAKA", nicknameForms: ["ＴＡＮＡＫＡ"] });
    expect(searchText("ﾔﾏﾀﾞ")).toEqual({ normal: "ヤマダ", nicknameForms: ["ﾔﾏﾀﾞ"] });
    expect(searchText("山田")).toEqual({ normal: "山田", nicknameForms: [] });
  });

  it("goes to LIKE when any form is shorter than a trigram, and quotes what was typed", () => {
    expect(ftsQuery({ normal: "ガギ", nicknameForms: ["ｶﾞｷﾞ"] })).toBeNull();
    expect(ftsQuery(searchText('ab"c') as NonNullable<ReturnType<typeof searchText>>)).toBe('"ab""c" OR nickname : "ａｂ＂ｃ"');
  });
});
