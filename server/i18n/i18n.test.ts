import { describe, expect, it } from "vitest";
import { dictionaries, fromAcceptLanguage, t, toLang } from "./index.js";
import { ja as jaCore } from "./ja.js";
import { adminOrgMessages } from "./admin-org.js";
import { adminMailMessages } from "./admin-mail.js";

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

  describe("one Japanese word for one thing", () => {
    // The messages of these files; admin-users.ts is checked where it is written.
    const own = Object.entries({ ...jaCore, ...adminOrgMessages.ja, ...adminMailMessages.ja });
    const saying = (re: RegExp) => own.filter(([, text]) => re.test(text)).map(([key]) => key);
    const jaOf = (key: string) => (ja as Record<string, string>)[key] ?? key;
    const enOf = (key: string) => (en as Record<string, string>)[key] ?? key;

    it("regression: a registration request is 登録依頼 (as the admin pages say), never 招待", () => {
      expect(saying(/招待/)).toEqual([]);
      expect(jaOf("admin.invitations.title")).toBe("登録依頼");
      // The mail the person receives leads to the page that calls it so.
      expect(jaOf("mail.invitation.button")).toContain("登録依頼");
      expect(jaOf("invite.pageTitle")).toBe("登録依頼");
    });

    it("regression: one term each for friend requests (友だち申請), setup links (設定用リンク) and the registration policy (登録ポリシー)", () => {
      expect(saying(/友だちリクエスト/)).toEqual([]);
      expect(jaOf("account.profile.friendPolicy")).toBe("友だち申請");
      expect(saying(/設定リンク/)).toEqual([]);
      expect(jaOf("setup.badLinkTitle")).toContain("設定用リンク");
      expect(saying(/登録できる人/)).toEqual([]);
      expect(jaOf("admin.approvals.intro")).toContain(jaOf("admin.settings.registration"));
      expect(enOf("admin.approvals.intro").toLowerCase()).toContain(enOf("admin.settings.registration").toLowerCase());
    });

    it("regression: an organization's domains are its 所有ドメイン, never 登録 (which is registration)", () => {
      expect(saying(/登録メールドメイン|ドメインを登録|登録したドメイン|登録済みのドメイン|登録済みのメールドメイン|ものとして登録/)).toEqual([]);
      expect(jaOf("admin.orgs.domains")).toBe("所有ドメイン");
      for (const key of ["admin.orgs.intro", "admin.orgs.domainsHint", "admin.orgs.domainTaken", "admin.settings.policy.domain", "page.register.claimDomain"]) expect(jaOf(key), key).toContain("所有");
    });
  });

  it("fills placeholders and picks languages", () => {
    expect(t("ja", "error.rate_limited", { seconds: 30 })).toContain("30秒");
    expect(t("en", "no.such.key")).toBe("no.such.key");
    expect(toLang("ja-JP")).toBe("ja");
    expect(fromAcceptLanguage("fr, ja;q=0.8, en;q=0.5")).toBe("ja");
  });
});
