import { fail } from "../errors.js";

/**
 * Worker pricing (platform-rules.md §3). The canonical price is integer micro-units per second; per-minute
 * and per-hour figures are derived from it, so a price round-trips exactly.
 */

/** 10,000 units/s = 0.01 XNM/s = 0.60 XNM/min = 36 XNM/h. */
export const DEFAULT_PRICE_PER_SEC = 10_000n;
/** Keeps every amount (price × 7-day cap) below 2^53, so stored integers are also exact JS numbers (§1). */
export const MAX_PRICE_PER_SEC = 1_000_000_000n;
export const DEFAULT_MIN_DURATION_SEC = 60;
export const DEFAULT_MAX_DURATION_SEC = 86_400;
/** Hard ceiling for `maxDurationSec`: 7 days. */
export const DURATION_CAP_SEC = 604_800;

export interface Pricing {
  pricePerSec: bigint;
  minDurationSec: number;
  maxDurationSec: number;
}

export const DEFAULT_PRICING: Readonly<Pricing> = Object.freeze({
  pricePerSec: DEFAULT_PRICE_PER_SEC,
  minDurationSec: DEFAULT_MIN_DURATION_SEC,
  maxDurationSec: DEFAULT_MAX_DURATION_SEC,
});

/** Checks owner-supplied pricing; each rule fails with its own message so the UI can say what to fix. */
export function validatePricing(input: {
  pricePerSec: bigint;
  minDurationSec: number;
  maxDurationSec: number;
}): Pricing {
  const { pricePerSec, minDurationSec, maxDurationSec } = input;
  if (pricePerSec < 0n) fail("VALIDATION", "pricePerSec must not be negative");
  if (pricePerSec > MAX_PRICE_PER_SEC) {
    fail("VALIDATION", `pricePerSec must be at most ${MAX_PRICE_PER_SEC} units (1,000 XNM/s)`);
  }
  if (!Number.isSafeInteger(minDurationSec))
    fail("VALIDATION", "minDurationSec must be a whole number of seconds");
  if (minDurationSec < 1) fail("VALIDATION", "minDurationSec must be at least 1 second");
  if (!Number.isSafeInteger(maxDurationSec))
    fail("VALIDATION", "maxDurationSec must be a whole number of seconds");
  if (maxDurationSec < minDurationSec)
    fail("VALIDATION", "maxDurationSec must not be less than minDurationSec");
  if (maxDurationSec > DURATION_CAP_SEC) {
    fail("VALIDATION", `maxDurationSec must be at most ${DURATION_CAP_SEC} seconds (7 days)`);
  }
  return { pricePerSec, minDurationSec, maxDurationSec };
}

/** round_half_up(n / d) for n ≥ 0, d > 0; bigint division alone would truncate. */
function divRoundHalfUp(n: bigint, d: bigint): bigint {
  return (2n * n + d) / (2n * d);
}

/**
 * Per-minute compatibility input → canonical per-second price, `round_half_up(perMin / 60)`. Negative input
 * is refused rather than rounded, because "half up" has no agreed meaning below zero and no price is negative.
 */
export function pricePerSecFromPerMin(perMinUnits: bigint): bigint {
  if (perMinUnits < 0n) fail("VALIDATION", "price per minute must not be negative");
  return divRoundHalfUp(perMinUnits, 60n);
}

/** What responses echo for a per-minute price: exactly `perSec × 60`, never the original input. */
export function pricePerMin(pricePerSec: bigint): bigint {
  return pricePerSec * 60n;
}

export function pricePerHour(pricePerSec: bigint): bigint {
  return pricePerSec * 3_600n;
}

/** §3 table, in the order it is searched: the first key contained in the GPU name wins. Units per minute. */
const GPU_RATES_PER_MIN: readonly (readonly [key: string, ratePerMin: bigint])[] = [
  ["RTX 4090", 1_200_000n],
  ["RTX 4080", 900_000n],
  ["RTX 4070", 600_000n],
  ["RTX 3090", 800_000n],
  ["RTX 3080", 550_000n],
  ["RTX 3070", 400_000n],
  ["RTX 3060", 250_000n],
  ["A100", 2_000_000n],
  ["H100", 3_500_000n],
];

/** Used when a worker reports GPU memory but no GPU list and memory is below 12 GB: the default price. */
const EMPTY_LIST_LOW_MEMORY_RATE_PER_MIN = 600_000n;

/** §3 fallback by memory (units per minute); a NaN or negative size falls to the lowest band. */
function memoryRatePerMin(memoryGb: number): bigint {
  if (memoryGb >= 80) return 2_000_000n;
  if (memoryGb >= 24) return 800_000n;
  if (memoryGb >= 12) return 400_000n;
  return 200_000n;
}

function tableRatePerMin(gpuName: string): bigint | undefined {
  const name = gpuName.toLowerCase();
  return GPU_RATES_PER_MIN.find(([key]) => name.includes(key.toLowerCase()))?.[1];
}

export interface SuggestPriceInput {
  gpus: readonly { name: string; memoryGb: number }[];
  gpuCount: number;
  totalMemoryGb: number;
}

export interface SuggestionLine {
  gpu: string;
  ratePerMin: bigint;
  source: "table" | "memory";
}

export interface PriceSuggestion {
  pricePerSec: bigint;
  /** `pricePerSec × 60` (the echo rule of §3), so it may differ from Σ lines by under 30 units. */
  pricePerMin: bigint;
  lines: SuggestionLine[];
}

