import { getSettings } from "../admin/settings.js";
import type { Deps } from "../deps.js";
import type { Tx } from "../db/client.js";
import { mailOutbox } from "../db/schema.js";
import { newId } from "../ids.js";
import { renderMail, type MailSpec } from "./messages.js";

export type { Tx };

/**
 * Writes a mail into the outbox. Call it inside the transaction that makes
 * the change the mail tells about: the mail exists if and only if the change
 * does, and a crash before delivery loses nothing. Call `deps.mailQueued()`
 * after the commit to start delivery at once.
 */
export function queueMail(
  tx: Tx,
  deps: Pick<Deps, "clock" | "config">,
  to: string,
  language: string | null | undefined,
  spec: MailSpec,
): string {
  // Signed with the server's name (settings). Read per mail: an import's rows are savepoints of their
  // own, so a cache per transaction would miss anyway, and the read is microseconds next to the row.
  const mail = renderMail(spec, language, deps.config.baseUrl, getSettings({ db: tx }).serverName);
  const now = deps.clock.now();
  const id = newId();
  tx.insert(mailOutbox)
    .values({
      id,
      kind: mail.kind,
      fromAddress: deps.config.mail.from,
      toAddress: to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      language: mail.language,
      status: "queued",
      createdAt: now,
      nextAttemptAt: now,
    })
    .run();
  return id;
}

/**
 * The secrets a mail's text carries, each with what it becomes once the mail is delivered: the links' tokens and the
 * confirmation code (SPEC §2: tokens are stored only as hashes). The outbox keeps each mail
 * for admins for ROSTER_MAIL_RETENTION_DAYS, and in every backup; the keys need not stay
 * with it once the person has them. Captured mail keeps them: there, admins hand them on.
 */
export function secretsIn(kind: string, text: string): [string, string][] {
  const found: [string, string][] = [];
  for (const m of text.matchAll(/(?:[?&]token=|\/invite\/)([a-z2-7]{20,})/g)) found.push([m[1]!, "[removed-after-delivery]"]);
  if (kind === "verify_email") for (const m of text.matchAll(/(?<![\d-])(\d{6})(?![\d-])/g)) found.push([m[1]!, "[code removed]"]);
  return found;
}

