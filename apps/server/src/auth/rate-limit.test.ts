import { fakeClock } from "@xenblocks/core/testing";
import { describe, expect, it } from "vitest";
import { MUTATION_LIMIT, RateLimiter, SIGN_IN_LIMIT } from "./rate-limit.js";

describe("the rate limiter", () => {
  it("refuses once the bucket is empty, and refills with the clock", () => {
    const clock = fakeClock();
    const limiter = new RateLimiter({ capacity: 3, windowMs: 60_000, clock });
    expect([1, 2, 3].map(() => limiter.take("ip"))).toEqual([true, true, true]);
    expect(limiter.take("ip")).toBe(false);
    expect(limiter.retryAfterMs("ip")).toBe(20_000);
    clock.advance(19_999);
    expect(limiter.take("ip")).toBe(false);
    clock.advance(1);
    expect(limiter.take("ip")).toBe(true);
    expect(limiter.take("ip")).toBe(false);
    // A whole window refills the burst, not more.
    clock.advance(10 * 60_000);
    expect([1, 2, 3, 4].map(() => limiter.take("ip"))).toEqual([true, true, true, false]);
  });

  it("keeps one bucket per key", () => {
    const limiter = new RateLimiter({ capacity: 1, windowMs: 1000, clock: fakeClock() });
    expect(limiter.take("a")).toBe(true);
    expect(limiter.take("a")).toBe(false);
    expect(limiter.take("b")).toBe(true);
  });

  it("forgets idle keys and stays within maxKeys", () => {
    const clock = fakeClock();
    const limiter = new RateLimiter({ capacity: 2, windowMs: 1000, clock, maxKeys: 100 });
    for (let i = 0; i < 500; i++) limiter.take(`k${i}`);
    expect(limiter.size).toBe(100);
    clock.advance(1000);
    limiter.take("fresh");
    expect(limiter.size).toBe(1);
  });

  it("exports the default limits: sign-in 10/min per IP, mutations 60/min per account (platform-rules §10)", () => {
    expect(SIGN_IN_LIMIT).toEqual({ capacity: 10, windowMs: 60_000 });
    expect(MUTATION_LIMIT).toEqual({ capacity: 60, windowMs: 60_000 });
    const limiter = new RateLimiter({ ...SIGN_IN_LIMIT, clock: fakeClock() });
    const taken = Array.from({ length: 25 }, () => limiter.take("203.0.113.7")).filter(Boolean).length;
    expect(taken).toBe(10);
  });

  it("refuses a limit that could never pass", () => {
    expect(() => new RateLimiter({ capacity: 0, windowMs: 1000, clock: fakeClock() })).toThrow();
    expect(() => new RateLimiter({ capacity: 1, windowMs: 0, clock: fakeClock() })).toThrow();
  });
});
