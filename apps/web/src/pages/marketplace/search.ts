/**
 * The Marketplace's URL query string (ui.md §2): every filter, the sort and the page, validated, and
 * turned into the `marketplace.list` input. Kept free of React so the router can import it eagerly.
 */
import { formatMoney, parseMoney } from "@xenblocks/core";

export const MARKET_SORTS = ["value", "price", "hashrate", "gpus", "memory", "reputation"] as const;
export type MarketSort = (typeof MARKET_SORTS)[number];

export const SORT_LABELS: Record<MarketSort, string> = {
  value: "Best value",
  price: "Price ↑",
  hashrate: "Hashrate ↓",
  gpus: "GPUs ↓",
  memory: "Memory ↓",
  reputation: "Reputation ↓",
};

/** The "desired duration" choices of the filter bar, in seconds. */
export const DURATION_FILTERS = [
  { sec: 3_600, label: "1 h" },
  { sec: 21_600, label: "6 h" },
  { sec: 86_400, label: "24 h" },
  { sec: 259_200, label: "3 d" },
  { sec: 604_800, label: "7 d" },
] as const;

export const MARKET_PAGE_SIZE = 18;

export interface MarketplaceSearch {
  /** GPU model (one of `facets.gpuModels`). */
  gpu?: string;
  /** Minimum hashrate, H/s. */
  minHash?: number;
  /** Maximum price, XNM per hour, a decimal string. */
  maxPrice?: string;
  minGpus?: number;
  /** Minimum total GPU memory, GB. */
  minMem?: number;
  /** Desired duration, seconds. */
  dur?: number;
  /** `false` shows leased and offline workers too (the default is available only). */
  avail?: false;
  q?: string;
  sort?: MarketSort;
  page?: number;
}

function text(value: unknown, max: number): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim().slice(0, max) : undefined;
}

function nonNegative(value: unknown, integer: boolean): number | undefined {
  const n = typeof value === "number" ? value : typeof value === "string" ? Number(value) : Number.NaN;
  if (!Number.isFinite(n) || n <= 0 || n > 1e12) return undefined;
  return integer ? (Number.isSafeInteger(n) ? n : undefined) : n;
}

/** An XNM amount as typed: digits, an optional dot and ≤ 6 decimals. */
const AMOUNT = /^\d{1,12}(\.\d{1,6})?$/;

export function validateMarketplaceSearch(search: Record<string, unknown>): MarketplaceSearch {
  const out: MarketplaceSearch = {};
  const gpu = text(search.gpu, 64);
  const minHash = nonNegative(search.minHash, false);
  const maxPriceRaw =
    typeof search.maxPrice === "number" ? String(search.maxPrice) : text(search.maxPrice, 20);
  const minGpus = nonNegative(search.minGpus, true);
  const minMem = nonNegative(search.minMem, false);
  const dur = nonNegative(search.dur, true);
  const q = text(search.q, 64);
  const sort = MARKET_SORTS.includes(search.sort as MarketSort) ? (search.sort as MarketSort) : undefined;
  const page = nonNegative(search.page, true);
  if (gpu) out.gpu = gpu;
  if (minHash !== undefined) out.minHash = minHash;
  if (maxPriceRaw !== undefined && AMOUNT.test(maxPriceRaw)) out.maxPrice = maxPriceRaw;
  if (minGpus !== undefined) out.minGpus = minGpus;
  if (minMem !== undefined) out.minMem = minMem;
  if (dur !== undefined) out.dur = dur;
  if (search.avail === false || search.avail === "false") out.avail = false;
  if (q) out.q = q;
  if (sort && sort !== "value") out.sort = sort;
  if (page !== undefined && page > 1) out.page = page;
  return out;
}

/** XNM per hour → XNM per second, rounded down to the unit (the server's filter is per second). */
export function perHourToPerSec(perHour: string): string | null {
  try {
    return formatMoney(parseMoney(perHour) / 3_600n);
  } catch {
    return null;
  }
}

/** The `marketplace.list` input of a search: only what is set is sent; the server filters and sorts. */
export function listInput(s: MarketplaceSearch) {
  const maxPricePerSec = s.maxPrice === undefined ? null : perHourToPerSec(s.maxPrice);
  return {
    page: s.page ?? 1,
    limit: MARKET_PAGE_SIZE,
    sortBy: s.sort ?? "value",
    availableOnly: s.avail !== false,
    ...(s.gpu !== undefined && { gpu: s.gpu }),
    ...(s.minHash !== undefined && { minHashrate: s.minHash }),
    ...(maxPricePerSec !== null && { maxPricePerSec }),
    ...(s.minGpus !== undefined && { minGpus: s.minGpus }),
    ...(s.minMem !== undefined && { minMemoryGb: s.minMem }),
    ...(s.dur !== undefined && { durationSec: s.dur }),
    ...(s.q !== undefined && { search: s.q }),
  } as const;
}

/** How many filters differ from the defaults (for "Clear filters"). */
export function activeFilterCount(s: MarketplaceSearch): number {
  return [s.gpu, s.minHash, s.maxPrice, s.minGpus, s.minMem, s.dur, s.avail, s.q].filter(
    (v) => v !== undefined,
  ).length;
}
