import { describe, expect, it } from "vitest";
import { toSeries, valuedPoints } from "./series.js";

describe("chart series", () => {
  it("fills missing buckets across the range with gaps, not zeros", () => {
    const hour = 3_600_000;
    const series = toSeries(
      [
        { ts: 2 * hour, value: 100 },
        { ts: 4 * hour, value: 0 },
      ],
      { bucketSec: 3600, fromMs: 0, toMs: 5 * hour },
    );
    expect(series).toEqual([
      { time: 0 },
      { time: 3600 },
      { time: 7200, value: 100 },
      { time: 10800 },
      { time: 14400, value: 0 },
      { time: 18000 },
    ]);
    expect(valuedPoints(series)).toBe(2);
  });

  it("is empty without data or range", () => {
    expect(toSeries([], { bucketSec: 30 })).toEqual([]);
  });
});
