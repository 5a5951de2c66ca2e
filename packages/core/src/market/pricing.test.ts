import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DomainError } from "../errors.js";
import {
  type BestValueCandidate,
  compareBestValue,
  DEFAULT_PRICING,
  DURATION_CAP_SEC,
  gpuSummary,
  MAX_PRICE_PER_SEC,
  pricePerHour,
  pricePerMin,
  pricePerSecFromPerMin,
  suggestPrice,
  validatePricing,
  valueScore,
} from "./pricing.js";

const XNM = 1_000_000n;

function validationMessage(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).code).toBe("VALIDATION");
    return (e as DomainError).message;
  }
  throw new Error("expected a VALIDATION failure");
}

describe("defaults", () => {
  it("match §3/§13: 0.01 XNM/s = 0.60 XNM/min = 36 XNM/h, 60..86,400 s", () => {
    expect(DEFAULT_PRICING).toEqual({ pricePerSec: 10_000n, minDurationSec: 60, maxDurationSec: 86_400 });
    expect(pricePerMin(DEFAULT_PRICING.pricePerSec)).toBe(600_000n);
    expect(pricePerHour(DEFAULT_PRICING.pricePerSec)).toBe(36n * XNM);
  });

  it("the largest amount (max price × 7 days) stays below 2^53", () => {
    expect(MAX_PRICE_PER_SEC * BigInt(DURATION_CAP_SEC) < 2n ** 53n).toBe(true);
  });
});

describe("validatePricing", () => {
  const ok = { pricePerSec: 10_000n, minDurationSec: 60, maxDurationSec: 86_400 };

  it("accepts the bounds inclusively", () => {
    expect(validatePricing(ok)).toEqual(ok);
    expect(validatePricing({ pricePerSec: 0n, minDurationSec: 1, maxDurationSec: 1 })).toEqual({
      pricePerSec: 0n,
      minDurationSec: 1,
      maxDurationSec: 1,
    });
    expect(
      validatePricing({ ...ok, pricePerSec: MAX_PRICE_PER_SEC, maxDurationSec: 604_800 }).maxDurationSec,
    ).toBe(604_800);
  });

  it("returns a fresh object holding only the pricing fields", () => {
    const input = { ...ok, extra: 1 };
    const out = validatePricing(input);
    expect(out).not.toBe(input);
    expect(Object.keys(out).sort()).toEqual(["maxDurationSec", "minDurationSec", "pricePerSec"]);
  });

  it("gives a distinct message for each rule", () => {
    const messages = [
      validationMessage(() => validatePricing({ ...ok, pricePerSec: -1n })),
      validationMessage(() => validatePricing({ ...ok, pricePerSec: MAX_PRICE_PER_SEC + 1n })),
      validationMessage(() => validatePricing({ ...ok, minDurationSec: 1.5 })),
      validationMessage(() => validatePricing({ ...ok, minDurationSec: 0 })),
      validationMessage(() => validatePricing({ ...ok, maxDurationSec: 100.5 })),
      validationMessage(() => validatePricing({ ...ok, minDurationSec: 120, maxDurationSec: 119 })),
      validationMessage(() => validatePricing({ ...ok, maxDurationSec: 604_801 })),
    ];
    expect(new Set(messages).size).toBe(messages.length);
    expect(messages[0]).toMatch(/pricePerSec.*negative/);
    expect(messages[1]).toMatch(/pricePerSec.*at most 1000000000/);
    expect(messages[2]).toMatch(/minDurationSec.*whole/);
    expect(messages[3]).toMatch(/minDurationSec.*at least 1/);
    expect(messages[4]).toMatch(/maxDurationSec.*whole/);
    expect(messages[5]).toMatch(/maxDurationSec.*less than minDurationSec/);
    expect(messages[6]).toMatch(/maxDurationSec.*at most 604800/);
  });

  it("refuses non-finite and negative durations", () => {
    validationMessage(() => validatePricing({ ...ok, minDurationSec: Number.NaN }));
    validationMessage(() => validatePricing({ ...ok, minDurationSec: -5 }));
    validationMessage(() => validatePricing({ ...ok, maxDurationSec: Number.POSITIVE_INFINITY }));
  });
});

