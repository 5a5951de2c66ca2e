import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_PROVIDER_ADDRESSES, Fleet } from "./fleet.js";
import type { SimWorker } from "./sim-worker.js";
import { BROKER_URL, TestPlatform, waitUntil } from "./testing/test-platform.js";

/** Park–Miller: a seeded random source, so churn and blocks are the same on every run. */
function seeded(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
}

let platform: TestPlatform;
beforeAll(async () => {
  platform = await TestPlatform.connect();
  for (const suffix of ["register", "heartbeat", "status", "block"])
    await platform.subscribe(`xenminer/+/${suffix}`);
});
afterAll(async () => {
  await platform.close();
});

const ofFleet = (prefix: string, suffix: string) =>
  platform.received.filter((r) => r.workerId.startsWith(prefix) && r.suffix === suffix);

describe("Fleet", () => {
  it("connects 200 workers that register, report AVAILABLE, heartbeat and find blocks", async () => {
    const idPrefix = randomBytes(4).toString("hex");
    const fleet = new Fleet({
      brokerUrl: BROKER_URL,
      size: 200,
      idPrefix,
      random: seeded(42),
      connectConcurrency: 50,
      worker: { heartbeatSec: 0.5, fixedDifficulty: true, difficulty: 1727 },
      blocks: { perGpuMeanSec: 60 },
      tickSec: 0.2,
    });
    try {
      expect(await fleet.start()).toEqual({ connected: 200, failed: 0 });
      await waitUntil(
        () => new Set(ofFleet(idPrefix, "heartbeat").map((r) => r.workerId)).size === 200,
        10_000,
      );
      await waitUntil(() => ofFleet(idPrefix, "block").length > 0, 10_000, "a block");
      expect(new Set(ofFleet(idPrefix, "register").map((r) => r.workerId)).size).toBe(200);
      expect(ofFleet(idPrefix, "status").filter((r) => r.payload.state === "AVAILABLE")).toHaveLength(200);
      const owners = new Set(ofFleet(idPrefix, "register").map((r) => r.payload.eth_address));
      expect([...owners].sort()).toEqual([...DEFAULT_PROVIDER_ADDRESSES].sort());
      const ids = fleet.workers.map((w) => w.workerId);
      expect(ids.every((id) => /^[0-9a-f]{16}$/.test(id))).toBe(true);
      const counts = fleet.counts();
      expect(counts).toMatchObject({ workers: 200, connected: 200, available: 200, leased: 0, disabled: 0 });
      expect(counts.blocksReported).toBeGreaterThan(0);
      expect(fleet.progressLine()).toContain("connected 200");
      const block = ofFleet(idPrefix, "block")[0]!;
      expect(block.payload).toMatchObject({ lease_id: "", hashrate: expect.stringMatching(/^\d+\.\d{2}$/) });
    } finally {
      await fleet.close();
    }
  });

  it("churns: workers drop (the will fires), reconnect without registering, or restart and register again", async () => {
    const idPrefix = randomBytes(4).toString("hex");
    const reconnected = new Set<SimWorker>();
    const fleet = new Fleet({
      brokerUrl: BROKER_URL,
      size: 20,
      onWorker: (w) => w.on("connect", (again) => again && reconnected.add(w)),
      idPrefix,
      random: seeded(7),
      worker: { heartbeatSec: 60, reconnectMinMs: 100, fixedDifficulty: true },
      churn: { everySec: 0.3, probability: 0.3, downSec: [0.2, 0.4], restartShare: 0.5 },
      tickSec: 0.1,
    });
    try {
      await fleet.start();
      await waitUntil(
        () => {
          const registers = ofFleet(idPrefix, "register").length;
          const wills = ofFleet(idPrefix, "status").filter((r) => r.payload.status === "offline").length;
          return registers > 20 && wills > 2 && reconnected.size > 0;
        },
        10_000,
        "drops, restarts and reconnects",
      );
      // A network drop reconnects silently; only a restarted process registers again.
      const registersOf = (id: string) =>
        ofFleet(idPrefix, "register").filter((r) => r.workerId === id).length;
      const restarted = fleet.workers.filter((w) => registersOf(w.workerId) > 1);
      expect(restarted.length).toBeGreaterThan(0);
      for (const w of reconnected) expect(w.sent.filter((s) => s.suffix === "register")).toHaveLength(1);
    } finally {
      await fleet.close();
    }
  });
});
