import { describe, expect, it } from "vitest";
import { seededRandom } from "../testing/index.js";
import {
  computeReputation,
  onlineSecIncrement,
  type ReputationCounters,
  repSummary,
  roundTo,
} from "./reputation.js";

const NOW = 1_750_000_000_000;
const SEC = 1_000;
const DAY = 86_400_000;

const counters = (over: Partial<ReputationCounters> = {}): ReputationCounters => ({
  verifiedLeaseBlocks: 0,
  leasesCompleted: 0,
  leasesFailed: 0,
  onlineSec: 0,
  registeredAt: NOW,
  ...over,
});

describe("computeReputation", () => {
  it("a brand-new worker: full completion, nothing else, 1 s of lifetime", () => {
    expect(computeReputation(counters(), NOW)).toEqual({
      score: 30,
      stars: 1.5,
      blocks: { score: 0, verifiedLeaseBlocks: 0, max: 100, weight: 40 },
      completion: { score: 30, completed: 0, failed: 0, weight: 30 },
      uptime: { score: 0, onlineSec: 0, totalSec: 1, pct: 0, weight: 20 },
      age: { score: 0, days: 0, maxDays: 90, weight: 10 },
    });
  });

  it("a perfect worker scores exactly 100 and 5 stars", () => {
    const rep = computeReputation(
      counters({
        verifiedLeaseBlocks: 100,
        leasesCompleted: 7,
        onlineSec: 90 * 86_400,
        registeredAt: NOW - 90 * DAY,
      }),
      NOW,
    );
    expect(rep.score).toBe(100);
    expect(rep.stars).toBe(5);
    expect([rep.blocks.score, rep.completion.score, rep.uptime.score, rep.age.score]).toEqual([
      40, 30, 20, 10,
    ]);
    expect(rep.uptime.pct).toBe(100);
    expect(rep.age.days).toBe(90);
  });

  it("caps every component, so the score never passes 100", () => {
    const rep = computeReputation(
      counters({
        verifiedLeaseBlocks: 2_500,
        leasesCompleted: 50,
        onlineSec: 10 * 365 * 86_400, // more than the lifetime
        registeredAt: NOW - 400 * DAY,
      }),
      NOW,
    );
    expect(rep.score).toBe(100);
    expect(rep.blocks).toEqual({ score: 40, verifiedLeaseBlocks: 2_500, max: 100, weight: 40 });
    expect(rep.uptime.score).toBe(20);
    expect(rep.uptime.pct).toBe(100);
    expect(rep.age).toEqual({ score: 10, days: 400, maxDays: 90, weight: 10 });
  });

  it("blocks: min(verified / 100, 1) × 40", () => {
    const blocks = (n: number) => computeReputation(counters({ verifiedLeaseBlocks: n }), NOW).blocks.score;
    expect(blocks(1)).toBe(0.4);
    expect(blocks(37)).toBe(14.8);
    expect(blocks(99)).toBe(39.6);
    expect(blocks(100)).toBe(40);
    expect(blocks(101)).toBe(40);
  });

  it("completion: completed / (completed + failed) × 30, 30 with no record", () => {
    const completion = (completed: number, failed: number) =>
      computeReputation(counters({ leasesCompleted: completed, leasesFailed: failed }), NOW).completion;
    expect(completion(0, 0)).toEqual({ score: 30, completed: 0, failed: 0, weight: 30 });
    expect(completion(0, 3).score).toBe(0);
    expect(completion(5, 0).score).toBe(30);
    expect(completion(2, 1).score).toBe(20);
    expect(completion(1, 6).score).toBe(4.29); // 4.2857…
  });

  it("uptime: min(online / max(lifetime, 1 s), 1) × 20, pct in percent", () => {
    const uptime = (onlineSec: number, lifetimeMs: number) =>
      computeReputation(counters({ onlineSec, registeredAt: NOW - lifetimeMs }), NOW).uptime;
    expect(uptime(1, 3 * SEC)).toEqual({ score: 6.67, onlineSec: 1, totalSec: 3, pct: 33.33, weight: 20 });
    expect(uptime(1_800, 3_600 * SEC)).toMatchObject({ score: 10, pct: 50 });
    expect(uptime(12.345, 100 * SEC)).toMatchObject({ onlineSec: 12.345, totalSec: 100, pct: 12.35 });
    // registered half a second ago: the lifetime counts as 1 s
    expect(uptime(0.5, 500)).toMatchObject({ score: 10, totalSec: 1, pct: 50 });
    expect(uptime(5, 2_500)).toMatchObject({ totalSec: 2.5, score: 20, pct: 100 });
  });

  it("age: min(days / 90, 1) × 10, with fractional days", () => {
    const age = (lifetimeMs: number) =>
      computeReputation(counters({ registeredAt: NOW - lifetimeMs }), NOW).age;
    expect(age(45 * DAY)).toEqual({ score: 5, days: 45, maxDays: 90, weight: 10 });
    expect(age(DAY / 2)).toMatchObject({ score: 0.06, days: 0.5 }); // 0.0555…
    expect(age(89 * DAY)).toMatchObject({ score: 9.89 });
    expect(age(90 * DAY - 1)).toMatchObject({ score: 10, days: 90 }); // rounds for display only
    expect(age(91 * DAY)).toMatchObject({ score: 10, days: 91 });
  });

  it("a registration time in the future counts as brand new", () => {
    const rep = computeReputation(counters({ registeredAt: NOW + 60 * SEC, onlineSec: 10 }), NOW);
    expect(rep.age).toMatchObject({ score: 0, days: 0 });
    expect(rep.uptime).toMatchObject({ totalSec: 1, score: 20 });
  });

  it("negative counters (a corrupt row) cannot pull the score below the other parts", () => {
    const rep = computeReputation(
      counters({ verifiedLeaseBlocks: -5, leasesCompleted: -1, leasesFailed: -1, onlineSec: -10 }),
      NOW,
    );
    expect(rep.score).toBe(30);
    expect(rep.blocks.verifiedLeaseBlocks).toBe(0);
  });

  it("the score is the unrounded sum, rounded half up to 2 dp", () => {
    // 30 + 1/4000 × 20 = 30.005, an exact half at the 3rd decimal.
    const rep = computeReputation(counters({ onlineSec: 1, registeredAt: NOW - 4_000 * SEC }), NOW);
    expect(rep.score).toBe(30.01);
    expect(rep.uptime.score).toBe(0.01);
    expect(rep.uptime.pct).toBe(0.03); // 0.025
    // 30 + 87/800 × 20 = 32.175, whose binary scaling (3217.4999…) would round down to 32.17.
    const half = computeReputation(counters({ onlineSec: 87, registeredAt: NOW - 800 * SEC }), NOW);
    expect(half.score).toBe(32.18);
    expect(half.uptime).toMatchObject({ score: 2.18, pct: 10.88 }); // 2.175 and 10.875
    // 1 block (0.4) + 1 of 3 leases (10) + 1/3 online (6.666…) + 0.5 day (0.0555…) = 17.1222…
    const mixed = computeReputation(
      counters({
        verifiedLeaseBlocks: 1,
        leasesCompleted: 1,
        leasesFailed: 2,
        onlineSec: 14_400,
        registeredAt: NOW - DAY / 2,
      }),
      NOW,
    );
    expect(mixed.score).toBe(17.12);
    expect(mixed.stars).toBe(0.9); // 0.856
  });

  it("stars = round(score / 20, 1), half up", () => {
    const stars = (verifiedLeaseBlocks: number, days: number, failed: number) =>
      computeReputation(
        counters({ verifiedLeaseBlocks, leasesFailed: failed, registeredAt: NOW - days * DAY }),
        NOW,
      );
    // 70 blocks (28) + 9 days (1) + all leases failed (0) = 29 → 1.45 → 1.5
    expect(stars(70, 9, 1)).toMatchObject({ score: 29, stars: 1.5 });
    // 30 (no leases) + 15 (75 % uptime) + 1 h of age (0.0046) = 45.00 → 2.25 → 2.3
    const s = computeReputation(counters({ onlineSec: 2_700, registeredAt: NOW - 3_600 * SEC }), NOW);
    expect(s).toMatchObject({ score: 45, stars: 2.3 });
    // 30 + 9 days (1) = 31 → 1.55 → 1.6
    expect(stars(0, 9, 0)).toMatchObject({ score: 31, stars: 1.6 });
    // 1 block + all failed = 0.4 → 0.02 → 0.0
    expect(stars(1, 0, 1)).toMatchObject({ score: 0.4, stars: 0 });
  });
});

