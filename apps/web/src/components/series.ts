/**
 * Server points as chart data (ui.md §5): one entry per server bucket across the whole range; a bucket
 * the server did not send is a gap (whitespace), never a zero.
 */
export interface ChartPoint {
  /** Seconds (the chart's time unit). */
  time: number;
  value?: number;
}

export function toSeries(
  points: ReadonlyArray<{ ts: number; value: number | null }>,
  opts: { bucketSec: number; fromMs?: number; toMs?: number },
): ChartPoint[] {
  const step = Math.max(1, Math.round(opts.bucketSec)) * 1000;
  const byBucket = new Map<number, number>();
  for (const p of points) {
    if (p.value === null || !Number.isFinite(p.value)) continue;
    byBucket.set(Math.floor(p.ts / step) * step, p.value);
  }
  const known = [...byBucket.keys()].sort((a, b) => a - b);
  const first = Math.min(
    opts.fromMs === undefined ? Number.POSITIVE_INFINITY : Math.floor(opts.fromMs / step) * step,
    known[0] ?? Number.POSITIVE_INFINITY,
  );
  const last = Math.max(
    opts.toMs === undefined ? Number.NEGATIVE_INFINITY : Math.floor(opts.toMs / step) * step,
    known[known.length - 1] ?? Number.NEGATIVE_INFINITY,
  );
  if (!Number.isFinite(first) || !Number.isFinite(last)) return [];
  const out: ChartPoint[] = [];
  // Bounded: a range never has more than a few thousand buckets (30 d of hours = 720).
  for (let t = first; t <= last && out.length < 10_000; t += step) {
    const value = byBucket.get(t);
    out.push(value === undefined ? { time: t / 1000 } : { time: t / 1000, value });
  }
  return out;
}

/** How many buckets carry a value. */
export function valuedPoints(series: readonly ChartPoint[]): number {
  return series.filter((p) => p.value !== undefined).length;
}
