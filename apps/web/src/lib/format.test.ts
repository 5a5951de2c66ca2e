import { describe, expect, it } from "vitest";
import {
  dayGroup,
  formatCount,
  formatDuration,
  formatHashrate,
  formatTimeAgo,
  formatXnm,
  middleTruncate,
  percentChange,
} from "./format.js";

describe("formatXnm", () => {
  it("shows the server's decimal string with the unit, exactly", () => {
    expect(formatXnm("12.345678")).toBe("12.345678 XNM");
    expect(formatXnm("0.000001")).toBe("0.000001 XNM");
    expect(formatXnm("36")).toBe("36.000000 XNM");
  });
  it("groups thousands and keeps the sign, beyond float precision", () => {
    expect(formatXnm("1234567.000001")).toBe("1,234,567.000001 XNM");
    expect(formatXnm("-5.500000")).toBe("-5.500000 XNM");
    // 2^53 + 1 units would lose its last digit as a double.
    expect(formatXnm("9007199254.740993")).toBe("9,007,199,254.740993 XNM");
  });
  it("truncates shown decimals (never rounds money up) and can omit the unit", () => {
    expect(formatXnm("1.999999", { decimals: 2 })).toBe("1.99 XNM");
    expect(formatXnm("1.5", { decimals: 0, unit: false })).toBe("1");
  });
  it("shows a dash for what is not an amount", () => {
    expect(formatXnm(null)).toBe("—");
    expect(formatXnm("1e5")).toBe("—");
    expect(formatXnm("abc")).toBe("—");
  });
});

describe("formatHashrate", () => {
  it("scales H/s, kH/s, MH/s", () => {
    expect(formatHashrate(0)).toBe("0 H/s");
    expect(formatHashrate(950)).toBe("950 H/s");
    expect(formatHashrate(12.5)).toBe("12.50 H/s");
    expect(formatHashrate(1234.5)).toBe("1.23 kH/s");
    expect(formatHashrate(123_456)).toBe("123.5 kH/s");
    expect(formatHashrate(2_500_000)).toBe("2.50 MH/s");
  });
  it("shows a dash for missing values", () => {
    expect(formatHashrate(null)).toBe("—");
    expect(formatHashrate(Number.NaN)).toBe("—");
  });
});

describe("durations and times", () => {
  it("formats durations with the two largest units", () => {
    expect(formatDuration(0)).toBe("0s");
    expect(formatDuration(45)).toBe("45s");
    expect(formatDuration(90)).toBe("1m 30s");
    expect(formatDuration(3600)).toBe("1h");
    expect(formatDuration(93_784)).toBe("1d 2h");
  });
  it("formats relative times", () => {
    const now = 1_700_000_000_000;
    expect(formatTimeAgo(now - 1000, now)).toBe("just now");
    expect(formatTimeAgo(now - 12_000, now)).toBe("12 s ago");
    expect(formatTimeAgo(now - 5 * 60_000, now)).toBe("5 min ago");
    expect(formatTimeAgo(now - 3 * 3_600_000, now)).toBe("3 h ago");
    expect(formatTimeAgo(now - 3 * 86_400_000, now)).toBe("3 d ago");
    expect(formatTimeAgo(null, now)).toBe("—");
  });
  it("groups by local day", () => {
    const now = new Date(2025, 5, 10, 15, 0, 0).getTime();
    expect(dayGroup(new Date(2025, 5, 10, 0, 0, 1).getTime(), now)).toBe("Today");
    expect(dayGroup(new Date(2025, 5, 9, 23, 59).getTime(), now)).toBe("Yesterday");
    expect(dayGroup(new Date(2025, 5, 8, 12, 0).getTime(), now)).toBe("Earlier");
  });
});

describe("small helpers", () => {
  it("counts, percent changes and middle truncation", () => {
    expect(formatCount(12345)).toBe("12,345");
    expect(percentChange(110, 100)).toBeCloseTo(10);
    expect(percentChange(5, 0)).toBeNull();
    expect(middleTruncate("0123456789abcdef")).toBe("012345…cdef");
    expect(middleTruncate("short")).toBe("short");
  });
});