describe("per-minute conversion", () => {
  it("rounds half up", () => {
    expect(pricePerSecFromPerMin(600_000n)).toBe(10_000n);
    expect(pricePerSecFromPerMin(0n)).toBe(0n);
    expect(pricePerSecFromPerMin(29n)).toBe(0n); // 0.483…
    expect(pricePerSecFromPerMin(30n)).toBe(1n); // exactly .5 goes up
    expect(pricePerSecFromPerMin(89n)).toBe(1n); // 1.483…
    expect(pricePerSecFromPerMin(90n)).toBe(2n); // 1.5
    expect(pricePerSecFromPerMin(550_000n)).toBe(9_167n); // 9166.67
    expect(pricePerSecFromPerMin(550_010n)).toBe(9_167n); // 9166.83
  });

  it("refuses a negative per-minute price", () => {
    expect(validationMessage(() => pricePerSecFromPerMin(-60n))).toMatch(/negative/);
  });

  it("echoes per-second × 60, and a per-second price survives the round trip", () => {
    expect(pricePerMin(9_167n)).toBe(550_020n);
    expect(pricePerHour(40_000n)).toBe(144n * XNM);
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX_PRICE_PER_SEC }), (perSec) => {
        expect(pricePerSecFromPerMin(pricePerMin(perSec))).toBe(perSec);
      }),
    );
  });
});

