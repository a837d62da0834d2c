import { Hono } from "hono";
import { readSettings, updateSettings } from "../../admin/server-settings.js";
import type { ServerSettings } from "../../admin/settings.js";
import { AppError } from "../../errors.js";
import { languages, t } from "../../i18n/index.js";
import type { AppEnv, Ctx } from "../context.js";
import type { PageUser } from "./account-view.js";
import { AdminSettingsPage } from "../../../views/pages/admin-settings.js";
import { formState, type FormState, type View } from "../../../views/view.js";
import { adminPage, doneNotice, requireAdmin } from "./admin-org-common.js";
import { attempt, failedForm, formBody, go } from "./render.js";

const notices = { saved: "admin.settings.saved", unlocked: "admin.settings.unlocked", locked: "admin.settings.locked" };

const settingsValues = (s: ServerSettings): Record<string, string> => ({
  serverName: s.serverName,
  registration: s.registration,
  verificationRequired: s.verificationRequired ? "on" : "",
});

function settingsPage(c: Ctx, user: PageUser, o: { form?: FormState; unlock?: FormState; status?: number } = {}) {
  const settings = readSettings(c.get("deps"), user.account);
  const form = o.form ?? formState(settingsValues(settings));
  const body = (v: View) => <AdminSettingsPage v={v} settings={settings} form={form} unlock={o.unlock ?? formState()} notice={doneNotice(c, notices)} />;
  return adminPage(c, user, { current: "/admin/settings", title: "admin.settings.title", status: o.status, here: "/admin/settings", body });
}

/**
 * The word an owner types to unlock deletion, as the page shows it in either
 * language (NFKC, so a full-width "ＤＥＬＥＴＥ" from a Japanese input method counts).
 */
const unlockWords = new Set(languages.map((l) => t(l, "admin.settings.unlockWord").normalize("NFKC")));
export const isUnlockWord = (typed: string | undefined): boolean => unlockWords.has((typed ?? "").normalize("NFKC").trim());

/** /admin/settings: owners only (admins get 403 from ownerScope). */
export const adminSettingsPages = new Hono<AppEnv>()
  .get("/admin/settings", (c) => settingsPage(c, requireAdmin(c, { owner: true })))
  .post("/admin/settings", async (c) => {
    const user = requireAdmin(c, { owner: true });
    const f = await formBody(c);
    const input = { serverName: f.serverName ?? "", registration: f.registration, verificationRequired: f.verificationRequired === "on" };
    const r = await attempt(c, () => updateSettings(c.get("deps"), user.account, input, c.get("meta")));
    if (!r.ok) return settingsPage(c, user, { form: failedForm(c, r.err, { ...f, verificationRequired: input.verificationRequired ? "on" : "" }), status: r.err.status });
    return go(c, "/admin/settings?done=saved");
  })
  .post("/admin/settings/deletion/unlock", async (c) => {
    const user = requireAdmin(c, { owner: true });
    const f = await formBody(c);
    const r = await attempt(c, () => {
      // The typed word is the page's own confirmation; the service then gets its explicit flag.
      if (!isUnlockWord(f.confirmWord)) throw new AppError("validation_failed", { confirmWord: "admin.settings.unlockMismatch" });
      return updateSettings(c.get("deps"), user.account, { deletionLocked: false, confirmDeletionUnlock: true }, c.get("meta"));
    });
    if (!r.ok) return settingsPage(c, user, { unlock: failedForm(c, r.err, f), status: r.err.status });
    return go(c, "/admin/settings?done=unlocked");
  })
  .post("/admin/settings/deletion/lock", (c) => {
    const user = requireAdmin(c, { owner: true });
    updateSettings(c.get("deps"), user.account, { deletionLocked: true }, c.get("meta"));
    return go(c, "/admin/settings?done=locked");
  });
