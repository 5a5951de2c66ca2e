/**
 * Money arithmetic the Marketplace and Renter pages need, on exact units (bigint) from
 * `@xenblocks/core`: decimal strings in, decimal strings out, never floating point.
 */
import { billedSeconds, formatMoney, parseMoney, pricePerHour } from "@xenblocks/core";

function units(amount: string): bigint | null {
  try {
    return parseMoney(amount, { allowNegative: true });
  } catch {
    return null;
  }
}

/** XNM per second → XNM per hour ("0.001000" → "3.600000"); null when not an amount. */
export function perHour(pricePerSec: string): string | null {
  const u = units(pricePerSec);
  return u === null ? null : formatMoney(pricePerHour(u));
}

/** `a < b` for two amounts; false when either is not an amount. */
export function isLess(a: string, b: string): boolean {
  const x = units(a);
  const y = units(b);
  return x !== null && y !== null && x < y;
}

/** `a − b` as an amount string (null when either is not an amount). */
export function subtract(a: string, b: string): string | null {
  const x = units(a);
  const y = units(b);
  return x === null || y === null ? null : formatMoney(x - y);
}

export interface StopEstimate {
  billedSec: number;
  charge: string;
  refund: string;
}

/**
 * What stopping a lease at `nowMs` would bill and refund, by the server's rule (platform-rules §4.3):
 * whole seconds since confirmation, capped at the contracted duration; a pending lease bills nothing.
 * An estimate: the server settles at the moment it receives the stop.
 */
export function estimateStop(
  lease: { pricePerSec: string; escrow: string; durationSec: number; confirmedAt?: number | undefined },
  nowMs: number,
): StopEstimate | null {
  const price = units(lease.pricePerSec);
  const escrow = units(lease.escrow);
  if (price === null || escrow === null) return null;
  const billedSec = billedSeconds(lease.confirmedAt ?? null, nowMs, lease.durationSec);
  const charge = price * BigInt(billedSec);
  return { billedSec, charge: formatMoney(charge), refund: formatMoney(escrow - charge) };
}

/** A fresh idempotency key (≤ 64 chars) for one rent attempt. */
export function newIdempotencyKey(): string {
  const random =
    typeof crypto !== "undefined" && typeof crypto.randomUUID === "function"
      ? crypto.randomUUID()
      : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  return `rent-${random}`;
}
