import { en as enCore } from "./en.js";
import { ja as jaCore } from "./ja.js";
import { adminUsersMessages } from "./admin-users.js";
import { adminOrgMessages } from "./admin-org.js";
import { adminMailMessages } from "./admin-mail.js";

/** Each area keeps its messages in its own file (en and ja side by side); i18n.test.ts checks they match. */
const en = { ...enCore, ...adminUsersMessages.en, ...adminOrgMessages.en, ...adminMailMessages.en };
const ja = { ...jaCore, ...adminUsersMessages.ja, ...adminOrgMessages.ja, ...adminMailMessages.ja };
export const dictionaries = { en, ja };

export const languages = ["en", "ja"] as const;
export type Lang = (typeof languages)[number];
export type MessageKey = keyof typeof en;



/** The UI language for a BCP 47 tag: `ja`, `ja-JP` → ja; anything else → en. */
export function toLang(tag: string | null | undefined): Lang {
  return tag && /^ja\b/i.test(tag.trim()) ? "ja" : "en";
}

/** Picks the best of our languages from an Accept-Language header. */
export function fromAcceptLanguage(header: string | undefined): Lang {
  if (!header) return "en";
  const ranked = header
    .split(",")
    .map((part) => {
      const [tag = "", ...params] = part.trim().split(";");
      const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
      return { tag: tag.trim().toLowerCase(), q: q ? Number(q.slice(2)) || 0 : 1 };
    })
    .filter((x) => x.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    if (tag.startsWith("ja")) return "ja";
    if (tag.startsWith("en")) return "en";
  }
  return "en";
}

/** Translates `key`, filling `{name}` placeholders. Unknown keys come back as themselves. */
export function t(lang: Lang, key: string, params: Record<string, string | number> = {}): string {
  const template = (dictionaries[lang] as Record<string, string>)[key] ?? (en as Record<string, string>)[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

export type Translator = (key: string, params?: Record<string, string | number>) => string;
export const translator = (lang: Lang): Translator => (key, params) => t(lang, key, params);
