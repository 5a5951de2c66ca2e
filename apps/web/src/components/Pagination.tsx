/** Page-style paging (numbered tables) and cursor-style "Load more". */
import { IconChevronLeft, IconChevronRight } from "./icons.js";
import { Button, cx } from "./ui.js";

export function Pagination({
  page,
  totalPages,
  total,
  limit,
  onPage,
  onLimit,
  limits = [20, 50, 100],
}: {
  page: number;
  totalPages: number;
  total: number;
  limit: number;
  onPage: (page: number) => void;
  onLimit?: (limit: number) => void;
  limits?: number[];
}) {
  const from = total === 0 ? 0 : (page - 1) * limit + 1;
  const to = Math.min(total, page * limit);
  return (
    <nav
      aria-label="Pagination"
      className="flex flex-wrap items-center justify-between gap-3 text-xs text-fg-2"
    >
      <span className="tabular">
        {from}–{to} of {total}
      </span>
      <div className="flex items-center gap-3">
        {onLimit && (
          <label className="flex items-center gap-2">
            Rows
            <select
              value={limit}
              onChange={(e) => onLimit(Number(e.target.value))}
              className="h-7 rounded-md border border-line bg-surface-2 px-2 text-xs text-fg"
            >
              {limits.map((l) => (
                <option key={l} value={l}>
                  {l}
                </option>
              ))}
            </select>
          </label>
        )}
        <div className="flex items-center gap-1">
          <button
            type="button"
            aria-label="Previous page"
            disabled={page <= 1}
            onClick={() => onPage(page - 1)}
            className="inline-flex h-7 w-7 items-center justify-center rounded-md border border-line bg-surface-2 text-fg hover:bg-hover disabled:opacity-40"
          >
            <IconChevronLeft size={14} />
          </button>
          <span className="min-w-16 text-center tabular" aria-current="page">
            Page {page} / {totalPages}
          </span>
          <button
            type="button"
            aria-label="Next page"
            disabled={page >= totalPages}
            onClick={() => onPage(page + 1)}
            className="inline-flex h-7 w-7 items-center justify-center rounded-md border border-line bg-surface-2 text-fg hover:bg-hover disabled:opacity-40"
          >
            <IconChevronRight size={14} />
          </button>
        </div>
      </div>
    </nav>
  );
}

export function LoadMore({
  hasMore,
  loading,
  onLoad,
  className,
}: {
  hasMore: boolean;
  loading: boolean;
  onLoad: () => void;
  className?: string;
}) {
  if (!hasMore) return null;
  return (
    <div className={cx("flex justify-center", className)}>
      <Button variant="secondary" size="sm" onClick={onLoad} disabled={loading}>
        {loading ? "Loading…" : "Load more"}
      </Button>
    </div>
  );
}
