// Sums self time by function from a V8 .cpuprofile (node --cpu-prof): where the server spent its CPU.
// Usage: node bench/profile.mjs <file.cpuprofile> [top]
import { readFileSync } from "node:fs";
import path from "node:path";
import { root } from "./proc.mjs";

/** A short place for a frame: the package under node_modules, or the path inside the project. */
function where(url, line) {
  if (!url) return "";
  let u = url.replace(/^file:\/\//, "");
  const nm = u.lastIndexOf("/node_modules/");
  if (nm >= 0) u = u.slice(nm + "/node_modules/".length);
  else if (u.startsWith(root + path.sep)) u = u.slice(root.length + 1);
  return `${u}:${line + 1}`;
}

const moduleOf = (url) => {
  if (!url) return "(native/vm)";
  if (url.startsWith("node:")) return url.split("/")[0];
  const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  const u = url.replace(/^file:\/\//, "");
  return u.startsWith(root) ? path.dirname(u.slice(root.length + 1)) : u;
};

/** { total_ms, idle_ms, gc_ms, top: [{ fn, at, self_ms, pct }], modules: [{ module, self_ms, pct }] } (pct of busy time). */
export function summarizeProfile(file, top = 15) {
  const p = JSON.parse(readFileSync(file, "utf8"));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  for (let i = 0; i < p.samples.length; i++) {
    const id = p.samples[i];
    selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
  }
  const parent = new Map();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  /** The innermost frame of Roster's own code (dist/) on a node's stack: who asked for the time spent below it. */
  const ownCache = new Map();
  const own = (id) => {
    if (ownCache.has(id)) return ownCache.get(id);
    const cf = byId.get(id).callFrame;
    let key;
    if (cf.url.includes("/dist/") && !cf.url.includes("/node_modules/")) key = `${cf.functionName || "(anonymous)"}\u0000${where(cf.url, cf.lineNumber)}`;
    else key = parent.has(id) ? own(parent.get(id)) : "(outside Roster's code)\u0000";
    ownCache.set(id, key);
    return key;
  };
  const callers = new Map();
  const frames = new Map();
  const modules = new Map();
  let idle = 0;
  let gc = 0;
  let total = 0;
  for (const [id, us] of selfUs) {
    const { callFrame: cf } = byId.get(id);
    total += us;
    if (cf.functionName === "(idle)") {
      idle += us;
      continue;
    }
    if (cf.functionName === "(garbage collector)") gc += us;
    const key = `${cf.functionName || "(anonymous)"}\u0000${where(cf.url, cf.lineNumber)}`;
    frames.set(key, (frames.get(key) ?? 0) + us);
    const ok = own(id);
    callers.set(ok, (callers.get(ok) ?? 0) + us);
    const mod = cf.functionName.startsWith("(") ? cf.functionName : moduleOf(cf.url);
    modules.set(mod, (modules.get(mod) ?? 0) + us);
  }
  const busy = total - idle;
  const pct = (us) => Math.round((us / Math.max(1, busy)) * 1000) / 10;
  const ms = (us) => Math.round(us / 100) / 10;
  return {
    total_ms: ms(total),
    busy_ms: ms(busy),
    idle_ms: ms(idle),
    gc_ms: ms(gc),
    top: [...frames].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, us]) => {
      const [fn, at] = k.split("\u0000");
      return { fn, at, self_ms: ms(us), pct: pct(us) };
    }),
    /** Busy time by the innermost Roster function on the stack (its own time plus the libraries it called). */
    roster_callers: [...callers].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, us]) => {
      const [fn, at] = k.split("\u0000");
      return { fn, at, ms: ms(us), pct: pct(us) };
    }),
    modules: [...modules].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([module, us]) => ({ module, self_ms: ms(us), pct: pct(us) })),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const file = process.argv[2];
  if (!file) {
    console.error("usage: node bench/profile.mjs <file.cpuprofile> [top]");
    process.exit(2);
  }
  const s = summarizeProfile(file, Number(process.argv[3] ?? 25));
  console.log(`total ${s.total_ms} ms, busy ${s.busy_ms} ms, idle ${s.idle_ms} ms, gc ${s.gc_ms} ms`);
  for (const f of s.top) console.log(`${String(f.self_ms).padStart(9)} ms ${String(f.pct).padStart(5)}%  ${f.fn}  ${f.at}`);
  console.log("by the innermost Roster function on the stack (self + libraries below it):");
  for (const f of s.roster_callers) console.log(`${String(f.ms).padStart(9)} ms ${String(f.pct).padStart(5)}%  ${f.fn}  ${f.at}`);
  console.log("by module:");
  for (const m of s.modules) console.log(`${String(m.self_ms).padStart(9)} ms ${String(m.pct).padStart(5)}%  ${m.module}`);
}
