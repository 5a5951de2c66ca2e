/**
 * Ends a lease exactly once: the final state, the settlement record, the ledger transfers and the
 * worker's reputation counters commit in one transaction. A second attempt finds the lease final
 * and changes nothing.
 */
import type { Context } from "../context.js";
import { releaseLease } from "../fleet/outbound.js";
import { applyTransfers, ESCROW, type Transfer, userAccount } from "../ledger.js";
import type { LeaseRecord, SettlementRecord, WorkerRecord } from "../types.js";
import { computeBilling, settlementRecord, settlementTransfers } from "./billing.js";
import { type LeaseEnd, reputationEffect } from "./transitions.js";

export interface EndedLease {
  lease: LeaseRecord;
  settlement: SettlementRecord;
  transfers: Transfer[];
}

/** Whether the worker may still hold the lease, so that it must be told to release it. */
export function workerMayHoldLease(worker: Pick<WorkerRecord, "state" | "stateLeaseId">, lease: LeaseRecord) {
  if (worker.state === "MINING") return worker.stateLeaseId === lease.leaseId;
  // LEASED never carries a lease id: it is about the lease we just assigned.
  return worker.state === "LEASED";
}

/**
 * `decide` sees the freshly read open lease (with live heartbeat figures merged) and returns how it
 * ends, or null to leave it open. Returns null when the lease was already final or left open.
 */
export async function endLease(
  ctx: Context,
  leaseId: string,
  decide: (lease: LeaseRecord) => LeaseEnd | null,
): Promise<EndedLease | null> {
  const now = ctx.clock.now();
  const feeBps = ctx.config.feeBps;
  const ended = await ctx.storage.transaction(async (tx) => {
    const stored = await tx.leases.getForUpdate(leaseId);
    if (!stored || (stored.state !== "pending" && stored.state !== "active")) return null;
    const live = ctx.live.lease(leaseId);
    const lease: LeaseRecord = live
      ? {
          ...stored,
          lastGoodHeartbeatAt: Math.max(live.lastGoodHeartbeatAt, stored.lastGoodHeartbeatAt ?? 0),
          hashrateSum: live.hashrateSum,
          hashrateSamples: live.hashrateSamples,
        }
      : stored;
    const end = decide(lease);
    if (!end) return null;
    const billing = computeBilling(lease, end.billTo, feeBps);
    const renterAccount = userAccount(lease.renter);
    const providerAccount = userAccount(lease.provider);
    const balances = await tx.ledger.balances([ESCROW, renterAccount, providerAccount, "treasury"]);
    const { balances: after, posted } = applyTransfers(balances, settlementTransfers(lease, billing), now);
    const settlement = settlementRecord(lease, end.state, billing, feeBps, now);
    const final: LeaseRecord = {
      ...lease,
      state: end.state,
      reason: end.reason,
      endedAt: now,
      billedSec: billing.billedSec,
    };
    await tx.settlements.insert(settlement);
    await tx.ledger.post(posted, after);
    await tx.leases.update(leaseId, {
      state: final.state,
      reason: final.reason,
      endedAt: now,
      billedSec: billing.billedSec,
      lastGoodHeartbeatAt: final.lastGoodHeartbeatAt,
      hashrateSum: final.hashrateSum,
      hashrateSamples: final.hashrateSamples,
    });
    const effect = reputationEffect(end);
    await tx.workers.addCounters(lease.workerId, {
      leasesCompleted: effect.completed,
      leasesFailed: effect.failed,
    });
    await tx.workers.update(lease.workerId, { lastLeaseEndedAt: now });
    return { lease: final, settlement, transfers: posted };
  });
  if (!ended) return null;
  ctx.live.dropLease(leaseId);
  const cached = ctx.live.get(ended.lease.workerId);
  if (cached?.activeLeaseId === leaseId) ctx.live.patch(ended.lease.workerId, { activeLeaseId: null });
  ctx.events.publish({ type: "LeaseChanged", at: now, lease: ended.lease, settlement: ended.settlement });
  if (ended.transfers.length > 0)
    ctx.events.publish({ type: "LedgerChanged", at: now, transfers: ended.transfers });
  return ended;
}

/** Ends a lease and, if the worker may still be mining for it, sends (or owes) a `release`. */
export async function endLeaseAndRelease(
  ctx: Context,
  leaseId: string,
  decide: (lease: LeaseRecord) => LeaseEnd | null,
): Promise<EndedLease | null> {
  const ended = await endLease(ctx, leaseId, decide);
  if (!ended) return null;
  const worker = await ctx.storage.workers.get(ended.lease.workerId);
  if (worker && workerMayHoldLease(worker, ended.lease)) {
    await releaseLease(ctx, worker.workerId, leaseId, worker.online);
  }
  return ended;
}
