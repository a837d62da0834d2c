// Compiles server/ and views/ into dist/ with tsc (incremental; the CLI runs from there),
// then bundles the server into dist/roster.mjs (scripts/bundle.mjs).
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { bundleServer } from "./bundle.mjs";

const require = createRequire(import.meta.url);
const tsc = require.resolve("typescript/bin/tsc");
execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { stdio: "inherit" });
for (const w of await bundleServer()) console.warn(`bundle: ${w.text}`);
