/**
 * The provider's price editor works in XNM per hour; the platform stores integer micro-units per second
 * (platform-rules §3). Conversions here stay in bigint units: per hour → per second rounds half up to
 * the unit, so what is sent (and shown next to the field) is exactly what the worker will cost.
 */
import { DURATION_CAP_SEC, divRoundHalfUp, formatMoney, parseMoney, pricePerHour } from "@xenblocks/core";

/** The per-second price (decimal string) for a typed per-hour price, or null when it is not an amount. */
export function perSecFromPerHour(perHour: string): string | null {
  try {
    return formatMoney(divRoundHalfUp(parseMoney(perHour.trim()), 3_600n));
  } catch {
    return null;
  }
}

/** The per-hour price (decimal string) of a per-second price; exact (× 3600). */
export function perHourFromPerSec(perSec: string): string | null {
  try {
    return formatMoney(pricePerHour(parseMoney(perSec)));
  } catch {
    return null;
  }
}

/** A decimal string without trailing fraction zeros, for an editable field: "36.000000" → "36". */
export function trimAmount(amount: string): string {
  return amount.includes(".") ? amount.replace(/0+$/, "").replace(/\.$/, "") : amount;
}

export const DURATION_UNITS = [
  { value: "s", label: "s", sec: 1 },
  { value: "min", label: "min", sec: 60 },
  { value: "h", label: "h", sec: 3_600 },
  { value: "d", label: "d", sec: 86_400 },
] as const;
export type DurationUnit = (typeof DURATION_UNITS)[number]["value"];

/** A duration in seconds as the largest unit that divides it exactly. */
export function splitDuration(sec: number): { amount: string; unit: DurationUnit } {
  for (const u of [...DURATION_UNITS].reverse()) {
    if (sec > 0 && sec % u.sec === 0) return { amount: String(sec / u.sec), unit: u.value };
  }
  return { amount: String(Math.max(0, Math.round(sec))), unit: "s" };
}

/** Seconds of `amount unit`, or null when the amount is not a positive number giving whole seconds. */
export function durationSec(amount: string, unit: DurationUnit): number | null {
  if (!/^\d+(\.\d+)?$/.test(amount.trim())) return null;
  const size = DURATION_UNITS.find((u) => u.value === unit)?.sec ?? 1;
  const sec = Number(amount) * size;
  if (!Number.isFinite(sec) || Math.abs(sec - Math.round(sec)) > 1e-6) return null;
  return Math.round(sec);
}

export interface PricingDraft {
  perHour: string;
  minAmount: string;
  minUnit: DurationUnit;
  maxAmount: string;
  maxUnit: DurationUnit;
}

export type PricingCheck =
  | { ok: true; pricePerSec: string; minDurationSec: number; maxDurationSec: number }
  | { ok: false; field: "price" | "min" | "max"; message: string };

/** The editor's input as `provider.setPricing` input, or the first problem (the server checks again). */
export function checkPricing(d: PricingDraft): PricingCheck {
  const pricePerSec = perSecFromPerHour(d.perHour);
  if (pricePerSec === null) return { ok: false, field: "price", message: "Enter a price in XNM per hour" };
  if (parseMoney(pricePerSec) > 1_000_000_000n) {
    return { ok: false, field: "price", message: "At most 1,000 XNM per second" };
  }
  const min = durationSec(d.minAmount, d.minUnit);
  if (min === null || min < 1)
    return { ok: false, field: "min", message: "A whole number of seconds, ≥ 1 s" };
  const max = durationSec(d.maxAmount, d.maxUnit);
  if (max === null) return { ok: false, field: "max", message: "A whole number of seconds" };
  if (max < min) return { ok: false, field: "max", message: "Not less than the minimum" };
  if (max > DURATION_CAP_SEC) return { ok: false, field: "max", message: "At most 7 days" };
  return { ok: true, pricePerSec, minDurationSec: min, maxDurationSec: max };
}