describe("suggestPrice", () => {
  const gpu = (name: string, memoryGb = 8) => ({ name, memoryGb });
  const suggest = (gpus: { name: string; memoryGb: number }[], gpuCount = gpus.length, totalMemoryGb = 0) =>
    suggestPrice({ gpus, gpuCount, totalMemoryGb });

  it("§3 example: 2 × RTX 4090 → 2.40 XNM/min = 40,000 units/s", () => {
    const s = suggest([gpu("NVIDIA GeForce RTX 4090", 24), gpu("NVIDIA GeForce RTX 4090", 24)]);
    expect(s.pricePerSec).toBe(40_000n);
    expect(s.pricePerMin).toBe(2_400_000n);
    expect(s.lines).toEqual([
      { gpu: "NVIDIA GeForce RTX 4090", ratePerMin: 1_200_000n, source: "table" },
      { gpu: "NVIDIA GeForce RTX 4090", ratePerMin: 1_200_000n, source: "table" },
    ]);
  });

  it.each([
    ["RTX 4090", 1_200_000n],
    ["RTX 4080", 900_000n],
    ["RTX 4070", 600_000n],
    ["RTX 3090", 800_000n],
    ["RTX 3080", 550_000n],
    ["RTX 3070", 400_000n],
    ["RTX 3060", 250_000n],
    ["A100", 2_000_000n],
    ["H100", 3_500_000n],
  ])("table rate for %s", (name, rate) => {
    expect(suggest([gpu(`NVIDIA ${name}`)]).lines[0]).toEqual({
      gpu: `NVIDIA ${name}`,
      ratePerMin: rate,
      source: "table",
    });
  });

  it("matches keys as case-insensitive substrings", () => {
    expect(suggest([gpu("nvidia geforce rtx 4090")]).lines[0]?.source).toBe("table");
    expect(suggest([gpu("NVIDIA H100 80GB HBM3")]).lines[0]?.ratePerMin).toBe(3_500_000n);
    // variants carry their base model's rate
    expect(suggest([gpu("NVIDIA GeForce RTX 4090 Ti")]).lines[0]?.ratePerMin).toBe(1_200_000n);
    expect(suggest([gpu("NVIDIA GeForce RTX 4070 SUPER")]).lines[0]?.ratePerMin).toBe(600_000n);
    expect(suggest([gpu("NVIDIA GeForce RTX 3060 Ti")]).lines[0]?.ratePerMin).toBe(250_000n);
  });

  it("a table match wins over the memory fallback", () => {
    // A100 80GB: table 2.00, and memory ≥ 80 would also give 2.00, so use a small A100 to tell them apart.
    const a100 = suggest([gpu("NVIDIA A100-SXM4-80GB", 80)]).lines[0];
    expect(a100).toEqual({ gpu: "NVIDIA A100-SXM4-80GB", ratePerMin: 2_000_000n, source: "table" });
    expect(suggest([gpu("NVIDIA A100 40GB", 40)]).lines[0]).toMatchObject({
      ratePerMin: 2_000_000n,
      source: "table",
    });
    expect(suggest([gpu("NVIDIA GeForce RTX 3060", 12)]).lines[0]).toMatchObject({
      ratePerMin: 250_000n,
      source: "table",
    });
  });

  it("uses the first key in table order, not the first in the name", () => {
    // "H100" appears first in the name, but "A100" comes first in the table.
    expect(suggest([gpu("H100/A100 hybrid")]).lines[0]?.ratePerMin).toBe(2_000_000n);
    expect(suggest([gpu("RTX 3090 + RTX 4070 bridge")]).lines[0]?.ratePerMin).toBe(600_000n);
  });

  it("does not match across a missing space", () => {
    expect(suggest([gpu("RTX4090", 24)]).lines[0]).toMatchObject({ ratePerMin: 800_000n, source: "memory" });
  });

  it.each([
    [141, 2_000_000n],
    [80, 2_000_000n],
    [79.9, 800_000n],
    [24, 800_000n],
    [23.99, 400_000n],
    [12, 400_000n],
    [11.9, 200_000n],
    [0, 200_000n],
    [Number.NaN, 200_000n],
  ])("memory fallback for an unknown GPU with %s GB", (memoryGb, rate) => {
    expect(suggest([gpu("AMD Radeon RX 7900 XTX", memoryGb)]).lines[0]).toEqual({
      gpu: "AMD Radeon RX 7900 XTX",
      ratePerMin: rate,
      source: "memory",
    });
  });

  it("sums per minute before converting, rounding half up", () => {
    // 0.55 + 0.25 = 0.80/min = 13,333.3 units/s
    expect(suggest([gpu("RTX 3080"), gpu("RTX 3060")]).pricePerSec).toBe(13_333n);
    // 0.55/min = 9,166.67 → 9,167 (rounding each GPU alone would also give 9,167; three of them show the
    // difference: 1.65/min = 27,500 exactly, not 3 × 9,167 = 27,501)
    expect(suggest([gpu("RTX 3080")]).pricePerSec).toBe(9_167n);
    expect(suggest([gpu("RTX 3080"), gpu("RTX 3080"), gpu("RTX 3080")]).pricePerSec).toBe(27_500n);
  });

  it("pricePerMin echoes pricePerSec × 60, not the raw sum of lines", () => {
    const s = suggest([gpu("RTX 3080")]);
    expect(s.pricePerMin).toBe(550_020n);
    expect(s.lines[0]?.ratePerMin).toBe(550_000n);
  });

  it("mixes table and memory lines", () => {
    const s = suggest([gpu("RTX 4090", 24), gpu("Tesla V100", 32)]);
    expect(s.lines.map((l) => l.source)).toEqual(["table", "memory"]);
    // 1.20 + 0.80 (32 GB) = 2.00/min = 33,333.3 → 33,333 units/s
    expect(s.pricePerSec).toBe(33_333n);
    expect(s.pricePerMin).toBe(1_999_980n);
  });

  describe("empty gpus list", () => {
    it("uses total memory's fallback rate × gpu count", () => {
      expect(suggest([], 2, 48)).toEqual({
        pricePerSec: 26_667n, // 1.60/min
        pricePerMin: 1_600_020n,
        lines: [{ gpu: "2x GPU", ratePerMin: 1_600_000n, source: "memory" }],
      });
      expect(suggest([], 4, 96).lines[0]?.ratePerMin).toBe(8_000_000n); // total ≥ 80 → 2.00 × 4
      expect(suggest([], 1, 12).lines[0]).toEqual({ gpu: "GPU", ratePerMin: 400_000n, source: "memory" });
    });

    it("treats a gpu count below 1 as one GPU", () => {
      expect(suggest([], 0, 24).lines[0]).toEqual({ gpu: "GPU", ratePerMin: 800_000n, source: "memory" });
      expect(suggest([], -3, 24).lines[0]?.ratePerMin).toBe(800_000n);
      expect(suggest([], Number.NaN, 24).lines[0]?.ratePerMin).toBe(800_000n);
      expect(suggest([], 2.7, 24).lines[0]?.ratePerMin).toBe(1_600_000n);
    });

    it("gives a flat 0.60/min (the default price) below 12 GB, whatever the count", () => {
      expect(suggest([], 1, 8).pricePerSec).toBe(10_000n);
      expect(suggest([], 3, 11.99).lines[0]).toEqual({
        gpu: "3x GPU",
        ratePerMin: 600_000n,
        source: "memory",
      });
      expect(suggest([], 0, 0).pricePerSec).toBe(10_000n);
    });
  });

  it("clamps an absurd suggestion to the maximum price", () => {
    expect(suggest([], 1e9, 80).pricePerSec).toBe(MAX_PRICE_PER_SEC);
  });
});

