import { describe, expect, it } from "vitest";
import { DomainError } from "./errors.js";
import {
  divRoundHalfUp,
  feeOf,
  formatMoney,
  mulDivFloor,
  parseMoney,
  tryParseMoney,
  UNITS_PER_XNM,
  xnm,
} from "./money.js";

function expectValidation(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).code).toBe("VALIDATION");
    return;
  }
  throw new Error("expected a VALIDATION DomainError");
}

describe("parseMoney", () => {
  it.each([
    ["0", 0n],
    ["1", 1_000_000n],
    ["36", 36_000_000n],
    ["36.000000", 36_000_000n],
    ["0.01", 10_000n],
    ["0.6", 600_000n],
    ["0.000001", 1n],
    ["1.5", 1_500_000n],
    ["12.345679", 12_345_679n],
    ["007.5", 7_500_000n],
    ["1000", 1_000_000_000n],
    ["9007199254.740991", 9_007_199_254_740_991n],
    ["123456789012345678901", 123_456_789_012_345_678_901_000_000n],
  ])("reads %j as %s units", (input, units) => {
    expect(parseMoney(input)).toBe(units);
  });

  it.each([
    "",
    " 1",
    "1 ",
    "+1",
    "1e3",
    "1E3",
    "1.5e2",
    ".5",
    "5.",
    "1.2.3",
    "1,5",
    "1_000",
    "0x10",
    "abc",
    "NaN",
    "Infinity",
    "-",
    "--1",
    "1.0000001",
    "0.0000000",
    "1.1234567",
    "١",
  ])("refuses %j", (input) => {
    expectValidation(() => parseMoney(input));
  });

  it("refuses negatives unless allowed", () => {
    expectValidation(() => parseMoney("-1"));
    expectValidation(() => parseMoney("-0.5"));
    expect(parseMoney("-1", { allowNegative: true })).toBe(-1_000_000n);
    expect(parseMoney("-0.5", { allowNegative: true })).toBe(-500_000n);
    expect(parseMoney("-0", { allowNegative: true })).toBe(0n);
    expectValidation(() => parseMoney("-1.0000001", { allowNegative: true }));
  });

  it("refuses JSON numbers unless allowed (compatibility routes)", () => {
    expectValidation(() => parseMoney(1));
    expect(parseMoney(1, { allowNumber: true })).toBe(1_000_000n);
    expect(parseMoney(0.6, { allowNumber: true })).toBe(600_000n);
    expect(parseMoney(0.1, { allowNumber: true })).toBe(100_000n);
    expect(parseMoney(12.345679, { allowNumber: true })).toBe(12_345_679n);
    expect(parseMoney(0.000001, { allowNumber: true })).toBe(1n);
    expect(parseMoney(-0, { allowNumber: true })).toBe(0n);
    expect(parseMoney(1e20, { allowNumber: true })).toBe(100_000_000_000_000_000_000_000_000n);
  });

  it("refuses numbers that are not exact 6-digit decimals", () => {
    const opts = { allowNumber: true, allowNegative: true };
    expectValidation(() => parseMoney(Number.NaN, opts));
    expectValidation(() => parseMoney(Number.POSITIVE_INFINITY, opts));
    expectValidation(() => parseMoney(Number.NEGATIVE_INFINITY, opts));
    expectValidation(() => parseMoney(0.1 + 0.2, opts)); // 0.30000000000000004
    expectValidation(() => parseMoney(1e-7, opts)); // "1e-7"
    expectValidation(() => parseMoney(1e21, opts)); // "1e+21"
    expectValidation(() => parseMoney(0.0000001, opts));
    expectValidation(() => parseMoney(-1, { allowNumber: true }));
    expect(parseMoney(-2.5, opts)).toBe(-2_500_000n);
  });

  it("refuses non-string, non-number input from untyped callers", () => {
    expectValidation(() => parseMoney(null as unknown as string));
    expectValidation(() => parseMoney(5n as unknown as string));
  });

  it("tryParseMoney returns a Result instead of throwing", () => {
    expect(tryParseMoney("1.25")).toEqual({ ok: true, value: 1_250_000n });
    const bad = tryParseMoney("1.1234567");
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error).toBeInstanceOf(DomainError);
      expect(bad.error.code).toBe("VALIDATION");
      expect(bad.error.message).toMatch(/6 fraction digits/);
    }
  });
});

describe("formatMoney", () => {
  it.each([
    [0n, "0.000000"],
    [1n, "0.000001"],
    [10_000n, "0.010000"],
    [36_000_000n, "36.000000"],
    [12_345_679n, "12.345679"],
    [1_000_000_000n, "1000.000000"],
    [-500_000n, "-0.500000"],
    [-1n, "-0.000001"],
    [-36_000_000n, "-36.000000"],
    [9_007_199_254_740_991n, "9007199254.740991"],
  ])("formats %s as %j", (units, text) => {
    expect(formatMoney(units)).toBe(text);
  });

  it("round-trips through parseMoney", () => {
    for (const units of [0n, 1n, 999_999n, 1_000_000n, 1_000_001n, 123_456_789_012n, -7n, -1_234_567n]) {
      expect(parseMoney(formatMoney(units), { allowNegative: true })).toBe(units);
    }
  });
});

