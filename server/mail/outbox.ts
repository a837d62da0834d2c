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
/** The server's name (settings), read once per transaction: an import queues a mail per row in one. */
const serverNames = new WeakMap<object, string>();
function serverNameIn(tx: Tx): string {
  // The database itself (not a transaction) lives as long as the server: never cached, so a rename shows at once.
  const isTransaction = typeof (tx as { rollback?: unknown }).rollback === "function";
  let name = isTransaction ? serverNames.get(tx) : undefined;
  if (name === undefined) {
    name = getSettings({ db: tx }).serverName;
    if (isTransaction) serverNames.set(tx, name);
  }
  return name;
}

export function queueMail(
  tx: Tx,
  deps: Pick<Deps, "clock" | "config">,
  to: string,
  language: string | null | undefined,
  spec: MailSpec,
): string {
  const mail = renderMail(spec, language, deps.config.baseUrl, serverNameIn(tx));
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
      status: "queued",
      createdAt: now,
      nextAttemptAt: now,
    })
    .run();
  return id;
}