describe("gpuSummary", () => {
  it("no GPUs → GPU", () => {
    expect(gpuSummary([])).toBe("GPU");
  });

  it("one model: the model alone for one GPU, else a count", () => {
    expect(gpuSummary(["NVIDIA GeForce RTX 4090"])).toBe("RTX 4090");
    expect(gpuSummary(["NVIDIA GeForce RTX 4090", "NVIDIA GeForce RTX 4090"])).toBe("2x RTX 4090");
    expect(gpuSummary(Array(8).fill("NVIDIA H100 80GB HBM3"))).toBe("8x H100 80GB HBM3");
  });

  it("drops only the listed prefixes", () => {
    expect(gpuSummary(["NVIDIA A100-SXM4-80GB"])).toBe("A100-SXM4-80GB");
    expect(gpuSummary(["AMD Radeon RX 7900 XTX"])).toBe("AMD Radeon RX 7900 XTX");
    expect(gpuSummary(["  NVIDIA GeForce RTX 3060  "])).toBe("RTX 3060");
    expect(gpuSummary(["NVIDIA "])).toBe("GPU");
  });

  it("two models and ≤ 4 GPUs: both parts, in order of first appearance", () => {
    expect(
      gpuSummary(["NVIDIA GeForce RTX 4090", "NVIDIA GeForce RTX 3090", "NVIDIA GeForce RTX 3090"]),
    ).toBe("RTX 4090 + 2x RTX 3090");
    expect(gpuSummary(["RTX 3090", "RTX 4090", "RTX 3090"])).toBe("2x RTX 3090 + RTX 4090");
    expect(gpuSummary(["RTX 3090", "RTX 4090"])).toBe("RTX 3090 + RTX 4090");
    expect(gpuSummary(["RTX 3090", "RTX 3090", "RTX 4090", "RTX 4090"])).toBe("2x RTX 3090 + 2x RTX 4090");
  });

  it("otherwise <n>x (mixed)", () => {
    expect(gpuSummary(["RTX 3090", "RTX 3090", "RTX 3090", "RTX 4090", "RTX 4090"])).toBe("5x (mixed)");
    expect(gpuSummary(["RTX 3090", "RTX 4090", "RTX 4080"])).toBe("3x (mixed)");
  });

  it("names that differ only by the dropped prefixes are one model", () => {
    expect(gpuSummary(["NVIDIA GeForce RTX 4090", "RTX 4090"])).toBe("2x RTX 4090");
  });
});

