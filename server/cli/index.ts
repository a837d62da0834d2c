#!/usr/bin/env node
import { quickHealthcheck } from "./healthcheck.js";

/** `roster <command>` in the image, `npm run roster -- <command>` from a clone. */
const [name, ...args] = process.argv.slice(2);

// The image's HEALTHCHECK, every 10 s: answered before the rest of the CLI (the database layer,
// the services) is loaded, which would cost hundreds of MB and most of a second each time.
const quick = name === "healthcheck" ? quickHealthcheck(args, process.env) : undefined;
if (quick) process.exit(await quick);

const { isAppError } = await import("../errors.js");
const { t } = await import("../i18n/index.js");
const { commands, runCommand } = await import("./commands.js");

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
