#!/usr/bin/env node
import { isAppError } from "../errors.js";
import { t } from "../i18n/index.js";
import { commands, runCommand } from "./commands.js";

/** `roster <command>` in the image, `npm run roster -- <command>` from a clone. */
const [name, ...args] = process.argv.slice(2);
if (!name || name === "--help" || name === "-h" || name === "help") {
  console.log("Usage: roster <command> [options]\n\nCommands:");
  for (const [n, c] of Object.entries(commands)) console.log(`  ${n.padEnd(16)} ${c.summary}`);
  console.log("\nEvery command takes --help. Configuration comes from the same environment as the server (SPEC §7).");
  process.exit(name ? 0 : 2);
}
runCommand(name, args).then(
  (code) => process.exit(code),
  (e: unknown) => {
    const fields = isAppError(e) && e.fields ? ` (${Object.entries(e.fields).map(([k, v]) => `${k}: ${t("en", v)}`).join(", ")})` : "";
    console.error(`roster ${name}: ${e instanceof Error ? e.message : String(e)}${fields}`);
    process.exit(1);
  },
);
