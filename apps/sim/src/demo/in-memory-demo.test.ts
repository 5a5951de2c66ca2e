import { describe, expect, it } from "vitest";
import { runInMemoryDemo } from "./in-memory-demo.js";

describe("the in-memory demo", () => {
  it("runs a few simulated hours and ends with healthy books and real activity", async () => {
    const progress: number[] = [];
    const summary = await runInMemoryDemo({
      hours: 3,
      workers: 8,
      renters: 3,
      seed: 42,
      onProgress: (p) => progress.push(p.simulatedSec),
    });
    expect(summary.ledgerViolations).toEqual([]);
    expect(progress).toEqual([900, 1800, 2700, 3600, 4500, 5400, 6300, 7200, 8100, 9000, 9900, 10_800]);
    const leases = Object.values(summary.leases).reduce((a, b) => a + b, 0);
    expect(leases).toBeGreaterThan(5);
    expect(Object.keys(summary.leases).some((k) => k.startsWith("completed"))).toBe(true);
    expect(summary.blocks["blocks_total{accepted}"] ?? 0).toBeGreaterThan(0);
    expect(Number(summary.treasury)).toBeGreaterThan(0);
  });

  it("repeats exactly with the same seed", async () => {
    const a = await runInMemoryDemo({ hours: 1, workers: 5, renters: 2, seed: 7 });
    const b = await runInMemoryDemo({ hours: 1, workers: 5, renters: 2, seed: 7 });
    expect(b).toEqual(a);
  });
});
