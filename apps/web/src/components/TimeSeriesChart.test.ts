import { describe, expect, it } from "vitest";
import { hasIsolatedPoint } from "./TimeSeriesChart.js";

describe("TimeSeriesChart", () => {
  it("finds a sample between gaps (drawn as a dot)", () => {
    expect(hasIsolatedPoint([{ time: 1 }, { time: 2, value: 5 }, { time: 3 }])).toBe(true);
    expect(hasIsolatedPoint([{ time: 1 }, { time: 2, value: 5 }])).toBe(true);
    expect(hasIsolatedPoint([{ time: 1, value: 4 }, { time: 2, value: 5 }, { time: 3 }])).toBe(false);
    expect(hasIsolatedPoint([])).toBe(false);
  });
});
