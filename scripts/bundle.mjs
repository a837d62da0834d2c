// The server as one file: dist/roster.mjs, what `npm start`, the image and the bench run;
// and the CLI as another, dist/cli.mjs.
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
import { build } from "esbuild";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const bundleFile = path.join(root, "dist", "roster.mjs");
export const cliFile = path.join(root, "dist", "cli.mjs");

/** Bundles `entry` (a file under server/) into `outfile`; resolves with esbuild's warnings. */
async function bundle(entry, outfile) {
  const result = await build({
    entryPoints: [path.join(root, "server", entry)],
    outfile,
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
  });
  return result.warnings;
}

/** The server: server/main.ts → dist/roster.mjs. */
export const bundleServer = (outfile = bundleFile) => bundle("main.ts", outfile);

/**
 * The CLI (`roster <command>`): server/cli/index.ts → dist/cli.mjs. Bundled too: run from
 * the compiled modules, drizzle-orm alone (every dialect it ships) took over 100 MB to load.
 * Its modules are imported lazily, so `roster healthcheck` (the image's, every 10 s) runs
 * none of them.
 */
export const bundleCli = (outfile = cliFile) => bundle(path.join("cli", "index.ts"), outfile);

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const warnings = await bundleServer(process.argv[2] ? path.resolve(process.argv[2]) : bundleFile);
  for (const w of warnings) console.warn(`bundle: ${w.text}`);
}
