// Memory of a process from /proc/<pid>/status (Linux): VmRSS now, VmHWM the peak so far.
import { readFileSync } from "node:fs";
import { clearInterval, setInterval } from "node:timers";

/** { rssMb, hwmMb } of `pid`, or null when it is gone or /proc is not there. */
export function memory(pid) {
  let status;
  try {
    status = readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return null;
  }
  const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
  return { rssMb: round(kb("VmRSS") / 1024), hwmMb: round(kb("VmHWM") / 1024) };
}

/** VmRSS split into anonymous memory (heaps, caches) and file-backed pages (the node binary, addons), from smaps_rollup, and the C heap's share of the first. */
export function rssBreakdown(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
  } catch {
    return null;
  }
  const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? NaN);
  return { anon_mb: round(kb("Anonymous") / 1024), file_mb: round((kb("Rss") - kb("Anonymous")) / 1024), c_heap_mb: cHeapMb(pid) };
}

/** Resident MB of the C heap's main arena (the "[heap]" mapping: SQLite, better-sqlite3, Node's own mallocs). */
function cHeapMb(pid) {
  try {
    const smaps = readFileSync(`/proc/${pid}/smaps`, "utf8");
    const at = smaps.search(/^[0-9a-f]+-[0-9a-f]+ [^\n]*\[heap\]$/m);
    if (at < 0) return null;
    return round(Number(/^Rss:\s+(\d+) kB/m.exec(smaps.slice(at))?.[1] ?? NaN) / 1024);
  } catch {
    return null;
  }
}

const round = (x) => Math.round(x * 10) / 10;

/** Samples VmRSS of `pid` every `everyMs` until stop(); stop() gives before, peak, growth (MB) and the sample count. */
export function sampleRss(pid, everyMs = 20) {
  const before = memory(pid)?.rssMb ?? NaN;
  let peak = before;
  let samples = 0;
  const timer = setInterval(() => {
    const m = memory(pid);
    if (!m) return;
    samples++;
    if (!(m.rssMb <= peak)) peak = m.rssMb;
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      const after = memory(pid)?.rssMb ?? NaN;
      if (after > peak) peak = after;
      return { rss_before_mb: before, rss_peak_mb: peak, rss_growth_mb: round(peak - before), rss_after_mb: after, rss_samples: samples };
    },
  };
}
