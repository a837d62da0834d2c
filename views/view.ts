import type { Lang, Translator } from "../server/i18n/index.js";

/** Who is logged in, as the header shows them. */
export interface Viewer {
  userId: string;
  name: string;
  /** Belongs to an organization (sees People). */
  member: boolean;
  /** An admin or owner (sees the admin console link). */
  admin: boolean;
}

/** What every view needs to know about the request: plain data, never the database. */
export interface View {
  lang: Lang;
  t: Translator;
  serverName: string;
  user: Viewer | null;
  /** The same-origin path the language switcher comes back to. */
  here: string;
}

/** An i18n key with its placeholders, translated by the view. */
export interface Message {
  key: string;
  params?: Record<string, string | number>;
}

/**
 * A form as it is shown: the values to fill in (never passwords), one
 * message key per field, an error summary and a success notice.
 */
export interface FormState {
  values: Record<string, string>;
  errors: Record<string, string>;
  summary?: Message;
  notice?: Message;
}

export const formState = (values: Record<string, string> = {}, notice?: Message): FormState => ({ values, errors: {}, notice });
