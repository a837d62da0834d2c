// Builds dist/ when it is missing or older than any source file, so `npm start` works on a fresh clone.
import { existsSync, readdirSync, statSync, utimesSync } from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
// The server bundle is written last, after the CLI's (scripts/build.mjs).
const marker = path.join(root, "dist", "roster.mjs");

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(p));
    else if (/\.(ts|tsx)$/.test(e.name) && !/\.test\.tsx?$/.test(e.name)) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

const built = existsSync(marker) ? statSync(marker).mtimeMs : 0;
const sources = Math.max(newest(path.join(root, "server")), newest(path.join(root, "views")), statSync(path.join(root, "tsconfig.json")).mtimeMs);
if (built < sources) {
  console.log("Building Roster (dist/)…");
  execFileSync(process.execPath, [path.join(root, "scripts", "build.mjs")], { stdio: "inherit", cwd: root });
  // Mark the build as fresh.
  utimesSync(marker, new Date(), new Date());
}
