import { describe, expect, it } from "vitest";
import { estimateStop, isLess, perHour } from "./money.js";
import { listInput, perHourToPerSec, validateMarketplaceSearch } from "./search.js";

describe("marketplace search params", () => {
  it("keeps valid values and drops the rest", () => {
    expect(
      validateMarketplaceSearch({
        gpu: " RTX 4090 ",
        minHash: "1500.5",
        maxPrice: "36.5",
        minGpus: 2,
        minMem: "24",
        dur: 3600,
        avail: false,
        q: "abc",
        sort: "price",
        page: "3",
      }),
    ).toEqual({
      gpu: "RTX 4090",
      minHash: 1500.5,
      maxPrice: "36.5",
      minGpus: 2,
      minMem: 24,
      dur: 3600,
      avail: false,
      q: "abc",
      sort: "price",
      page: 3,
    });
    expect(
      validateMarketplaceSearch({
        minHash: "-1",
        maxPrice: "1e5",
        minGpus: 1.5,
        dur: "x",
        avail: true,
        sort: "value",
        page: 1,
        extra: "ignored",
      }),
    ).toEqual({});
  });

  it("turns a search into the marketplace.list input (price per hour → per second, rounded down)", () => {
    expect(listInput({})).toEqual({ page: 1, limit: 18, sortBy: "value", availableOnly: true });
    expect(
      listInput({ maxPrice: "36", minHash: 10, dur: 3600, avail: false, sort: "gpus", page: 2 }),
    ).toEqual({
      page: 2,
      limit: 18,
      sortBy: "gpus",
      availableOnly: false,
      maxPricePerSec: "0.010000",
      minHashrate: 10,
      durationSec: 3600,
    });
    expect(perHourToPerSec("0.000001")).toBe("0.000000");
    expect(perHourToPerSec("nope")).toBeNull();
  });
});

describe("marketplace money", () => {
  it("computes exact per-hour prices, comparisons and stop estimates without floats", () => {
    expect(perHour("0.010000")).toBe("36.000000");
    expect(isLess("35.999999", "36")).toBe(true);
    expect(isLess("36", "36.000000")).toBe(false);
    const lease = { pricePerSec: "0.010000", escrow: "36.000000", durationSec: 3600, confirmedAt: 1_000_000 };
    expect(estimateStop(lease, 1_000_000 + 90_900)).toEqual({
      billedSec: 90,
      charge: "0.900000",
      refund: "35.100000",
    });
    // Pending: nothing billed, everything refunded; past the end: capped at the contracted duration.
    expect(estimateStop({ ...lease, confirmedAt: undefined }, 5_000_000)?.refund).toBe("36.000000");
    expect(estimateStop(lease, 1_000_000 + 10_000_000)?.charge).toBe("36.000000");
  });
});
