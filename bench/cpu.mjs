// CPU time a process spent, from /proc (Linux): the whole process and its main (event-loop) thread.
// Per-request CPU is steadier than requests a second on a machine others are using too.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

let tick = 100;
try {
  tick = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
} catch {
  // getconf missing: Linux's usual USER_HZ
}

/** utime + stime in ms from a /proc stat line (the command may contain spaces: split after its closing paren). */
function statMs(file) {
  try {
    const s = readFileSync(file, "utf8");
    const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
    // Fields 14 and 15 of proc(5), counted from the state field (3) here.
    return ((Number(f[11]) + Number(f[12])) * 1000) / tick;
  } catch {
    return NaN;
  }
}

/** { processMs, mainMs } CPU used so far by `pid` (all threads) and by its main thread. */
export function cpuTimes(pid) {
  return { processMs: statMs(`/proc/${pid}/stat`), mainMs: statMs(`/proc/${pid}/task/${pid}/stat`) };
}

/** CPU used between `before` and now, per request when `requests` is given. */
export function cpuSince(pid, before, requests) {
  const now = cpuTimes(pid);
  const p = now.processMs - before.processMs;
  const m = now.mainMs - before.mainMs;
  const per = (x) => (requests > 0 && Number.isFinite(x) ? Math.round((x / requests) * 1000) / 1000 : null);
  return { server_cpu_s: Math.round(p) / 1000, main_thread_cpu_s: Math.round(m) / 1000, server_cpu_ms_per_req: per(p), main_thread_cpu_ms_per_req: per(m) };
}
