// How many Argon2id verifies a second this machine's cores do, with the server's own hasher and parameters.
// Run as its own process (run.mjs does) so libuv's pool can be sized to the concurrency tried.
// Input (environment): BENCH_HASH, BENCH_PASSWORD, BENCH_CONCURRENCY ("2,4"), BENCH_SECONDS.
// Output: one JSON line per concurrency on stdout.
import path from "node:path";
import { performance } from "node:perf_hooks";
import { tsImport } from "tsx/esm/api";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const { argon2Hasher } = await tsImport(path.join(root, "server", "auth", "password.ts"), import.meta.url);

const hash = process.env.BENCH_HASH ?? "";
const password = process.env.BENCH_PASSWORD ?? "";
const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const hasher = argon2Hasher();

if (!(await hasher.verify(hash, password))) {
  console.error("argon2-capacity: the password does not verify against the hash");
  process.exit(1);
}

/** Keeps `concurrency` verifies in flight for `ms`; counts those that finish inside the window. */
async function measure(concurrency, ms) {
  const end = performance.now() + ms;
  let done = 0;
  const worker = async () => {
    while (performance.now() < end) {
      await hasher.verify(hash, password);
      if (performance.now() <= end) done++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { done, ms: Math.min(performance.now(), end) - t0 };
}

for (const c of (process.env.BENCH_CONCURRENCY ?? "2").split(",").map(Number)) {
  await measure(c, 500); // warm-up: threads started, memory touched
  const { done, ms } = await measure(c, seconds * 1000);
  console.log(JSON.stringify({ concurrency: c, verifies: done, seconds: Math.round(ms) / 1000, per_s: Math.round((done / ms) * 10000) / 10 }));
}
