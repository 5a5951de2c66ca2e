import { describe, expect, it } from "vitest";
import {
  checkPricing,
  durationSec,
  perHourFromPerSec,
  perSecFromPerHour,
  splitDuration,
  trimAmount,
} from "./pricing.js";

describe("provider pricing", () => {
  it("converts per hour to per second in units, rounding half up", () => {
    expect(perSecFromPerHour("36")).toBe("0.010000");
    expect(perSecFromPerHour("72.5")).toBe("0.020139"); // 72.5 / 3600 = 0.0201388…
    expect(perSecFromPerHour("0.0018")).toBe("0.000001"); // half a unit rounds up
    expect(perSecFromPerHour("0.0017")).toBe("0.000000");
    expect(perSecFromPerHour("1.")).toBeNull();
    expect(perSecFromPerHour("")).toBeNull();
  });

  it("round-trips a per-second price through per hour exactly", () => {
    expect(perHourFromPerSec("0.020000")).toBe("72.000000");
    expect(perSecFromPerHour(perHourFromPerSec("0.013333") as string)).toBe("0.013333");
    expect(trimAmount("72.000000")).toBe("72");
    expect(trimAmount("47.998800")).toBe("47.9988");
  });

  it("splits and reads durations", () => {
    expect(splitDuration(86_400)).toEqual({ amount: "1", unit: "d" });
    expect(splitDuration(7_200)).toEqual({ amount: "2", unit: "h" });
    expect(splitDuration(60)).toEqual({ amount: "1", unit: "min" });
    expect(splitDuration(90)).toEqual({ amount: "90", unit: "s" });
    expect(durationSec("1.5", "h")).toBe(5_400);
    expect(durationSec("0.5", "s")).toBeNull();
    expect(durationSec("x", "h")).toBeNull();
  });

  it("checks a draft like the server does", () => {
    const base = { perHour: "36", minAmount: "1", minUnit: "min", maxAmount: "1", maxUnit: "d" } as const;
    expect(checkPricing(base)).toEqual({
      ok: true,
      pricePerSec: "0.010000",
      minDurationSec: 60,
      maxDurationSec: 86_400,
    });
    expect(checkPricing({ ...base, maxAmount: "30", maxUnit: "s" })).toMatchObject({
      ok: false,
      field: "max",
    });
    expect(checkPricing({ ...base, maxAmount: "8", maxUnit: "d" })).toMatchObject({
      ok: false,
      field: "max",
    });
    expect(checkPricing({ ...base, perHour: "" })).toMatchObject({ ok: false, field: "price" });
  });
});
