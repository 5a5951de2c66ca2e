/** Offset cursors for the memory adapter: opaque to callers, like the keyset cursors of SQL adapters. */
import type { CursorQuery, Page } from "@xenblocks/core";

export function pageOf<T>(sorted: readonly T[], q: CursorQuery): Page<T> {
  const start = q.cursor ? Number.parseInt(q.cursor, 10) : 0;
  const offset = Number.isSafeInteger(start) && start > 0 ? start : 0;
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
