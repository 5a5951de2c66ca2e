#!/usr/bin/env node
/**
 * `pnpm demo`: runs the in-memory marketplace demo and prints what
 * happened. Flags: --hours N (24), --workers N (12), --renters N (4), --seed N (1), --help.
 */
import { parseArgs } from "node:util";
import { runInMemoryDemo } from "./in-memory-demo.js";

const HELP = `xenblocks demo — a simulated day of the XenBlocks marketplace, in memory, in seconds

Usage: pnpm demo -- [--hours N] [--workers N] [--renters N] [--seed N]

  --hours N     simulated hours to run (default 24, at most 168)
  --workers N   workers in the fleet (default 12, at most 500)
  --renters N   renters (default 4, at most 50)
  --seed N      seed for every random choice; the same seed repeats the same day (default 1)
  --help        this text

The platform server (MQTT on 1883, HTTP on 8080) is not built yet; this runs the real domain
(@xenblocks/core over the memory storage) with a fake clock and simulated workers.`;

function positiveInt(name: string, raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    console.error(`--${name} must be a whole number from 1 to ${max}, got "${raw}"`);
    process.exit(2);
  }
  return n;
}

// pnpm hands the script a literal "--" before the user's flags; this command takes no positionals, so drop them all.
const argv = process.argv.slice(2).filter((a) => a !== "--");
let values: Record<string, string | boolean | undefined>;
try {
  ({ values } = parseArgs({
    args: argv,
    options: {
      hours: { type: "string" },
      workers: { type: "string" },
      renters: { type: "string" },
      seed: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  }));
} catch (error) {
  console.error(`${(error as Error).message}\n\n${HELP}`);
  process.exit(2);
}
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const options = {
  hours: positiveInt("hours", values.hours as string | undefined, 24, 168),
  workers: positiveInt("workers", values.workers as string | undefined, 12, 500),
  renters: positiveInt("renters", values.renters as string | undefined, 4, 50),
  seed: positiveInt("seed", values.seed as string | undefined, 1, 2 ** 31),
};
const started = performance.now();
const summary = await runInMemoryDemo({
  ...options,
  onProgress: (p) => {
    const hh = String(Math.floor(p.simulatedSec / 3600)).padStart(2, "0");
    const mm = String(Math.floor((p.simulatedSec % 3600) / 60)).padStart(2, "0");
    process.stdout.write(
      `\r  simulated ${hh}:${mm}  workers online ${p.online}/${options.workers}  open leases ${p.leased}  blocks ${p.blocks}   `,
    );
  },
});
process.stdout.write("\n\n");
console.log(
  `Simulated ${options.hours} h with ${options.workers} workers in ${((performance.now() - started) / 1000).toFixed(1)} s.\n`,
);
console.log("Leases:");
for (const [state, n] of Object.entries(summary.leases).sort()) console.log(`  ${state.padEnd(34)} ${n}`);
console.log("\nBlocks:");
for (const [name, n] of Object.entries(summary.blocks).sort()) console.log(`  ${name.padEnd(34)} ${n}`);
console.log("\nBalances (XNM available):");
for (const b of summary.balances)
  console.log(`  ${b.role.padEnd(9)} ${b.address}  ${b.available.padStart(14)}`);
console.log(`  treasury  ${"".padEnd(42)} ${summary.treasury.padStart(14)}`);
if (summary.ledgerViolations.length > 0) {
  console.error(`\nLedger invariants VIOLATED:\n  ${summary.ledgerViolations.join("\n  ")}`);
  process.exit(1);
}
console.log("\nLedger invariants hold: balances sum to zero, nothing negative, escrow matches open leases.");
