/**
 * What must hold after any scenario, read from storage: the ledger balances and conserves money, every
 * lease is final and settled exactly once, and every accepted block carries its lease's prefix.
 * Each violation is a sentence naming the record, so a failing run says what went wrong.
 */
import { type LeaseRecord, OPEN_LEASE_STATES, type Platform, type Storage } from "@xenblocks/core";

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
    else if (settlement.state !== lease.state) {
      violations.push(`lease ${lease.leaseId} is ${lease.state} but was settled as ${settlement.state}`);
    }
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
  // One settlement per lease is a unique key in storage; a count above the leases would mean a stray one.
  const settlements = await storage.settlements.count();
  const final = leases.filter((l) => !OPEN_LEASE_STATES.includes(l.state)).length;
  if (settlements !== final) violations.push(`${settlements} settlements for ${final} final leases`);
  return { violations, leases, acceptedBlocks, rejectedBlocks, settlements };
}
