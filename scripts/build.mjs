// Bundles the CLI into dist/cli/ and the server into dist/roster.mjs (scripts/bundle.mjs), the
// server last: scripts/ensure-built.mjs takes its time as the build's. (Types are checked by
// `npm run typecheck`, part of `npm test`; nothing runs tsc's output.)
import { rmSync } from "node:fs";
import path from "node:path";
import { bundleCli, bundleServer, root } from "./bundle.mjs";

// What earlier versions compiled there with tsc, so a stale copy of the CLI is never run.
rmSync(path.join(root, "dist", "server"), { recursive: true, force: true });
rmSync(path.join(root, "dist", "views"), { recursive: true, force: true });
rmSync(path.join(root, "dist", ".tsbuildinfo"), { force: true });
for (const f of ["cli.mjs", "cli.mjs.map", "cli.mjs.LEGAL.txt"]) rmSync(path.join(root, "dist", f), { force: true });
for (const w of await bundleCli()) console.warn(`bundle (CLI): ${w.text}`);
for (const w of await bundleServer()) console.warn(`bundle: ${w.text}`);