describe("repSummary", () => {
  it("keeps score and stars only", () => {
    const rep = computeReputation(counters({ verifiedLeaseBlocks: 50 }), NOW);
    expect(repSummary(rep)).toEqual({ score: 50, stars: 2.5 });
  });
});

describe("onlineSecIncrement", () => {
  it("adds the gap, in seconds with ms precision, when it is at most 90 s", () => {
    expect(onlineSecIncrement(NOW - 30 * SEC, NOW)).toBe(30);
    expect(onlineSecIncrement(NOW - 1_234, NOW)).toBe(1.234);
    expect(onlineSecIncrement(NOW - 90 * SEC, NOW)).toBe(90);
    expect(onlineSecIncrement(NOW - 1_000.4, NOW)).toBe(1);
  });

  it("adds nothing after an offline gap, without a previous heartbeat, or when time goes backwards", () => {
    expect(onlineSecIncrement(NOW - 90 * SEC - 1, NOW)).toBe(0);
    expect(onlineSecIncrement(NOW - DAY, NOW)).toBe(0);
    expect(onlineSecIncrement(null, NOW)).toBe(0);
    expect(onlineSecIncrement(NOW, NOW)).toBe(0);
    expect(onlineSecIncrement(NOW + 5 * SEC, NOW)).toBe(0);
  });

  it("honours a configured offline threshold", () => {
    expect(onlineSecIncrement(NOW - 10 * SEC, NOW, 10)).toBe(10);
    expect(onlineSecIncrement(NOW - 10 * SEC - 1, NOW, 10)).toBe(0);
    expect(onlineSecIncrement(NOW - 120 * SEC, NOW, 300)).toBe(120);
  });
});

