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

  it("does not start a tick while one is running", async () => {
    const clock = fakeClock();
    let release: () => void = () => {};
    let started = 0;
    const scheduler = new Scheduler(
      clock,
      createLogger("error", () => {}),
    ).every(
      "long",
      1000,
      () => {
        started += 1;
        return new Promise<void>((r) => {
          release = r;
        });
      },
      true,
    );
    const first = scheduler.tick();
    clock.advance(5000);
    const second = scheduler.tick();
    expect(second).toBe(first);
    release();
    await first;
    expect(started).toBe(1);
  });
});
