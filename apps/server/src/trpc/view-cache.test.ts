import { describe, expect, it } from "vitest";
import { ViewCache } from "./view-cache.js";

describe("ViewCache", () => {
  it("shares one load between concurrent callers and within the TTL, then loads again", async () => {
    let now = 0;
    let loads = 0;
    const cache = new ViewCache({ ttlMs: 1000, now: () => now });
    const load = async () => ++loads;
    expect(await Promise.all([cache.get("k", load), cache.get("k", load)])).toEqual([1, 1]);
    now = 999;
    expect(await cache.get("k", load)).toBe(1);
    now = 1000;
    expect(await cache.get("k", load)).toBe(2);
    expect(await cache.get("other", load)).toBe(3);
  });

  it("forgets failures and everything on clear()", async () => {
    const cache = new ViewCache();
    await expect(cache.get("k", () => Promise.reject(new Error("db down")))).rejects.toThrow("db down");
    expect(await cache.get("k", async () => "fresh")).toBe("fresh");
    cache.clear();
    expect(await cache.get("k", async () => "after clear")).toBe("after clear");
  });

  it("keeps at most maxEntries queries, dropping the oldest", async () => {
    let loads = 0;
    const cache = new ViewCache({ maxEntries: 2 });
    const load = async () => ++loads;
    await cache.get("a", load);
    await cache.get("b", load);
    await cache.get("c", load);
    expect(await cache.get("b", load)).toBe(2);
    expect(await cache.get("a", load)).toBe(4);
  });
});
