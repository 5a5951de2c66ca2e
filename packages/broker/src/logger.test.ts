import { describe, expect, it } from "vitest";
import { type Logger, RateLimitedLog } from "./logger.js";

function recorder() {
  const lines: Array<{ message: string; fields?: Record<string, unknown> }> = [];
  const logger: Logger = { info: () => {}, warn: (message, fields) => lines.push({ message, fields }) };
  return { lines, logger };
}

describe("RateLimitedLog", () => {
  it("logs once per key per interval and reports how many lines it held back", () => {
    let now = 0;
    const { lines, logger } = recorder();
    const log = new RateLimitedLog(logger, 1000, () => now);
    for (let i = 0; i < 5; i++) log.warn("spoof:w1", "dropped", { i });
    log.warn("spoof:w2", "dropped", { i: 9 });
    expect(lines).toEqual([
      { message: "dropped", fields: { i: 0 } },
      { message: "dropped", fields: { i: 9 } },
    ]);
    now = 1000;
    log.warn("spoof:w1", "dropped", { i: 10 });
    expect(lines[2]).toEqual({ message: "dropped", fields: { i: 10, suppressed: 4 } });
  });

  it("keeps a bounded number of keys", () => {
    const { lines, logger } = recorder();
    const log = new RateLimitedLog(logger, 60_000, () => 0, 3);
    for (let i = 0; i < 10; i++) log.warn(`k${i}`, "m");
    expect(lines).toHaveLength(10);
    // After the reset, an old key logs again instead of the map growing without end.
    log.warn("k0", "m");
    expect(lines).toHaveLength(11);
  });

  it("caps the lines across all keys per interval, then reports what it held back", () => {
    let now = 0;
    const { lines, logger } = recorder();
    const log = new RateLimitedLog(logger, 1000, () => now, 10_000, 3);
    for (let i = 0; i < 10; i++) log.warn(`id-${i}`, "dropped");
    expect(lines).toHaveLength(3);
    now = 1000;
    log.warn("id-99", "dropped");
    expect(lines[3]).toEqual({ message: "dropped", fields: { suppressed: 7 } });
  });
});
