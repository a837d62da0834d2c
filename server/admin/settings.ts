import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Deps } from "../deps.js";
import { settings } from "../db/schema.js";
import type { Tx } from "../mail/outbox.js";

export const registrationPolicies = ["open", "domain", "approval", "invite", "closed"] as const;
export type RegistrationPolicy = (typeof registrationPolicies)[number];

/** Server-wide settings with their defaults (SPEC §3, §4). */
export const serverSettingsSchema = z.object({
  registration: z.enum(registrationPolicies).default("open"),
  verificationRequired: z.boolean().default(true),
  deletionLocked: z.boolean().default(true),
  serverName: z.string().max(100).default("Roster"),
});
export type ServerSettings = z.infer<typeof serverSettingsSchema>;

/** Reads every setting, falling back to defaults for any missing or unreadable one. */
export function getSettings(deps: Pick<Deps, "db"> | { db: Tx }): ServerSettings {
  const rows = deps.db.select().from(settings).all();
  const raw: Record<string, unknown> = {};
  for (const r of rows) {
    try {
      raw[r.key] = JSON.parse(r.value);
    } catch {
      // an unreadable value falls back to its default below
    }
  }
  const shape = serverSettingsSchema.shape;
  const out = {} as Record<string, unknown>;
  for (const key of Object.keys(shape) as (keyof typeof shape)[]) {
    const r = shape[key].safeParse(raw[key]);
    out[key] = r.success ? r.data : shape[key].parse(undefined);
  }
  return out as ServerSettings;
}

export function putSetting<K extends keyof ServerSettings>(tx: Tx, key: K, value: ServerSettings[K]): void {
  const v = JSON.stringify(value);
  tx.insert(settings).values({ key, value: v }).onConflictDoUpdate({ target: settings.key, set: { value: v } }).run();
}

export function deleteSetting(tx: Tx, key: keyof ServerSettings): void {
  tx.delete(settings).where(eq(settings.key, key)).run();
}
