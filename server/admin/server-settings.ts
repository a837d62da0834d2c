import { z } from "zod";
import type { Deps, RequestMeta } from "../deps.js";
import type { Account } from "../db/schema.js";
import { AppError } from "../errors.js";
import { parseInput, textField } from "../accounts/fields.js";
import { audit } from "./audit.js";
import { ownerScope, ref } from "./access.js";
import { getSettings, putSetting, registrationPolicies, type ServerSettings } from "./settings.js";

export const patchSchema = z.object({
  registration: z.enum(registrationPolicies, { message: "field.invalid" }).optional(),
  verificationRequired: z.boolean({ message: "field.invalid" }).optional(),
  deletionLocked: z.boolean({ message: "field.invalid" }).optional(),
  /** Unlocking deletion is a separate, explicit confirmation (SPEC §2). */
  confirmDeletionUnlock: z.boolean({ message: "field.invalid" }).optional(),
  serverName: textField("field.tooLong", { min: 1, max: 100, empty: "field.required" }).optional(),
});

export function readSettings(deps: Pick<Deps, "db">, actor: Account): ServerSettings {
  ownerScope(actor);
  return getSettings(deps);
}

/** Owner only. Setting `deletionLocked:false` also needs `confirmDeletionUnlock:true`. */
export function updateSettings(deps: Deps, actor: Account, input: unknown, meta: RequestMeta): ServerSettings {
  ownerScope(actor);
  const i = parseInput(patchSchema, input);
  if (i.deletionLocked === false && i.confirmDeletionUnlock !== true) {
    throw new AppError("validation_failed", { confirmDeletionUnlock: "settings.confirmUnlock" }, undefined, "Unlocking deletion needs confirmDeletionUnlock: true. Deleted accounts cannot be recovered.");
  }
  return deps.db.transaction((tx) => {
    const before = getSettings({ db: tx });
    const changed: Record<string, { from: unknown; to: unknown }> = {};
    for (const key of ["registration", "verificationRequired", "deletionLocked", "serverName"] as const) {
      const value = i[key];
      if (value === undefined || value === before[key]) continue;
      putSetting(tx, key, value as never);
      changed[key] = { from: before[key], to: value };
    }
    if (Object.keys(changed).length) audit(tx, deps, { action: "admin.settings_changed", actor: ref(actor), from: meta, detail: changed });
    return getSettings({ db: tx });
  });
}
