/** The invariant check must be able to fail: each kind of breakage, planted in storage, is reported. */
import { createPlatform, type LeaseRecord } from "@xenblocks/core";
import { fakeClock, recordingChannel, seededIds } from "@xenblocks/core/testing";
import { createMemoryStorage } from "@xenblocks/storage";
import { describe, expect, it } from "vitest";
import { checkInvariants } from "./invariants.js";

function lease(over: Partial<LeaseRecord>): LeaseRecord {
  return {
    leaseId: "lease-1",
    workerId: "w1",
    renter: "0x1111111111111111111111111111111111111111",
    provider: "0x2222222222222222222222222222222222222222",
    consumerAddress: "0x1111111111111111111111111111111111111111",
    prefix: "0123456789abcdef",
    durationSec: 60,
    pricePerSec: 10_000n,
    escrow: 0n,
    state: "completed",
    reason: null,
    createdAt: 0,
    confirmedAt: 0,
    expiresAt: 60_000,
    endedAt: 60_000,
    lastGoodHeartbeatAt: null,
    billedSec: 60,
    blocksAccepted: 0,
    blocksRejected: 0,
    hashrateSum: 0,
    hashrateSamples: 0,
    ...over,
  };
}

async function setup() {
  const storage = createMemoryStorage();
  const clock = fakeClock();
  const platform = createPlatform({ storage, channel: recordingChannel(), clock, ids: seededIds(1, clock) });
  return { storage, platform };
}

describe("checkInvariants", () => {
  it("passes an empty platform", async () => {
    const { storage, platform } = await setup();
    expect((await checkInvariants(platform, storage)).violations).toEqual([]);
  });

  it("reports an open lease, a final lease without settlement, and an accepted block off its prefix", async () => {
    const { storage, platform } = await setup();
    await storage.leases.insert(
      lease({ leaseId: "lease-open", workerId: "w0", prefix: "aaaaaaaaaaaaaaaa", state: "active" }),
    );
    await storage.leases.insert(lease({ leaseId: "lease-1", blocksAccepted: 1 }));
    await storage.blocks.insert({
      key: `ffff${"0".repeat(60)}`,
      workerId: "w1",
      leaseId: "lease-1",
      hash: "h",
      account: "0x1111111111111111111111111111111111111111",
      attempts: 1,
      hashrate: "1.00",
      blockType: "normal",
      difficulty: 8,
      status: "accepted",
      rejectReason: null,
      chainStatus: "pending",
      chainBlockId: null,
      chainChecks: 0,
      nextChainCheckAt: null,
      receivedAt: 0,
    });
    const { violations } = await checkInvariants(platform, storage);
    expect(violations).toEqual([
      "lease lease-open is still active",
      "lease lease-1 (completed) has no settlement",
      `block ffff${"0".repeat(60)} accepted on lease lease-1 without its prefix 0123456789abcdef`,
      "0 settlements for 1 final leases",
    ]);
  });

  it("reports a wrong bill, two leases of one worker at once, and a block paying someone else", async () => {
    const { storage, platform } = await setup();
    const a = lease({
      leaseId: "lease-a",
      prefix: "aaaaaaaaaaaaaaaa",
      createdAt: 0,
      endedAt: 50_000,
      escrow: 600_000n,
      blocksAccepted: 1,
    });
    const b = lease({
      leaseId: "lease-b",
      prefix: "bbbbbbbbbbbbbbbb",
      createdAt: 40_000,
      endedAt: 90_000,
      escrow: 600_000n,
    });
    await storage.leases.insert(a);
    await storage.leases.insert(b);
    const settle = (l: LeaseRecord, refund: bigint) =>
      storage.settlements.insert({
        leaseId: l.leaseId,
        renter: l.renter,
        workerId: l.workerId,
        provider: l.provider,
        state: l.state,
        billedSec: 60,
        total: 600_000n,
        fee: 30_000n,
        providerAmount: 570_000n,
        refund,
        feeBps: 500,
        settledAt: l.endedAt ?? 0,
      });
    await settle(a, 0n);
    await settle(b, 1n); // escrow 600,000 − total 600,000 is 0, not 1
    await storage.blocks.insert({
      key: `aaaaaaaaaaaaaaaa${"0".repeat(48)}`,
      workerId: "w1",
      leaseId: "lease-a",
      hash: "h",
      account: "0x9999999999999999999999999999999999999999",
      attempts: 1,
      hashrate: "1.00",
      blockType: "normal",
      difficulty: 8,
      status: "accepted",
      rejectReason: null,
      chainStatus: "pending",
      chainBlockId: null,
      chainChecks: 0,
      nextChainCheckAt: null,
      receivedAt: 0,
    });
    const { violations } = await checkInvariants(platform, storage);
    expect(violations).toEqual(
      expect.arrayContaining([
        "lease lease-b refund 1 ≠ escrow 600000 − total 600000",
        `block aaaaaaaaaaaaaaaa${"0".repeat(48)} accepted on lease lease-a pays 0x9999999999999999999999999999999999999999, not the renter's address`,
        "worker w1 held lease-a and lease-b at the same time",
      ]),
    );
    expect(violations).toHaveLength(3);
  });
});
