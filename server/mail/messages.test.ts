import { describe, expect, it } from "vitest";
import { renderMail } from "./messages.js";

describe("the mails Roster writes", () => {
  it("show the confirmation code once, after the line that says what it is for, in both parts", () => {
    for (const lang of ["en", "ja"]) {
      const m = renderMail({ kind: "verify_email", name: "Ann", url: "http://localhost:8080/verify-email?token=x", code: "493817" }, lang, "http://localhost:8080");
      expect(m.text.match(/493817/g), lang).toHaveLength(1);
      expect(m.html.match(/493817/g), lang).toHaveLength(1);
    }
  });

  it("say their language to mail programs (Japanese fonts for Japanese) and keep an invitation message's line breaks in HTML", () => {
    const ja = renderMail({ kind: "invitation", organization: "株式会社テスト", inviter: "田中", message: "ようこそ。\n来週からよろしく。", url: "http://localhost:8080/invite/x" }, "ja", "http://localhost:8080");
    expect(ja.html).toMatch(/<html lang="ja">/);
    expect(ja.html).toMatch(/<p style="white-space:pre-line">ようこそ。\n来週からよろしく。<\/p>/);
    expect(ja.subject).toBe("「株式会社テスト」への参加のご案内");
    expect(ja.text).toContain("田中さんから、チームチャットの「株式会社テスト」への登録依頼が届きました。");
    // Regression: the mail names the request as the page it opens does (登録依頼), not 招待.
    expect(ja.html).toContain("登録依頼を確認する");
    expect(`${ja.subject}\n${ja.text}\n${ja.html}`).not.toContain("招待");
    expect(renderMail({ kind: "test" }, "en", "http://localhost:8080").html).toMatch(/<html lang="en">/);
  });
});
