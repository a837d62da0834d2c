import type { View } from "../view.js";

/** A setup link the admin hands over, shown once, with a copy button: after creating an account, or a new link for it. */
export function SetupLinkField({ v, url }: { v: View; url: string }) {
  return (
    <div class="field">
      <label for="setup-url">{v.t("admin.create.setupLink")}</label>
      <div class="copy-field">
        <input id="setup-url" type="text" value={url} readonly class="mono" aria-describedby="setup-url-hint" />
        <button type="button" class="btn btn-secondary js-only" data-copy="#setup-url" data-copied={v.t("admin.create.copied")}>
          {v.t("admin.create.copy")}
        </button>
      </div>
      <p class="hint" id="setup-url-hint">
        {v.t("admin.create.setupLinkHint")}
      </p>
    </div>
  );
}
