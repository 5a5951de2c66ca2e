import { fakeClock } from "@xenblocks/core/testing";
import { describe, expect, it } from "vitest";
import { createLogger } from "./log.js";
import { Scheduler } from "./scheduler.js";

describe("Scheduler", () => {
  it("runs each job when due by the injected clock, one at a time, and keeps going after a failure", async () => {
    const clock = fakeClock();
    const lines: string[] = [];
    const runs: string[] = [];
    const scheduler = new Scheduler(
      clock,
      createLogger("info", (l) => lines.push(l)),
    )
      .every("fast", 1000, async () => {
        runs.push("fast");
      })
      .every("slow", 5000, async () => {
        runs.push("slow");
        throw new Error("boom");
      })
      .every("now", 60_000, async () => void runs.push("now"), true);
    await scheduler.tick();
    expect(runs).toEqual(["now"]);
    clock.advance(1000);
    await scheduler.tick();
    clock.advance(4000);
    await scheduler.tick();
    expect(runs).toEqual(["now", "fast", "fast", "slow"]);
    expect(scheduler.stats()).toEqual([
      { name: "fast", runs: 2, failures: 0 },
      { name: "slow", runs: 0, failures: 1 },
      { name: "now", runs: 1, failures: 0 },
    ]);
    expect(JSON.parse(lines[0] ?? "{}")).toMatchObject({
      level: "error",
      msg: "job failed",
      job: "slow",
      error: "boom",
    });
  });

  it("never overlaps a job with itself, and a slow job holds up no other", async () => {
    const clock = fakeClock();
    let release: () => void = () => {};
    let longStarts = 0;
    let quickRuns = 0;
    const scheduler = new Scheduler(
      clock,
      createLogger("error", () => {}),
    )
      .every(
        "long",
        1000,
        () => {
          longStarts += 1;
          return new Promise<void>((r) => {
            release = r;
          });
        },
        true,
      )
      .every("quick", 1000, async () => {
        quickRuns += 1;
      });
    const first = scheduler.tick();
    for (let i = 0; i < 3; i++) {
      clock.advance(1000);
      await scheduler.tick();
    }
    expect(longStarts).toBe(1);
    expect(quickRuns).toBe(3);
    release();
    await first;
    clock.advance(1000);
    const again = scheduler.tick();
    release();
    await again;
    expect(longStarts).toBe(2);
  });
});