describe("roundTo", () => {
  /** The former implementation (string exponent shifts every time): the reference for the fast path. */
  function reference(value: number, dp: number): number {
    if (!Number.isFinite(value) || value === 0) return value;
    const [mantissa, exponent] = Math.abs(value).toExponential().split("e");
    const rounded = Math.round(Number(`${mantissa}e${Number(exponent) + dp}`));
    const [m2, e2] = rounded.toExponential().split("e");
    return Math.sign(value) * Number(`${m2}e${Number(e2) - dp}`);
  }
  const same = (value: number, dp: number) => {
    const got = roundTo(value, dp);
    const want = reference(value, dp);
    if (!Object.is(got, want)) throw new Error(`roundTo(${value}, ${dp}) = ${got}, reference ${want}`);
  };

  it("rounds halves of the decimal form away from zero", () => {
    expect(roundTo(1.005, 2)).toBe(1.01);
    expect(roundTo(1.45, 1)).toBe(1.5);
    expect(roundTo(-1.005, 2)).toBe(-1.01);
    expect(roundTo(2.675, 2)).toBe(2.68);
    expect(roundTo(0.125, 2)).toBe(0.13);
    expect(roundTo(1.23456, 3)).toBe(1.235);
    expect(Object.is(roundTo(-0.001, 2), -0)).toBe(true);
    expect(roundTo(Number.NaN, 2)).toBeNaN();
    expect(roundTo(Number.POSITIVE_INFINITY, 2)).toBe(Number.POSITIVE_INFINITY);
  });

  it("gives exactly the former results over many values", { timeout: 60_000 }, () => {
    const r = seededRandom(2026);
    let checked = 0;
    for (const dp of [0, 1, 2, 3, 4, 6, 8]) {
      const scale = 10 ** dp;
      // Every decimal half and its binary neighbours on a grid (the values a binary scale misrounds).
      for (let k = 0; k < 10_000; k++) {
        const half = (k + 0.5) / scale;
        for (const v of [half, -half, nextUp(half), nextDown(half), k / scale, (k + 0.49999) / scale]) {
          same(v, dp);
          checked++;
        }
      }
      // Random magnitudes from 1e-12 to 1e18, random sign.
      for (let k = 0; k < 50_000; k++) {
        const v = (r() < 0.5 ? -1 : 1) * r() * 10 ** Math.floor(r() * 30 - 12);
        same(v, dp);
        same(Math.round(v * 1000) / 1000, dp);
        checked += 2;
      }
    }
    // The inputs computeReputation rounds: component scores, ratios ×100, seconds and days.
    for (let k = 0; k < 50_000; k++) {
      const online = r() * 1e8;
      const total = online + r() * 1e8 + 1;
      for (const v of [(online / total) * 20, (online / total) * 100, online, total, total / 86_400]) {
        same(v, 2);
        same(v, 3);
        same(v / 20, 1);
        checked += 3;
      }
    }
    expect(checked).toBeGreaterThan(1_000_000);
  });
});

function nextUp(x: number): number {
  const b = new Float64Array([x]);
  const i = new BigInt64Array(b.buffer);
  i[0] = i[0]! + (x >= 0 ? 1n : -1n);
  return b[0]!;
}

function nextDown(x: number): number {
  const b = new Float64Array([x]);
  const i = new BigInt64Array(b.buffer);
  i[0] = i[0]! + (x > 0 ? -1n : 1n);
  return b[0]!;
}
