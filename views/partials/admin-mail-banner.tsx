import type { View } from "../view.js";

/**
 * Capture mode (SPEC §5) on the mail page: nothing is delivered, so this page
 * is how an admin gets a confirmation, setup or reset link to its person.
 */
export function CaptureBanner({ v }: { v: View }) {
  return (
    <div class="mail-capture" role="note" aria-labelledby="mail-capture-title">
      <p id="mail-capture-title" class="mail-capture-title">
        {v.t("admin.mail.capture.title")}
      </p>
      <p>{v.t("admin.mail.capture.body")}</p>
      <p class="mail-capture-howto">{v.t("admin.mail.capture.howto")}</p>
    </div>
  );
}

/** The same, in one line, above every other admin page. */
export function CaptureLine({ v }: { v: View }) {
  return (
    <p class="mail-capture-line" role="note">
      <span>{v.t("admin.mail.capture.line")}</span> <a href="/admin/mail">{v.t("admin.mail.capture.lineLink")}</a>
    </p>
  );
}
