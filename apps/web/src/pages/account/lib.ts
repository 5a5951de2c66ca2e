/** Small helpers of the Account page: money as units for comparisons, idempotency keys, labels. */
import { parseMoney } from "@xenblocks/core";
import { isAmount } from "../../components/form.js";

/** A decimal XNM string as units (bigint), or null when it is not a complete positive amount. */
export function amountUnits(text: string): bigint | null {
  if (!isAmount(text)) return null;
  try {
    return parseMoney(text);
  } catch {
    return null;
  }
}

/** Units of a server money string ("12.000000"); 0 when absent or malformed. */
export function moneyUnits(text: string | null | undefined): bigint {
  if (!text) return 0n;
  try {
    return parseMoney(text, { allowNegative: true });
  } catch {
    return 0n;
  }
}

/**
 * A fresh idempotency key (32 hex). `crypto.getRandomValues` works outside secure contexts too, unlike
 * `crypto.randomUUID`.
 */
export function newIdempotencyKey(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export const TRANSFER_TYPES = [
  "deposit",
  "lease_escrow",
  "lease_payment",
  "lease_fee",
  "lease_refund",
  "withdrawal_hold",
  "withdrawal_paid",
  "withdrawal_returned",
] as const;
export type TransferType = (typeof TRANSFER_TYPES)[number];

const TRANSFER_LABELS: Record<TransferType, string> = {
  deposit: "Deposit",
  lease_escrow: "Lease escrow",
  lease_payment: "Lease payment",
  lease_fee: "Platform fee",
  lease_refund: "Lease refund",
  withdrawal_hold: "Withdrawal hold",
  withdrawal_paid: "Withdrawal paid",
  withdrawal_returned: "Withdrawal returned",
};

export function transferLabel(type: string): string {
  return TRANSFER_LABELS[type as TransferType] ?? type.replace(/_/g, " ");
}

export type WithdrawalState = "requested" | "completed" | "rejected" | "cancelled";
