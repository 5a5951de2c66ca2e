import { describe, expect, it } from "vitest";
import { Scheduler, type TimerTarget } from "./scheduler.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function recorder(log: string[], name: string): TimerTarget {
  return { onTimer: (kind, token) => void log.push(`${name}:${kind}:${token}`) };
}

describe("Scheduler", () => {
  it("fires deadlines in time order, ties in insertion order, with one timer", async () => {
    const s = new Scheduler();
    const log: string[] = [];
    const now = s.now();
    s.add(now + 30, recorder(log, "c"), 0);
    s.add(now + 10, recorder(log, "a"), 1, 7);
    s.add(now + 10, recorder(log, "b"), 2);
    expect(s.size).toBe(3);
    await sleep(60);
    expect(log).toEqual(["a:1:7", "b:2:0", "c:0:0"]);
    expect(s.size).toBe(0);
  });

  it("re-arms for an earlier deadline and forgets a removed target", async () => {
    const s = new Scheduler();
    const log: string[] = [];
    const gone = recorder(log, "gone");
    s.add(s.now() + 200, recorder(log, "late"), 0);
    s.add(s.now() + 5, gone, 0);
    s.add(s.now() + 10, recorder(log, "early"), 0);
    s.removeTarget(gone);
    await sleep(40);
    expect(log).toEqual(["early:0:0"]);
    await sleep(200);
    expect(log).toEqual(["early:0:0", "late:0:0"]);
  });

  it("handles many deadlines in batches and survives a throwing target", async () => {
    const errors: unknown[] = [];
    const s = new Scheduler({ batch: 100, onError: (e) => errors.push(e) });
    let fired = 0;
    const target: TimerTarget = { onTimer: () => void fired++ };
    const bad: TimerTarget = {
      onTimer: () => {
        throw new Error("boom");
      },
    };
    const at = s.now();
    s.add(at, bad, 0);
    for (let i = 0; i < 1000; i++) s.add(at + (i % 7), target, 0);
    await sleep(50);
    expect(fired).toBe(1000);
    expect(errors).toHaveLength(1);
  });
});
