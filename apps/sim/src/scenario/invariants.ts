/**
 * What must hold after any scenario, read from storage:
 * - the ledger balances and conserves money;
 * - every lease is final and settled exactly once, with the arithmetic of its bill right (price ×
 *   billed seconds, fee + provider share = total, refund = escrow − total, nothing billed for a
 *   cancelled lease, never more than the contracted duration);
 * - no worker ever held two leases at once;
 * - every accepted block carries its lease's prefix and pays its lease's mining address.
 * Each violation is a sentence naming the record, so a failing run says what went wrong.
 */
import {
  type LeaseRecord,
  OPEN_LEASE_STATES,
  type Platform,
  type SettlementRecord,
  type Storage,
} from "@xenblocks/core";

export interface InvariantReport {
  violations: string[];
  leases: LeaseRecord[];
  acceptedBlocks: number;
  rejectedBlocks: Record<string, number>;
  settlements: number;
}

async function allLeases(storage: Storage): Promise<LeaseRecord[]> {
  const leases: LeaseRecord[] = [];
  let cursor: string | null = null;
  do {
    const page = await storage.leases.list({ cursor, limit: 500 });
    leases.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return leases;
}

export async function checkInvariants(platform: Platform, storage: Storage): Promise<InvariantReport> {
  const violations = [...(await platform.ledgerViolations())].map((v) => `ledger: ${v}`);
  const leases = await allLeases(storage);
  let acceptedBlocks = 0;
  const rejectedBlocks: Record<string, number> = {};

  for (const lease of leases) {
    if (OPEN_LEASE_STATES.includes(lease.state)) {
      violations.push(`lease ${lease.leaseId} is still ${lease.state}`);
      continue;
    }
    const settlement = await storage.settlements.get(lease.leaseId);
    if (!settlement) violations.push(`lease ${lease.leaseId} (${lease.state}) has no settlement`);
    else violations.push(...billViolations(lease, settlement));
    let cursor: string | null = null;
    let accepted = 0;
    do {
      const page = await storage.blocks.listByLease(lease.leaseId, { cursor, limit: 500 });
      for (const block of page.items) {
        if (block.status === "accepted") {
          accepted += 1;
          if (!block.key.toLowerCase().startsWith(lease.prefix.toLowerCase())) {
            violations.push(
              `block ${block.key} accepted on lease ${lease.leaseId} without its prefix ${lease.prefix}`,
            );
          }
          if (block.account.toLowerCase() !== lease.consumerAddress.toLowerCase()) {
            violations.push(
              `block ${block.key} accepted on lease ${lease.leaseId} pays ${block.account}, not the renter's address`,
            );
          }
        } else if (block.rejectReason) {
          rejectedBlocks[block.rejectReason] = (rejectedBlocks[block.rejectReason] ?? 0) + 1;
        }
      }
      cursor = page.nextCursor;
    } while (cursor !== null);
    if (accepted !== lease.blocksAccepted) {
      violations.push(
        `lease ${lease.leaseId} counts ${lease.blocksAccepted} accepted blocks but ${accepted} are stored`,
      );
    }
    acceptedBlocks += accepted;
  }
  violations.push(...overlapViolations(leases));
  // One settlement per lease is a unique key in storage; a count above the leases would mean a stray one.
  const settlements = await storage.settlements.count();
  const final = leases.filter((l) => !OPEN_LEASE_STATES.includes(l.state)).length;
  if (settlements !== final) violations.push(`${settlements} settlements for ${final} final leases`);
  return { violations, leases, acceptedBlocks, rejectedBlocks, settlements };
}

/** The bill of one settled lease, recomputed from the lease. */
function billViolations(lease: LeaseRecord, s: SettlementRecord): string[] {
  const out: string[] = [];
  const id = lease.leaseId;
  if (s.state !== lease.state) out.push(`lease ${id} is ${lease.state} but was settled as ${s.state}`);
  if (s.billedSec < 0 || s.billedSec > lease.durationSec) {
    out.push(`lease ${id} billed ${s.billedSec} s of a ${lease.durationSec} s lease`);
  }
  if (lease.state === "cancelled" && s.billedSec !== 0)
    out.push(`cancelled lease ${id} billed ${s.billedSec} s`);
  if (s.total !== BigInt(s.billedSec) * lease.pricePerSec) {
    out.push(`lease ${id} total ${s.total} ≠ ${s.billedSec} s × ${lease.pricePerSec}`);
  }
  if (s.fee + s.providerAmount !== s.total) out.push(`lease ${id} fee + provider share ≠ total`);
  if (s.refund !== lease.escrow - s.total)
    out.push(`lease ${id} refund ${s.refund} ≠ escrow ${lease.escrow} − total ${s.total}`);
  return out;
}

/** Leases of one worker, in creation order, must not overlap: one lease per worker at a time. */
function overlapViolations(leases: readonly LeaseRecord[]): string[] {
  const byWorker = new Map<string, LeaseRecord[]>();
  for (const lease of leases) byWorker.set(lease.workerId, [...(byWorker.get(lease.workerId) ?? []), lease]);
  const out: string[] = [];
  for (const [workerId, list] of byWorker) {
    list.sort((a, b) => a.createdAt - b.createdAt);
    for (let i = 1; i < list.length; i++) {
      const before = list[i - 1] as LeaseRecord;
      const after = list[i] as LeaseRecord;
      if (before.endedAt === null || before.endedAt > after.createdAt) {
        out.push(`worker ${workerId} held ${before.leaseId} and ${after.leaseId} at the same time`);
      }
    }
  }
  return out;
}