/**
 * Suggested price from the worker's GPUs (§3 "Price suggestion"). One line per GPU; a worker that reports no
 * GPU list gets a single "memory" line (see `emptyListLine`). The result is clamped to MAX_PRICE_PER_SEC so
 * the suggestion is always a price `validatePricing` accepts.
 */
export function suggestPrice(input: SuggestPriceInput): PriceSuggestion {
  const lines: SuggestionLine[] =
    input.gpus.length === 0
      ? [emptyListLine(input.gpuCount, input.totalMemoryGb)]
      : input.gpus.map((gpu) => {
          const table = tableRatePerMin(gpu.name);
          return table === undefined
            ? { gpu: gpu.name, ratePerMin: memoryRatePerMin(gpu.memoryGb), source: "memory" }
            : { gpu: gpu.name, ratePerMin: table, source: "table" };
        });
  const totalPerMin = lines.reduce((sum, line) => sum + line.ratePerMin, 0n);
  const raw = divRoundHalfUp(totalPerMin, 60n);
  const perSec = raw > MAX_PRICE_PER_SEC ? MAX_PRICE_PER_SEC : raw;
  return { pricePerSec: perSec, pricePerMin: pricePerMin(perSec), lines };
}

/**
 * Reading of §3 "A worker with an empty `gpus` list uses `total_memory_gb` with the fallback rates ×
 * max(gpu_count, 1), or 0.60/min when memory is below 12": the band is chosen by the worker's *total* memory
 * (as written, not per GPU) and multiplied by the GPU count; below 12 GB the whole worker gets a flat
 * 0.60 XNM/min — the default price — not 0.60 per GPU, because with so little known the default is the
 * honest suggestion.
 */
function emptyListLine(gpuCount: number, totalMemoryGb: number): SuggestionLine {
  // A count that is not a whole positive number counts as one GPU, per max(gpu_count, 1).
  const count = Number.isFinite(gpuCount) ? Math.max(Math.trunc(gpuCount), 1) : 1;
  const gpu = count === 1 ? "GPU" : `${count}x GPU`;
  const ratePerMin =
    totalMemoryGb >= 12
      ? memoryRatePerMin(totalMemoryGb) * BigInt(count)
      : EMPTY_LIST_LOW_MEMORY_RATE_PER_MIN;
  return { gpu, ratePerMin, source: "memory" };
}

/** The display model of a GPU name: vendor and brand prefixes dropped, as §3 lists them (case as written). */
function gpuModel(name: string): string {
  const model = name.replaceAll("NVIDIA ", "").replaceAll("GeForce ", "").trim();
  return model === "" ? "GPU" : model;
}

function countedModel(model: string, count: number): string {
  return count === 1 ? model : `${count}x ${model}`;
}

/**
 * Display name of a worker's GPUs (§3 "GPU summary"). With two models, the parts follow the order in which
 * each model first appears in the list (the worker reports GPUs by index), e.g. "RTX 4090 + 2x RTX 3090".
 */
export function gpuSummary(gpuNames: readonly string[]): string {
  if (gpuNames.length === 0) return "GPU";
  // Map preserves insertion order, which gives "order of first appearance" for free.
  const counts = new Map<string, number>();
  for (const name of gpuNames) {
    const model = gpuModel(name);
    counts.set(model, (counts.get(model) ?? 0) + 1);
  }
  const parts = [...counts].map(([model, count]) => countedModel(model, count));
  if (parts.length === 1) return parts[0]!;
  if (parts.length === 2 && gpuNames.length <= 4) return parts.join(" + ");
  return `${gpuNames.length}x (mixed)`;
}

/** Units/s per H/s for listings; lower is better. Null when there is no hashrate to divide by. */
export function valueScore(pricePerSec: bigint, hashrate: number): number | null {
  if (!(hashrate > 0) || !Number.isFinite(hashrate)) return null;
  return Number(pricePerSec) / hashrate;
}

export interface BestValueCandidate {
  workerId: string;
  pricePerSec: bigint;
  hashrate: number;
  reputationScore: number;
}

/** Hashrate is shown with 2 dp (api.md), so comparing in integer centi-H/s loses nothing that is displayed. */
function centiHashrate(hashrate: number): bigint {
  return Number.isFinite(hashrate) && hashrate > 0 ? BigInt(Math.round(hashrate * 100)) : 0n;
}

/**
 * Best-value order (§5): price/hashrate ascending, then reputation descending, then workerId ascending (by
 * code unit, not locale, so every instance sorts alike). Ratios are compared exactly by cross-multiplying
 * price × centi-hashrate in bigint. Matching filters out hashrate ≤ 0, but the comparator stays total:
 * a hashrate below 0.005 H/s counts as an infinite ratio and sorts after every rated worker.
 */
export function compareBestValue(a: BestValueCandidate, b: BestValueCandidate): number {
  const ha = centiHashrate(a.hashrate);
  const hb = centiHashrate(b.hashrate);
  if (ha === 0n || hb === 0n) {
    if (ha !== hb) return ha === 0n ? 1 : -1;
  } else {
    const left = a.pricePerSec * hb;
    const right = b.pricePerSec * ha;
    if (left !== right) return left < right ? -1 : 1;
  }
  if (a.reputationScore !== b.reputationScore) return a.reputationScore > b.reputationScore ? -1 : 1;
  if (a.workerId === b.workerId) return 0;
  return a.workerId < b.workerId ? -1 : 1;
}
