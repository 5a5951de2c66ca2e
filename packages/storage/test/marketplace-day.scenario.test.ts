/**
 * A whole day of a small fleet, in memory, with a fake clock: workers register and heartbeat every
 * 30 s, renters rent, workers confirm (one never does), mine blocks (some with a wrong prefix, a
 * duplicate, one late within the grace window and one too late), a worker vanishes mid-lease and
 * comes back, leases expire, are stopped, or are ended by the worker's own expiry. Every balance,
 * lease state, block status and reputation is asserted at the end, with the arithmetic spelled out.
 */
import { computeReputation, type LeaseRecord, unwrap, xnm } from "@xenblocks/core";
import { describe, expect, it } from "vitest";
import { engines } from "./engines.js";
import { blockKey, marketplace, OWNER_A, OWNER_B, RENTER_1, RENTER_2, wallet } from "./harness.js";

const RENTER_3 = "0x3333333333333333333333333333333333333333";
const DAY = 86_400;
const fee = (total: bigint) => (total * 500n) / 10_000n;

describe.each(engines)("a day of the marketplace ($name)", (engine) => {
  it("ends with exactly the balances, leases, blocks and reputations the rules give", {
    timeout: 300_000,
  }, async () => {
    const m = await marketplace(await engine.create());
    const t0 = m.clock.now();
    const at = (sec: number) => t0 + sec * 1000;
    const a1 = m.worker("w-a1", OWNER_A); // 2 × RTX 4090
    const a2 = m.worker("w-a2", OWNER_A, ["NVIDIA GeForce RTX 3090"]);
    const b1 = m.worker("w-b1", OWNER_B);
    const flaky = m.worker("w-flaky", OWNER_B, ["NVIDIA GeForce RTX 3060"]);
    const hashrates = new Map([
      [a1, 4800],
      [a2, 2000],
      [b1, 8000],
      [flaky, 900],
    ]);
    const silent = new Set<typeof a1>();
    for (const [w, h] of hashrates) await w.join(h);
    unwrap(
      await m.platform.workers.setPricing(wallet(OWNER_B), "w-b1", {
        pricePerSec: 20_000n,
        minDurationSec: 60,
        maxDurationSec: 86_400,
      }),
    );
    await m.fund(RENTER_1, 1000);
    await m.fund(RENTER_2, 500);
    await m.fund(RENTER_3, 100);

    const leases: Record<string, LeaseRecord> = {};
    const rent = async (
      name: string,
      renter: string,
      input: Parameters<typeof m.platform.rental.rent>[1],
    ) => {
      leases[name] = unwrap(await m.platform.rental.rent(wallet(renter), input));
    };
    const lease = (name: string) => leases[name]!;
    const keys: Record<string, string> = {};
    /** A lease block; `onChain` = the worker also submitted it to the chain. */
    const mine = async (
      w: typeof a1,
      name: string,
      n: number,
      opts: { onChain?: boolean; prefix?: string } = {},
    ) => {
      const l = lease(name);
      const key = blockKey(opts.prefix ?? l.prefix, n);
      keys[`${name}#${n}`] = key;
      const result = await w.block({ key, account: l.consumerAddress, lease_id: l.leaseId });
      if (opts.onChain !== false)
        m.chain!.known.set(key, { found: true, account: l.consumerAddress, blockId: n });
      return result;
    };

    const script = new Map<number, () => Promise<unknown>>([
      // L1: R1 rents w-a1 for an hour; confirmed at 65 s; runs to its contracted end (3,665 s).
      [60, () => rent("L1", RENTER_1, { durationSec: 3600, workerId: "w-a1" })],
      [65, () => a1.confirm(lease("L1").leaseId)],
      [600, () => mine(a1, "L1", 1)],
      [1200, () => mine(a1, "L1", 2)],
      [1800, () => mine(a1, "L1", 3, { prefix: "0123456789abcdef" })], // wrong prefix
      [2400, () => mine(a1, "L1", 4, { onChain: false })], // never reaches the chain
      [2401, () => a1.block({ key: keys["L1#2"]!, account: RENTER_1, lease_id: lease("L1").leaseId })], // duplicate
      [3665 + 30, () => mine(a1, "L1", 5)], // 30 s after the end: inside the grace window
      [3665 + 120, () => mine(a1, "L1", 6)], // 120 s after: too late
      [3700, () => a1.status("COMPLETED", lease("L1").leaseId)],
      [3702, () => a1.status("AVAILABLE")],
      // L2: R2 rents the flaky worker, which never confirms: cancelled after 30 s, worker suspect.
      [100, () => rent("L2", RENTER_2, { durationSec: 600, workerId: "w-flaky" })],
      // L3: R2 rents w-b1 (20,000 units/s) for 2 h; it goes silent after its 990 s heartbeat.
      [200, () => rent("L3", RENTER_2, { durationSec: 7200, workerId: "w-b1" })],
      [202, () => b1.confirm(lease("L3").leaseId)],
      [500, () => mine(b1, "L3", 1)],
      [995, async () => silent.add(b1)],
      [5000, async () => silent.delete(b1)], // back, still MINING for L3 in its own mind
      [5040, () => b1.status("COMPLETED", lease("L3").leaseId)],
      [5042, () => b1.status("AVAILABLE")],
      // L4: R1 rents by best value for a day; w-b1 (2.5 units/s per H/s) beats w-a1 (2.08)? No:
      // price/hashrate is 20,000/8,000 = 2.5 for w-b1, 10,000/4,800 ≈ 2.08 for w-a1, 10,000/2,000 = 5 for
      // w-a2, so w-a1 wins. R1 stops it at 40,000 s.
      [4000, () => rent("L4", RENTER_1, { durationSec: 86_400 })],
      [4002, () => a1.confirm(lease("L4").leaseId)],
      [20_000, () => mine(a1, "L4", 1)],
      [40_000, () => m.platform.rental.stop(wallet(RENTER_1), lease("L4").leaseId)],
      [40_010, () => a1.status("COMPLETED", lease("L4").leaseId)],
      [40_012, () => a1.status("AVAILABLE")],
      // L5: R3 rents a 3090 for an hour; the worker ends it itself 3 s before the contracted end.
      [10_000, () => rent("L5", RENTER_3, { durationSec: 3600, gpu: "3090" })],
      [10_005, () => a2.confirm(lease("L5").leaseId)],
      [12_000, () => mine(a2, "L5", 1)],
      [13_602, () => a2.status("COMPLETED", lease("L5").leaseId)],
      [13_604, () => a2.status("AVAILABLE")],
      // Self-mined: one to the owner (counts once verified), one dev-fee block (never counts).
      [
        20_500,
        async () => {
          const key = "5e1f".padEnd(64, "1");
          await a2.block({ key, account: OWNER_A, lease_id: "" });
          m.chain!.known.set(key, { found: true, account: OWNER_A, blockId: 900 });
          const dev = "ffffffff".padEnd(64, "2");
          const devAddress = "0xde00000000000000000000000000000000000000";
          await a2.block({ key: dev, account: devAddress, lease_id: "" });
          m.chain!.known.set(dev, { found: true, account: devAddress, blockId: 901 });
        },
      ],
    ]);

    for (let sec = 5; sec <= DAY; sec += 5) {
      m.clock.set(at(sec));
      if (sec % 30 === 0) {
        for (const [w, h] of hashrates) if (!silent.has(w)) await w.heartbeat(h);
      }
      for (let s = sec - 4; s <= sec; s++) {
        const step = script.get(s);
        if (step) {
          m.clock.set(at(s));
          await step();
          m.clock.set(at(sec));
        }
      }
      await m.platform.jobs.runAll();
    }

    // ---------------------------------------------------------------- leases
    const final = async (name: string) => (await m.storage.leases.get(lease(name).leaseId))!;
    expect(lease("L4").workerId).toBe("w-a1");
    expect(lease("L5").workerId).toBe("w-a2");
    expect(await final("L1")).toMatchObject({ state: "completed", reason: "expired", billedSec: 3600 });
    expect(await final("L2")).toMatchObject({ state: "cancelled", reason: "assign_timeout", billedSec: 0 });
    // Last good heartbeat of L3 at 990 s; confirmed at 202 s → 788 s.
    expect(await final("L3")).toMatchObject({
      state: "interrupted",
      reason: "worker_offline",
      billedSec: 788,
    });
    expect(await final("L4")).toMatchObject({
      state: "completed",
      reason: "stopped",
      billedSec: 40_000 - 4002,
    });
    // Worker expiry at 13,602 s, contracted end 13,605 s → billed to 13,602: 3,597 s.
    expect(await final("L5")).toMatchObject({
      state: "completed",
      reason: "worker_expired",
      billedSec: 3597,
    });

    // ---------------------------------------------------------------- money
    const total = {
      L1: 3600n * 10_000n,
      L3: 788n * 20_000n,
      L4: BigInt(40_000 - 4002) * 10_000n,
      L5: 3597n * 10_000n,
    };
    for (const [name, t] of Object.entries(total)) {
      expect(await m.storage.settlements.get(lease(name).leaseId)).toMatchObject({
        total: t,
        fee: fee(t),
        providerAmount: t - fee(t),
      });
    }
    expect(await m.available(RENTER_1)).toBe(xnm(1000) - total.L1 - total.L4);
    expect(await m.available(RENTER_2)).toBe(xnm(500) - total.L3);
    expect(await m.available(RENTER_3)).toBe(xnm(100) - total.L5);
    const providerA = total.L1 - fee(total.L1) + total.L4 - fee(total.L4) + total.L5 - fee(total.L5);
    expect(await m.available(OWNER_A)).toBe(providerA);
    expect(await m.available(OWNER_B)).toBe(total.L3 - fee(total.L3));
    const balances = await m.storage.ledger.allBalances();
    expect(balances.get("treasury")).toBe(fee(total.L1) + fee(total.L3) + fee(total.L4) + fee(total.L5));
    expect(balances.get("escrow")).toBe(0n);
    expect(await m.platform.ledgerViolations()).toEqual([]);

    // ---------------------------------------------------------------- blocks
    const block = async (id: string) => m.storage.blocks.getByKey(keys[id]!);
    expect(await block("L1#1")).toMatchObject({ status: "accepted", chainStatus: "verified" });
    expect(await block("L1#2")).toMatchObject({ status: "accepted", chainStatus: "verified" });
    expect(await block("L1#3")).toMatchObject({
      status: "rejected",
      rejectReason: "prefix_mismatch",
      chainStatus: null,
    });
    expect(await block("L1#4")).toMatchObject({ status: "accepted", chainStatus: "not_found" });
    expect(await block("L1#5")).toMatchObject({ status: "accepted", chainStatus: "verified" });
    expect(await block("L1#6")).toMatchObject({ status: "rejected", rejectReason: "outside_lease_window" });
    expect(await block("L3#1")).toMatchObject({ status: "accepted", chainStatus: "verified" });
    expect(await block("L4#1")).toMatchObject({ status: "accepted", chainStatus: "verified" });
    expect(await block("L5#1")).toMatchObject({ status: "accepted", chainStatus: "verified" });
    expect(m.platform.counters.get("blocks_duplicate_total")).toBe(1);
    expect(await final("L1")).toMatchObject({ blocksAccepted: 4, blocksRejected: 2 });
    expect(await m.storage.blocks.getByKey("5e1f".padEnd(64, "1"))).toMatchObject({
      status: "self",
      chainStatus: "verified",
    });

    // ---------------------------------------------------------------- reputation
    const worker = async (id: string) => (await m.storage.workers.get(id))!;
    expect(await worker("w-a1")).toMatchObject({
      leasesCompleted: 2,
      leasesFailed: 0,
      leaseBlocks: 5,
      verifiedLeaseBlocks: 4,
    });
    expect(await worker("w-a2")).toMatchObject({
      leasesCompleted: 1,
      leasesFailed: 0,
      leaseBlocks: 1,
      verifiedLeaseBlocks: 1,
      selfBlocks: 1,
    });
    expect(await worker("w-b1")).toMatchObject({
      leasesCompleted: 0,
      leasesFailed: 1,
      verifiedLeaseBlocks: 1,
      online: true,
    });
    expect(await worker("w-flaky")).toMatchObject({ leasesCompleted: 0, leasesFailed: 1, suspect: true });
    const now = m.clock.now();
    // w-a1: verified lease blocks L1#1, L1#2, L1#5, L4#1 → 4/100 × 40 = 1.6; completion 30; uptime: online the whole day since its first heartbeat
    // at registration (86,400 s of 86,400 s) → 20; age 1/90 × 10 = 0.11 → 51.71.
    const a1Rep = computeReputation(await worker("w-a1"), now);
    expect(a1Rep.blocks.score).toBe(1.6);
    expect(a1Rep.completion.score).toBe(30);
    expect(a1Rep.uptime.score).toBe(20);
    expect(a1Rep.score).toBe(51.71);
    expect(a1Rep.stars).toBe(2.6);
    // w-b1 was silent from 990 s to 5,000 s: those 4,010 s (minus the 30 s it kept credit for) are not online.
    const b1Rep = computeReputation(await worker("w-b1"), now);
    expect(b1Rep.completion.score).toBe(0);
    expect(b1Rep.uptime.onlineSec).toBe(DAY - (5010 - 990));
    // w-flaky: never completed a lease → completion 0.
    expect(computeReputation(await worker("w-flaky"), now).completion).toMatchObject({ score: 0, failed: 1 });
  });
});
