import { describe, expect, it } from "vitest";
import { Backoff, backoffDelay } from "./backoff.js";

describe("live back-off", () => {
  it("starts at 1 s, doubles and caps at 30 s", () => {
    expect([0, 1, 2, 3, 4, 5, 6, 50].map(backoffDelay)).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000,
    ]);
  });
  it("resets after a successful open", () => {
    const b = new Backoff();
    expect([b.next(), b.next(), b.next()]).toEqual([1000, 2000, 4000]);
    b.reset();
    expect(b.next()).toBe(1000);
  });
});