describe("xnm", () => {
  it("converts XNM to units for constants and tests", () => {
    expect(UNITS_PER_XNM).toBe(1_000_000n);
    expect(xnm(1000)).toBe(1_000_000_000n);
    expect(xnm(10_000)).toBe(10_000_000_000n);
    expect(xnm("0.01")).toBe(10_000n);
    expect(xnm(0.6)).toBe(600_000n);
    expect(xnm(-1.5)).toBe(-1_500_000n);
    expectValidation(() => xnm(0.1234567));
  });
});

describe("mulDivFloor", () => {
  it("multiplies exactly and rounds down", () => {
    expect(mulDivFloor(10n, 3n, 4n)).toBe(7n); // 7.5
    expect(mulDivFloor(12_345_679n, 500n, 10_000n)).toBe(617_283n); // 617283.95
    expect(mulDivFloor(0n, 5n, 3n)).toBe(0n);
    expect(mulDivFloor(2n ** 60n, 2n ** 60n, 2n ** 60n)).toBe(2n ** 60n); // no overflow in the product
  });

  it("truncates toward zero for negative operands (documented)", () => {
    expect(mulDivFloor(-10n, 3n, 4n)).toBe(-7n);
  });

  it("refuses a zero divisor", () => {
    expectValidation(() => mulDivFloor(1n, 1n, 0n));
  });
});

describe("divRoundHalfUp", () => {
  it("rounds to nearest, halves up", () => {
    expect(divRoundHalfUp(0n, 60n)).toBe(0n);
    expect(divRoundHalfUp(29n, 60n)).toBe(0n);
    expect(divRoundHalfUp(30n, 60n)).toBe(1n);
    expect(divRoundHalfUp(89n, 60n)).toBe(1n);
    expect(divRoundHalfUp(90n, 60n)).toBe(2n);
    expect(divRoundHalfUp(7n, 2n)).toBe(4n);
    expect(divRoundHalfUp(5n, 3n)).toBe(2n); // 1.67
    expect(divRoundHalfUp(4n, 3n)).toBe(1n); // 1.33
    // platform-rules §3: 2 × RTX 4090 = 2.40 XNM/min → 40,000 units/s; default 0.60/min → 10,000 units/s.
    expect(divRoundHalfUp(2_400_000n, 60n)).toBe(40_000n);
    expect(divRoundHalfUp(600_000n, 60n)).toBe(10_000n);
    expect(divRoundHalfUp(1_000_010n, 60n)).toBe(16_667n); // 16666.83
  });

  it("refuses negative numerators and non-positive divisors", () => {
    expectValidation(() => divRoundHalfUp(-1n, 2n));
    expectValidation(() => divRoundHalfUp(1n, 0n));
    expectValidation(() => divRoundHalfUp(1n, -2n));
  });
});

describe("feeOf", () => {
  it("matches the worked examples of platform-rules §4.3", () => {
    expect(feeOf(12_345_679n, 500)).toBe(617_283n);
    expect(12_345_679n - feeOf(12_345_679n, 500)).toBe(11_728_396n);
    expect(feeOf(12_340_000n, 500)).toBe(617_000n);
    expect(12_340_000n - feeOf(12_340_000n, 500)).toBe(11_723_000n);
  });

  it("rounds the fee down and handles the edges", () => {
    expect(feeOf(0n, 500)).toBe(0n);
    expect(feeOf(19n, 500)).toBe(0n); // 0.95
    expect(feeOf(20n, 500)).toBe(1n);
    expect(feeOf(36_000_000n, 500)).toBe(1_800_000n);
    expect(feeOf(36_000_000n, 0)).toBe(0n);
    expect(feeOf(36_000_000n, 10_000)).toBe(36_000_000n);
    expect(feeOf(36_000_000n, 500n)).toBe(1_800_000n);
  });

  it("never creates or loses a unit", () => {
    for (let total = 0n; total < 2_000n; total += 7n) {
      const fee = feeOf(total, 500);
      expect(fee * 10_000n <= total * 500n).toBe(true);
      expect((fee + 1n) * 10_000n > total * 500n).toBe(true);
    }
  });

  it("refuses invalid rates and negative totals", () => {
    expectValidation(() => feeOf(100n, -1));
    expectValidation(() => feeOf(100n, 10_001));
    expectValidation(() => feeOf(100n, 2.5));
    expectValidation(() => feeOf(100n, Number.NaN));
    expectValidation(() => feeOf(-100n, 500));
  });
});
