/** Offset cursors for the memory adapter: opaque to callers, like the keyset cursors of SQL adapters. */
import type { CursorQuery, Page } from "@xenblocks/core";

/** Where a page starts: an explicit `offset` wins over the cursor (REST offset pages). */
export function startOf(q: CursorQuery): number {
  if (q.offset !== undefined) return Number.isSafeInteger(q.offset) && q.offset > 0 ? q.offset : 0;
  const start = q.cursor ? Number.parseInt(q.cursor, 10) : 0;
  return Number.isSafeInteger(start) && start > 0 ? start : 0;
}

export function pageOf<T>(sorted: readonly T[], q: CursorQuery): Page<T> {
  const offset = startOf(q);
  const items = sorted.slice(offset, offset + q.limit).map((item) => structuredClone(item));
  const next = offset + items.length;
  return { items, nextCursor: next < sorted.length ? String(next) : null };
}

/** Newest first by a time field, then by id descending, so equal times keep a stable order. */
export function newestFirst<T>(
  rows: Iterable<T>,
  at: (row: T) => number,
  id: (row: T) => string | number,
): T[] {
  return [...rows].sort((a, b) => at(b) - at(a) || (id(a) < id(b) ? 1 : id(a) > id(b) ? -1 : 0));
}

/** Bucket start of a time: floor(at / bucketMs) * bucketMs. */
export const bucketOf = (at: number, bucketMs: number) => Math.floor(at / bucketMs) * bucketMs;

/** Counts or sums per bucket, ascending by bucket start; buckets without rows are absent. */
export function byBucket<T, V>(
  rows: Iterable<T>,
  bucket: (row: T) => number,
  zero: V,
  add: (sum: V, row: T) => V,
): { ts: number; value: V }[] {
  const sums = new Map<number, V>();
  for (const row of rows) {
    const ts = bucket(row);
    sums.set(ts, add(sums.get(ts) ?? zero, row));
  }
  return [...sums].sort(([a], [b]) => a - b).map(([ts, value]) => ({ ts, value }));
}
