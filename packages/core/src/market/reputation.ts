/**
 * Worker reputation, 0–100 (platform-rules.md §7). Every input is a counter kept on the worker row, so this is
 * O(1) arithmetic; the shape is api.md §1.1 `Reputation` / `RepSummary`.
 */

const BLOCKS_WEIGHT = 40;
const COMPLETION_WEIGHT = 30;
const UPTIME_WEIGHT = 20;
const AGE_WEIGHT = 10;
/** Verified lease blocks that earn the full blocks component. */
const BLOCKS_MAX = 100;
/** Days of registration that earn the full age component. */
const AGE_MAX_DAYS = 90;
const MS_PER_DAY = 86_400_000;
/** Default `worker.offline_after` (§13): a longer heartbeat gap means the worker was offline meanwhile. */
const DEFAULT_OFFLINE_AFTER_SEC = 90;

export interface ReputationCounters {
  /** Accepted lease blocks whose chain status is `verified` (or `skipped` without a chain adapter). */
  verifiedLeaseBlocks: number;
  leasesCompleted: number;
  /** `interrupted` + cancelled with `assign_timeout` / `worker_failed`; renter/admin cancels excluded. */
  leasesFailed: number;
  /** Seconds online, ms precision (see `onlineSecIncrement`). */
  onlineSec: number;
  /** Epoch ms. */
  registeredAt: number;
}

export interface Reputation {
  score: number;
  stars: number;
  blocks: { score: number; verifiedLeaseBlocks: number; max: 100; weight: 40 };
  completion: { score: number; completed: number; failed: number; weight: 30 };
  uptime: { score: number; onlineSec: number; totalSec: number; pct: number; weight: 20 };
  age: { score: number; days: number; maxDays: 90; weight: 10 };
}

export interface RepSummary {
  score: number;
  stars: number;
}

/** 10^dp for the decimals used here (exact in binary). */
const POW10 = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000];

/**
 * Rounds half away from zero at `dp` decimals, on the number's shortest decimal form. Scaling by 10^dp in
 * binary would misround values such as 1.005 (stored as 1.00499…) or 1.45 × 10 (= 14.4999…); shifting the
 * decimal exponent in the string form avoids that.
 *
 * Fast path, same results: the scaled value `y = |value| × 10^dp` differs from the decimal-shifted one by a
 * few parts in 10^16 of y, so when y is clearly away from a half (and small enough that whole numbers are
 * exact) both round to the same integer; `rounded / 10^dp` is then the correctly rounded double of the
 * decimal `rounded e−dp`, exactly what parsing that string gives. Only near a half does it parse strings.
 */
export function roundTo(value: number, dp: number): number {
  if (!Number.isFinite(value) || value === 0) return value;
  const scale = POW10[dp];
  if (scale !== undefined) {
    const y = Math.abs(value) * scale;
    if (y < 1e15) {
      const fraction = y - Math.floor(y);
      if (Math.abs(fraction - 0.5) > y * 1e-14 + 1e-300) {
        return Math.sign(value) * (Math.round(y) / scale);
      }
    }
  }
  return roundToByString(value, dp);
}

function roundToByString(value: number, dp: number): number {
  const [mantissa, exponent] = Math.abs(value).toExponential().split("e");
  const rounded = Math.round(Number(`${mantissa}e${Number(exponent) + dp}`));
  const [m2, e2] = rounded.toExponential().split("e");
  return Math.sign(value) * Number(`${m2}e${Number(e2) - dp}`);
}

/** Counters are never negative in practice; clamping keeps a corrupt row from producing a negative score. */
const clampRatio = (ratio: number): number => Math.min(Math.max(ratio, 0), 1);
// biome-ignore lint/complexity/useMathMinMax: Math.max(NaN, 0) is NaN; a missing counter must read as 0.
const nonNegative = (n: number): number => (n > 0 ? n : 0);

/**
 * The full breakdown at `nowMs`. Component scores are computed unrounded, summed into `score` (capped at 100,
 * then rounded to 2 dp), and rounded to 2 dp only for display — so the shown parts may differ from the shown
 * total by 0.01. `stars` is derived from the rounded score, matching what the user sees.
 */
export function computeReputation(c: ReputationCounters, nowMs: number): Reputation {
  const verifiedLeaseBlocks = nonNegative(c.verifiedLeaseBlocks);
  const completed = nonNegative(c.leasesCompleted);
  const failed = nonNegative(c.leasesFailed);
  const onlineSec = nonNegative(c.onlineSec);
  // A registration time in the future (clock skew) counts as "just registered".
  const elapsedMs = nonNegative(nowMs - c.registeredAt);
  // §7: max(now − registered_at, 1 s), so a brand-new worker does not divide by zero.
  const totalSec = Math.max(elapsedMs / 1000, 1);
  const days = elapsedMs / MS_PER_DAY;

  const blocks = clampRatio(verifiedLeaseBlocks / BLOCKS_MAX) * BLOCKS_WEIGHT;
  // No finished leases yet is not evidence of failure: full marks until there is a record.
  const finished = completed + failed;
  const completion =
    finished === 0 ? COMPLETION_WEIGHT : clampRatio(completed / finished) * COMPLETION_WEIGHT;
  const uptimeRatio = clampRatio(onlineSec / totalSec);
  const uptime = uptimeRatio * UPTIME_WEIGHT;
  const age = clampRatio(days / AGE_MAX_DAYS) * AGE_WEIGHT;

  const score = roundTo(Math.min(blocks + completion + uptime + age, 100), 2);
  return {
    score,
    stars: roundTo(score / 20, 1),
    blocks: { score: roundTo(blocks, 2), verifiedLeaseBlocks, max: BLOCKS_MAX, weight: BLOCKS_WEIGHT },
    completion: { score: roundTo(completion, 2), completed, failed, weight: COMPLETION_WEIGHT },
    uptime: {
      score: roundTo(uptime, 2),
      onlineSec: roundTo(onlineSec, 3),
      totalSec: roundTo(totalSec, 3),
      pct: roundTo(uptimeRatio * 100, 2),
      weight: UPTIME_WEIGHT,
    },
    age: { score: roundTo(age, 2), days: roundTo(days, 2), maxDays: AGE_MAX_DAYS, weight: AGE_WEIGHT },
  };
}

/** The short form shown in lists (api.md `RepSummary`). */
export function repSummary(rep: Pick<Reputation, "score" | "stars">): RepSummary {
  return { score: rep.score, stars: rep.stars };
}

/**
 * How much to add to `onlineSec` on a heartbeat (§7): the gap since the previous heartbeat when it is at most
 * `offlineAfterSec` (inclusive), else 0. Returned as fractional seconds rounded to whole ms rather than
 * floored: heartbeats arrive every few seconds, and flooring each gap would lose up to a second per beat.
 * No previous heartbeat, or a clock that went backwards, adds nothing.
 */
export function onlineSecIncrement(
  prevHeartbeatMs: number | null,
  nowMs: number,
  offlineAfterSec: number = DEFAULT_OFFLINE_AFTER_SEC,
): number {
  if (prevHeartbeatMs === null) return 0;
  const gapMs = Math.round(nowMs - prevHeartbeatMs);
  if (!(gapMs > 0) || gapMs > offlineAfterSec * 1000) return 0;
  return gapMs / 1000;
}
