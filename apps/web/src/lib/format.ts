/**
 * How numbers, money, hashrates, durations and times read on screen. Money stays a decimal string from
 * the server to the screen: it is re-grouped as text, never parsed into a floating-point number.
 */
import { formatMoney, parseMoney } from "@xenblocks/core";

/** Groups the whole part of a non-negative digit string with thin commas: "1234567" → "1,234,567". */
function groupDigits(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * An XNM amount from its API decimal string: `"12.345678"` → `"12.345678 XNM"`, grouped thousands,
 * sign kept. `decimals` trims trailing fraction digits (truncating, never rounding up money); the
 * exact value is always what the server sent. Anything that is not a decimal string shows as "—".
 */
export function formatXnm(
  amount: string | null | undefined,
  opts: { decimals?: number; unit?: boolean } = {},
) {
  if (amount == null) return "—";
  let canonical: string;
  try {
    canonical = formatMoney(parseMoney(amount, { allowNegative: true }));
  } catch {
    return "—";
  }
  const negative = canonical.startsWith("-");
  const [whole = "0", fraction = ""] = (negative ? canonical.slice(1) : canonical).split(".");
  const decimals = opts.decimals ?? 6;
  const shown = decimals > 0 ? `.${fraction.slice(0, decimals)}` : "";
  const text = `${negative ? "-" : ""}${groupDigits(whole)}${shown}`;
  return opts.unit === false ? text : `${text} XNM`;
}

const HASHRATE_UNITS = ["H/s", "kH/s", "MH/s", "GH/s", "TH/s"] as const;

/** H/s scaled to H/s, kH/s, MH/s…: 1234.5 → "1.23 kH/s"; 0 → "0 H/s". */
export function formatHashrate(hps: number | null | undefined): string {
  if (hps == null || !Number.isFinite(hps)) return "—";
  let value = Math.max(0, hps);
  let unit = 0;
  while (value >= 1000 && unit < HASHRATE_UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const digits = unit === 0 ? (Number.isInteger(value) ? 0 : 2) : value >= 100 ? 1 : 2;
  return `${value.toFixed(digits)} ${HASHRATE_UNITS[unit]}`;
}

/** A plain count with grouped thousands: 12345 → "12,345". */
export function formatCount(n: number | null | undefined): string {
  if (n == null || !Number.isFinite(n)) return "—";
  return Math.round(n).toLocaleString("en-US");
}

/** A percentage with up to one decimal: 99.25 → "99.3 %". */
export function formatPercent(pct: number | null | undefined): string {
  if (pct == null || !Number.isFinite(pct)) return "—";
  return `${Number.isInteger(pct) ? pct : pct.toFixed(1)} %`;
}

/** A duration in seconds, two largest units: 90 → "1m 30s", 3600 → "1h", 93784 → "1d 2h". */
export function formatDuration(totalSec: number | null | undefined): string {
  if (totalSec == null || !Number.isFinite(totalSec)) return "—";
  let s = Math.max(0, Math.floor(totalSec));
  if (s === 0) return "0s";
  const parts: Array<[number, string]> = [];
  for (const [size, label] of [
    [86_400, "d"],
    [3_600, "h"],
    [60, "m"],
    [1, "s"],
  ] as const) {
    const n = Math.floor(s / size);
    s -= n * size;
    parts.push([n, label]);
  }
  const first = parts.findIndex(([n]) => n > 0);
  return parts
    .slice(first, first + 2)
    .filter(([n]) => n > 0)
    .map(([n, label]) => `${n}${label}`)
    .join(" ");
}

/** Relative time from `now` (both epoch ms): "just now", "12 s ago", "5 min ago", "3 h ago", "2 d ago". */
export function formatTimeAgo(at: number | null | undefined, now: number): string {
  if (at == null || !Number.isFinite(at)) return "—";
  const sec = Math.round((now - at) / 1000);
  if (sec < -4) return `in ${formatDuration(-sec)}`;
  if (sec < 5) return "just now";
  if (sec < 60) return `${sec} s ago`;
  const min = Math.floor(sec / 60);
  if (min < 60) return `${min} min ago`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.floor(h / 24)} d ago`;
}

/** An absolute local date and time: "2025-01-31 14:05:09". */
export function formatDateTime(at: number | null | undefined): string {
  if (at == null || !Number.isFinite(at)) return "—";
  const d = new Date(at);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(
    d.getMinutes(),
  )}:${pad(d.getSeconds())}`;
}

/** A local clock time: "14:05:09". */
export function formatClock(at: number): string {
  return formatDateTime(at).slice(11);
}

/** "Today", "Yesterday" or "Earlier" for the activity feed, by local calendar day. */
export function dayGroup(at: number, now: number): "Today" | "Yesterday" | "Earlier" {
  const startOfToday = new Date(now);
  startOfToday.setHours(0, 0, 0, 0);
  const today = startOfToday.getTime();
  if (at >= today) return "Today";
  const yesterday = new Date(startOfToday);
  yesterday.setDate(yesterday.getDate() - 1);
  if (at >= yesterday.getTime()) return "Yesterday";
  return "Earlier";
}

/** The change from `before` to `now` as a signed percentage, or null when there is no base. */
export function percentChange(now: number, before: number | null | undefined): number | null {
  if (before == null || !Number.isFinite(before) || before <= 0 || !Number.isFinite(now)) return null;
  return ((now - before) / before) * 100;
}

/** Middle truncation for ids and hashes: "abcdef…7890". */
export function middleTruncate(text: string, head = 6, tail = 4): string {
  if (text.length <= head + tail + 1) return text;
  return `${text.slice(0, head)}…${text.slice(-tail)}`;
}
