/** Billing and settlement arithmetic of platform-rules §4.3. Exact integers, rounding down. */
import { ESCROW, TREASURY, type TransferInput, transferIds, userAccount } from "../ledger.js";
import type { Units } from "../money.js";
import type { LeaseRecord, SettlementRecord } from "../types.js";

export interface Billing {
  billedSec: number;
  total: Units;
  fee: Units;
  providerAmount: Units;
  refund: Units;
}

/** Whole seconds from confirmation to the end event, capped at the contracted duration, never negative. */
export function billedSeconds(confirmedAt: number | null, endMs: number, durationSec: number): number {
  if (confirmedAt === null) return 0;
  const elapsed = Math.floor((endMs - confirmedAt) / 1000);
  return Math.max(0, Math.min(elapsed, durationSec));
}

export function computeBilling(
  lease: Pick<LeaseRecord, "pricePerSec" | "escrow" | "durationSec" | "confirmedAt">,
  billingEndMs: number,
  feeBps: number,
): Billing {
  const billedSec = billedSeconds(lease.confirmedAt, billingEndMs, lease.durationSec);
  const total = lease.pricePerSec * BigInt(billedSec);
  return { billedSec, total, ...feeSplit(total, feeBps), refund: lease.escrow - total };
}

/** The settlement transfers; zero amounts are skipped, so a cancelled lease posts only its refund. */
export function settlementTransfers(
  lease: Pick<LeaseRecord, "leaseId" | "renter" | "provider">,
  billing: Billing,
): TransferInput[] {
  const reference = { kind: "lease" as const, id: lease.leaseId };
  const transfers: TransferInput[] = [];
  if (billing.providerAmount > 0n) {
    transfers.push({
      id: transferIds.leasePayment(lease.leaseId),
      type: "lease_payment",
      from: ESCROW,
      to: userAccount(lease.provider),
      amount: billing.providerAmount,
      reference,
    });
  }
  if (billing.fee > 0n) {
    transfers.push({
      id: transferIds.leaseFee(lease.leaseId),
      type: "lease_fee",
      from: ESCROW,
      to: TREASURY,
      amount: billing.fee,
      reference,
    });
  }
  if (billing.refund > 0n) {
    transfers.push({
      id: transferIds.leaseRefund(lease.leaseId),
      type: "lease_refund",
      from: ESCROW,
      to: userAccount(lease.renter),
      amount: billing.refund,
      reference,
    });
  }
  return transfers;
}

export function settlementRecord(
  lease: Pick<LeaseRecord, "leaseId" | "renter" | "workerId" | "provider">,
  state: LeaseRecord["state"],
  billing: Billing,
  feeBps: number,
  settledAt: number,
): SettlementRecord {
  return {
    leaseId: lease.leaseId,
    renter: lease.renter,
    workerId: lease.workerId,
    provider: lease.provider,
    state,
    billedSec: billing.billedSec,
    total: billing.total,
    fee: billing.fee,
    providerAmount: billing.providerAmount,
    refund: billing.refund,
    feeBps,
    settledAt,
  };
}

/** The platform's fee (rounded down) and the provider's share of a total. */
export function feeSplit(total: bigint, feeBps: number): { fee: bigint; providerAmount: bigint } {
  const fee = (total * BigInt(feeBps)) / 10_000n;
  return { fee, providerAmount: total - fee };
}
