import { randomBytes } from "node:crypto";
import { assignTask, classifyHash, parseEncodedArgon2id } from "@xenblocks/core";
import { seededRandom } from "@xenblocks/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyBlockHash } from "../hashing/argon2.js";
import { DEFAULT_PROVIDER_ADDRESSES, Fleet } from "./fleet.js";
import type { SimWorker } from "./sim-worker.js";
import { BROKER_URL, CONSUMER, LEASE_PREFIX, TestPlatform, waitUntil } from "./testing/test-platform.js";

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
      random: seededRandom(42),
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
      random: seededRandom(7),
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

  it("mines genuine blocks with a test marker: each reported hash verifies, also during a lease", async () => {
    const idPrefix = randomBytes(4).toString("hex");
    const fleet = new Fleet({
      brokerUrl: BROKER_URL,
      size: 4,
      idPrefix,
      random: seededRandom(11),
      // The worker's --testBlockPattern XN and --testFixedDiff at m = 16 KiB: a block in ~50 fast hashes.
      worker: { heartbeatSec: 0.3, fixedDifficulty: true, difficulty: 16, blockPattern: "XN" },
      blocks: { perGpuMeanSec: 1, miningConcurrency: 2 },
      tickSec: 0.1,
    });
    try {
      await fleet.start();
      const leased = fleet.workers[0]!;
      await platform.send(
        leased.workerId,
        "task",
        assignTask({
          leaseId: "lease-g",
          consumerId: CONSUMER,
          consumerAddress: CONSUMER,
          prefix: LEASE_PREFIX,
          durationSec: 3600,
        }),
      );
      const blocks = () => ofFleet(idPrefix, "block");
      await waitUntil(
        () => blocks().length >= 6 && blocks().some((b) => b.payload.lease_id === "lease-g"),
        10_000,
        "genuine blocks, one on the lease",
      );
      for (const { payload } of blocks()) {
        const { hash, key, account } = payload as { hash: string; key: string; account: string };
        expect(await verifyBlockHash(hash, key, account)).toBe(true);
        const parsed = parseEncodedArgon2id(hash)!;
        expect(parsed.memoryKiB).toBe(16);
        expect(classifyHash(parsed.hashedPure, "XN")).not.toBe("none");
        if (payload.lease_id === "lease-g") {
          expect(key.startsWith(LEASE_PREFIX)).toBe(true);
          expect(account).toBe(CONSUMER);
        }
      }
      // The heartbeat echoes the test pattern, as the worker's does with --testBlockPattern.
      const beat = ofFleet(idPrefix, "heartbeat")[0]!;
      expect(beat.payload.block_pattern).toBe("XN");
      const { genuine } = fleet.counts();
      expect(genuine.mined).toBeGreaterThanOrEqual(6);
      expect(fleet.progressLine()).toMatch(/argon2: mined \d+/);
    } finally {
      await fleet.close();
    }
  });

  it("bounds genuine mining fleet-wide and skips the draws it cannot take", async () => {
    const idPrefix = randomBytes(4).toString("hex");
    let busiest = 0;
    const fleet = new Fleet({
      brokerUrl: BROKER_URL,
      size: 30,
      idPrefix,
      random: seededRandom(5),
      // Every worker draws a block on almost every tick; m = 256 KiB keeps each mining busy for a while.
      worker: { heartbeatSec: 60, fixedDifficulty: true, difficulty: 256, blockPattern: "XN" },
      blocks: { perGpuMeanSec: 0.05, miningConcurrency: 2 },
      tickSec: 0.05,
    });
    try {
      await fleet.start();
      await waitUntil(
        () => {
          busiest = Math.max(busiest, fleet.counts().genuine.mining);
          const { genuine } = fleet.counts();
          return genuine.mined >= 2 && genuine.skipped > 0;
        },
        10_000,
        "mined and skipped draws",
      );
      // Two running plus a queue of eight at most, whatever 30 workers draw.
      expect(busiest).toBeLessThanOrEqual(10);
    } finally {
      await fleet.close();
    }
    expect(fleet.counts().genuine.mining).toBeLessThanOrEqual(2);
  });

  it("drops a genuine mining when the worker's job changes, and gives up after maxAttempts", async () => {
    const idPrefix = randomBytes(4).toString("hex");
    // Forced genuine with the production marker: a block would take ~10^7 hashes, so minings only end
    // by a job change or by running out of attempts.
    const stale = new Fleet({
      brokerUrl: BROKER_URL,
      size: 1,
      idPrefix,
      random: seededRandom(9),
      worker: { heartbeatSec: 60, fixedDifficulty: true, difficulty: 8 },
      blocks: { perGpuMeanSec: 0.001, genuine: true, maxAttempts: 1_000_000 },
      tickSec: 0.05,
    });
    const short = new Fleet({
      brokerUrl: BROKER_URL,
      size: 1,
      idPrefix: `${idPrefix.slice(0, 6)}ff`,
      random: seededRandom(10),
      worker: { heartbeatSec: 60, fixedDifficulty: true, difficulty: 8 },
      blocks: { perGpuMeanSec: 0.001, genuine: true, maxAttempts: 3 },
      tickSec: 0.05,
    });
    try {
      await Promise.all([stale.start(), short.start()]);
      await waitUntil(() => stale.counts().genuine.mining === 1, 5000, "a mining in progress");
      const worker = stale.workers[0]!;
      await platform.send(
        worker.workerId,
        "task",
        assignTask({
          leaseId: "lease-s",
          consumerId: CONSUMER,
          consumerAddress: CONSUMER,
          prefix: LEASE_PREFIX,
          durationSec: 3600,
        }),
      );
      // Argon2 batches slow down a lot on a loaded CI machine: the waits are generous, not timings.
      await waitUntil(() => stale.counts().genuine.stale >= 1, 20_000, "the self-mining job to be dropped");
      await waitUntil(() => short.counts().genuine.gaveUp >= 2, 20_000, "minings that ran out of attempts");
      expect(stale.counts().blocksFound + short.counts().blocksFound).toBe(0);
    } finally {
      await Promise.all([stale.close(), short.close()]);
    }
  }, 60_000);

  it("keeps synthetic blocks when genuine is off, even with a test marker", async () => {
    const idPrefix = randomBytes(4).toString("hex");
    const fleet = new Fleet({
      brokerUrl: BROKER_URL,
      size: 2,
      idPrefix,
      random: seededRandom(3),
      worker: { heartbeatSec: 60, fixedDifficulty: true, difficulty: 16, blockPattern: "XN" },
      blocks: { perGpuMeanSec: 0.5, genuine: false },
      tickSec: 0.1,
    });
    try {
      await fleet.start();
      await waitUntil(() => ofFleet(idPrefix, "block").length > 0, 10_000, "a synthetic block");
      const { hash, key, account } = ofFleet(idPrefix, "block")[0]!.payload as Record<string, string>;
      expect(classifyHash(parseEncodedArgon2id(hash!)!.hashedPure, "XN")).toBe("normal");
      expect(await verifyBlockHash(hash!, key!, account!)).toBe(false);
      expect(fleet.counts().genuine).toEqual({
        mining: 0,
        mined: 0,
        skipped: 0,
        gaveUp: 0,
        stale: 0,
        synthetic: 0,
        failed: 0,
      });
    } finally {
      await fleet.close();
    }
  });
});
