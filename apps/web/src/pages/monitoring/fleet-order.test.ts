import { describe, expect, it } from "vitest";
import type { FleetWorker } from "../../api-types.js";
import { pendingOrderChanges } from "./fleet-order.js";

const row = (workerId: string, hashrate: number, lastSeenAt = 100) =>
  ({ workerId, hashrate, lastSeenAt, activeGpus: 1, state: "AVAILABLE" }) as FleetWorker;

describe("refresh-order pill", () => {
  const rows = [row("c", 30), row("b", 20), row("a", 10)];

  it("counts nothing while live values keep the order", () => {
    expect(
      pendingOrderChanges(rows, { a: { hashrate: 11, lastSeenAt: 101 }, c: { hashrate: 29 } }, "hashrate"),
    ).toBe(0);
  });

  it("counts the rows a live value would move", () => {
    expect(pendingOrderChanges(rows, { a: { hashrate: 25, lastSeenAt: 101 } }, "hashrate")).toBe(2);
    expect(pendingOrderChanges(rows, { a: { hashrate: 99, lastSeenAt: 101 } }, "hashrate")).toBe(3);
    expect(
      pendingOrderChanges([...rows].reverse(), { a: { hashrate: 99, lastSeenAt: 101 } }, "hashrate", "asc"),
    ).toBe(3);
    expect(pendingOrderChanges(rows, { c: { state: "MINING" } }, "state")).toBe(1);
    expect(pendingOrderChanges(rows, { a: { hashrate: 99 } }, "workerId")).toBe(0);
  });

  it("ignores heartbeats older than the fetched row", () => {
    expect(pendingOrderChanges(rows, { a: { hashrate: 99, lastSeenAt: 50 } }, "hashrate")).toBe(0);
  });
});
