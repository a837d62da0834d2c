// Preloaded (node --require) into a process the bench runs once: prints that process's peak RSS when it exits.
process.on("exit", () => process.stderr.write(`maxrss_kb=${process.resourceUsage().maxRSS}\n`));
