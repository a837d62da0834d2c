import { renderMailHtml, renderMailText, type MailParts } from "../../views/mail/message.js";
import { t, toLang, type Lang } from "../i18n/index.js";

/** The mails Roster writes, each in the recipient's language. */
export type MailSpec =
  | { kind: "verify_email"; name: string; url: string; code: string }
  | { kind: "existing_account"; name: string; userId: string; resetUrl: string }
  | { kind: "password_reset"; name: string; url: string }
  | { kind: "email_change"; name: string; userId: string; url: string }
  | { kind: "email_change_notice"; name: string; userId: string; newEmail: string }
  | { kind: "email_change_taken" }
  | { kind: "password_changed"; name: string; userId: string }
  | { kind: "password_set_by_admin"; name: string; userId: string }
  | { kind: "account_setup"; name: string; userId: string; organization: string; url: string }
  | { kind: "application_approved"; name: string; url: string }
  | { kind: "application_declined"; name: string; reason: string }
  | { kind: "invitation"; organization: string; inviter: string; message: string; url: string }
  | { kind: "application_received"; name: string; applicant: string; email: string; url: string }
  | { kind: "test" };

export interface RenderedMail {
  kind: MailSpec["kind"];
  /** The language it is written in (the account's when Roster speaks it, else English). */
  language: Lang;
  subject: string;
  text: string;
  html: string;
}

function parts(spec: MailSpec, lang: Lang, server: string, serverName: string): MailParts {
  const tr = (key: string, params?: Record<string, string | number>) => t(lang, key, params);
  const base = (subjectKey: string, name: string) => ({
    lang,
    subject: tr(subjectKey, { serverName }),
    greeting: name ? tr("mail.greeting", { name }) : lang === "ja" ? "こんにちは。" : "Hello,",
    signature: tr("mail.signature", { server, serverName }),
  });
  switch (spec.kind) {
    case "verify_email":
      return {
        ...base("mail.verify.subject", spec.name),
        paragraphs: [tr("mail.verify.intro")],
        action: { label: tr("mail.verify.button"), url: spec.url },
        code: { label: tr("mail.verify.code"), value: spec.code },
        after: [tr("mail.verify.expires"), tr("mail.ignore")],
      };
    case "existing_account":
      return {
        ...base("mail.existing.subject", spec.name),
        paragraphs: [tr("mail.existing.intro", { userId: spec.userId }), tr("mail.existing.reset")],
        action: { label: tr("mail.reset.button"), url: spec.resetUrl },
        after: [tr("mail.ignore")],
      };
    case "password_reset":
      return {
        ...base("mail.reset.subject", spec.name),
        paragraphs: [tr("mail.reset.intro")],
        action: { label: tr("mail.reset.button"), url: spec.url },
        after: [tr("mail.reset.expires"), tr("mail.ignore")],
      };
    case "email_change":
      return {
        ...base("mail.emailChange.subject", spec.name),
        paragraphs: [tr("mail.emailChange.intro", { userId: spec.userId })],
        action: { label: tr("mail.emailChange.button"), url: spec.url },
        after: [tr("mail.emailChange.expires"), tr("mail.ignore")],
      };
    case "email_change_notice":
      return {
        ...base("mail.emailChangeNotice.subject", spec.name),
        paragraphs: [tr("mail.emailChangeNotice.intro", { userId: spec.userId, newEmail: spec.newEmail }), tr("mail.emailChangeNotice.warn")],
      };
    case "email_change_taken":
      return { ...base("mail.emailChangeTaken.subject", ""), paragraphs: [tr("mail.emailChangeTaken.intro")], after: [tr("mail.ignore")] };
    case "password_changed":
      return {
        ...base("mail.passwordChanged.subject", spec.name),
        paragraphs: [tr("mail.passwordChanged.intro", { userId: spec.userId }), tr("mail.passwordChanged.warn")],
      };
    case "password_set_by_admin":
      return {
        ...base("mail.passwordSetByAdmin.subject", spec.name),
        paragraphs: [tr("mail.passwordSetByAdmin.intro", { userId: spec.userId }), tr("mail.passwordSetByAdmin.warn")],
      };
    case "account_setup":
      return {
        ...base("mail.setup.subject", spec.name),
        paragraphs: [tr("mail.setup.intro", { organization: spec.organization, userId: spec.userId })],
        action: { label: tr("mail.setup.button"), url: spec.url },
        after: [tr("mail.setup.expires")],
      };
    case "application_approved":
      return {
        ...base("mail.approved.subject", spec.name),
        paragraphs: [tr("mail.approved.intro")],
        action: { label: tr("mail.approved.button"), url: spec.url },
      };
    case "application_declined":
      return {
        ...base("mail.declined.subject", spec.name),
        paragraphs: [tr("mail.declined.intro"), spec.reason ? tr("mail.declined.reason", { reason: spec.reason }) : ""].filter(Boolean),
      };
    case "invitation":
      return {
        ...base("mail.invitation.subject", ""),
        subject: tr("mail.invitation.subject", { organization: spec.organization }),
        paragraphs: [tr("mail.invitation.intro", { organization: spec.organization, inviter: spec.inviter }), ...(spec.message ? [spec.message] : [])],
        action: { label: tr("mail.invitation.button"), url: spec.url },
        after: [tr("mail.invitation.expires"), tr("mail.ignore")],
      };
    case "application_received":
      return {
        ...base("mail.application.subject", spec.name),
        paragraphs: [tr("mail.application.intro", { applicant: spec.applicant, email: spec.email })],
        action: { label: tr("mail.application.button"), url: spec.url },
      };
    case "test":
      return { ...base("mail.test.subject", ""), paragraphs: [tr("mail.test.intro", { serverName })] };
  }
}

/** Renders a mail's text and HTML parts in `language` (any BCP 47 tag; en or ja is used). */
/** `serverName`: the owner's name for this server (settings), which signs every mail. */
export function renderMail(spec: MailSpec, language: string | null | undefined, baseUrl: string, serverName = "Roster"): RenderedMail {
  const lang = toLang(language);
  const p = parts(spec, lang, new URL(baseUrl).host, serverName);
  return { kind: spec.kind, language: lang, subject: p.subject, text: renderMailText(p), html: renderMailHtml(p) };
}
