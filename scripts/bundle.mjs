// The server as one file: dist/roster.mjs, what `npm start`, the image and the bench run;
// and the CLI, dist/cli/ (an entry and the chunks it loads on demand).
// One module instead of about 500 means about 6 MB less V8 heap (module source text and code)
// and a faster start. Names are kept (whitespace and syntax are minified, identifiers are not),
// so stack traces name their functions; for files and lines in server/, run node with
// --enable-source-maps (NODE_OPTIONS), which reads dist/roster.mjs.map. (Not by default: the map
// is 5 MB to parse and hold.)
//
// Left outside: native addons (better-sqlite3, @node-rs/argon2, whose path the hashing threads
// load themselves) and the common-password list, loaded from node_modules on first use.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { rmSync } from "node:fs";
import { build } from "esbuild";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const bundleFile = path.join(root, "dist", "roster.mjs");
export const cliDir = path.join(root, "dist", "cli");

const common = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  tsconfig: path.join(root, "tsconfig.json"),
  external: ["better-sqlite3", "@node-rs/argon2", "@zxcvbn-ts/language-common"],
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: "linked",
  legalComments: "linked",
  // Bundled CommonJS packages (pino, prom-client) require Node's built-ins.
  banner: { js: 'import { createRequire as __roster_createRequire } from "node:module"; const require = __roster_createRequire(import.meta.url);' },
  logLevel: "silent",
};

/** The server: server/main.ts → dist/roster.mjs, one file. Resolves with esbuild's warnings. */
export async function bundleServer(outfile = bundleFile) {
  return (await build({ ...common, entryPoints: [path.join(root, "server", "main.ts")], outfile })).warnings;
}

/**
 * The CLI (`roster <command>`): server/cli/index.ts → dist/cli/index.mjs. Bundled too: run from
 * the compiled modules, drizzle-orm alone (every dialect it ships) took over 100 MB to load.
 * Split into chunks that index.ts imports only when a command needs them, so `roster
 * healthcheck` (the image's, every 10 s) loads no more than Node's HTTP client: not the bundle's
 * code, not the database's or the hashing's native addons.
 */
export async function bundleCli(outdir = cliDir) {
  rmSync(outdir, { recursive: true, force: true });
  const result = await build({ ...common, entryPoints: { index: path.join(root, "server", "cli", "index.ts") }, outdir, splitting: true, outExtension: { ".js": ".mjs" }, chunkNames: "chunk-[hash]" });
  return result.warnings;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const warnings = await bundleServer(process.argv[2] ? path.resolve(process.argv[2]) : bundleFile);
  for (const w of warnings) console.warn(`bundle: ${w.text}`);
}