describe("valueScore", () => {
  it("is price per H/s, null without hashrate", () => {
    expect(valueScore(10_000n, 2_000)).toBe(5);
    expect(valueScore(0n, 100)).toBe(0);
    expect(valueScore(10_000n, 0)).toBeNull();
    expect(valueScore(10_000n, -1)).toBeNull();
    expect(valueScore(10_000n, Number.NaN)).toBeNull();
    expect(valueScore(10_000n, Number.POSITIVE_INFINITY)).toBeNull();
  });
});

describe("compareBestValue", () => {
  const w = (
    workerId: string,
    pricePerSec: bigint,
    hashrate: number,
    reputationScore = 50,
  ): BestValueCandidate => ({
    workerId,
    pricePerSec,
    hashrate,
    reputationScore,
  });
  const order = (...ws: BestValueCandidate[]) => [...ws].sort(compareBestValue).map((x) => x.workerId);

  it("orders by price per hashrate ascending", () => {
    expect(order(w("a", 20_000n, 1000), w("b", 10_000n, 1000), w("c", 10_000n, 2000))).toEqual([
      "c",
      "b",
      "a",
    ]);
  });

  it("compares ratios exactly (equal ratios tie, then reputation decides)", () => {
    // 10,000 / 1,000.5 and 20,000 / 2,001 are the same ratio.
    expect(order(w("a", 10_000n, 1000.5, 10), w("b", 20_000n, 2001, 90))).toEqual(["b", "a"]);
    // One centi-H/s of difference still orders the pair.
    expect(order(w("a", 1n, 3), w("b", 1n, 3.01))).toEqual(["b", "a"]);
    // Large prices over tiny hashrates stay exact in bigint.
    expect(order(w("a", MAX_PRICE_PER_SEC, 0.02, 0), w("b", MAX_PRICE_PER_SEC - 1n, 0.02, 99))).toEqual([
      "b",
      "a",
    ]);
  });

  it("then reputation descending, then workerId ascending by code unit", () => {
    expect(order(w("a", 1n, 1, 10), w("b", 1n, 1, 80))).toEqual(["b", "a"]);
    expect(order(w("b", 1n, 1), w("B", 1n, 1), w("a", 1n, 1))).toEqual(["B", "a", "b"]);
    expect(compareBestValue(w("a", 1n, 1), w("a", 1n, 1))).toBe(0);
  });

  it("a free worker is the best value", () => {
    expect(order(w("a", 1n, 1e9), w("b", 0n, 1))).toEqual(["b", "a"]);
  });

  it("puts workers without usable hashrate last", () => {
    expect(order(w("z", 0n, 0), w("a", 1_000_000n, 1), w("y", 0n, -5, 99), w("x", 0n, 0.001))).toEqual([
      "a",
      "y",
      "x",
      "z",
    ]);
  });

  it("is antisymmetric and agrees with exact rational order", () => {
    const cand = fc.record({
      workerId: fc.string({ maxLength: 3 }),
      pricePerSec: fc.bigInt({ min: 0n, max: MAX_PRICE_PER_SEC }),
      hashrate: fc.integer({ min: 1, max: 10_000_000 }).map((c) => c / 100),
      reputationScore: fc.integer({ min: 0, max: 10_000 }).map((c) => c / 100),
    });
    fc.assert(
      fc.property(cand, cand, (a, b) => {
        const ab = compareBestValue(a, b);
        expect(Math.sign(ab)).toBe(-Math.sign(compareBestValue(b, a)));
        const lhs = a.pricePerSec * BigInt(Math.round(b.hashrate * 100));
        const rhs = b.pricePerSec * BigInt(Math.round(a.hashrate * 100));
        if (lhs !== rhs) expect(Math.sign(ab)).toBe(lhs < rhs ? -1 : 1);
      }),
    );
  });
});
