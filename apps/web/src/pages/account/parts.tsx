/** Pieces the Account page and its Administration panel share: tables, states of a feed, amounts. */
import type { ReactNode } from "react";
import { Badge } from "../../components/badges.js";
import { LoadMore } from "../../components/Pagination.js";
import { cx, EmptyState, ErrorState, SkeletonRows } from "../../components/ui.js";
import { errorMessage } from "../../lib/errors.js";
import { formatXnm } from "../../lib/format.js";

/** A signed ledger amount: "+12.000000 XNM" in green, "-3.000000 XNM" in red; never a float. */
export function SignedAmount({ value }: { value: string }) {
  const negative = value.startsWith("-");
  const zero = /^-?0(\.0*)?$/.test(value);
  return (
    <span
      className={cx("font-mono tabular", zero ? "text-fg-2" : negative ? "text-danger" : "text-success")}
      title={`${value} XNM`}
    >
      {negative || zero ? "" : "+"}
      {formatXnm(value)}
    </span>
  );
}

const WITHDRAWAL_TONE = {
  requested: "accent",
  completed: "success",
  rejected: "danger",
  cancelled: "warning",
} as const;

export function WithdrawalBadge({ state }: { state: string }) {
  const tone = WITHDRAWAL_TONE[state as keyof typeof WITHDRAWAL_TONE] ?? "muted";
  return <Badge tone={tone}>{state.charAt(0).toUpperCase() + state.slice(1)}</Badge>;
}

/** What a query-backed list shows while loading, on error, empty, or its rows. */
export function QueryBody({
  pending,
  error,
  empty,
  emptyTitle,
  emptyText,
  loadingLabel,
  onRetry,
  children,
}: {
  pending: boolean;
  error: unknown;
  empty: boolean;
  emptyTitle: string;
  emptyText?: ReactNode;
  loadingLabel: string;
  onRetry: () => void;
  children: ReactNode;
}) {
  if (pending) {
    return (
      <div className="p-4">
        <SkeletonRows rows={4} label={loadingLabel} />
      </div>
    );
  }
  if (error) return <ErrorState message={errorMessage(error)} onRetry={onRetry} />;
  if (empty) return <EmptyState title={emptyTitle}>{emptyText}</EmptyState>;
  return <>{children}</>;
}

/** A scrolling table with a sticky header; `columns` are the header cells. */
export function DataTable({
  columns,
  children,
  label,
  testId,
}: {
  columns: Array<{ label: ReactNode; align?: "right"; srOnly?: boolean }>;
  children: ReactNode;
  label: string;
  testId?: string;
}) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-xs" aria-label={label} data-testid={testId}>
        <thead className="bg-surface-1 text-left text-2xs text-fg-3">
          <tr>
            {columns.map((c, i) => (
              <th
                key={i}
                scope="col"
                className={cx(
                  "px-3 py-2 font-medium whitespace-nowrap first:pl-4 last:pr-4",
                  c.align === "right" && "text-right",
                )}
              >
                {c.srOnly ? <span className="sr-only">{c.label}</span> : c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

export function Td({
  children,
  align,
  className,
}: {
  children: ReactNode;
  align?: "right";
  className?: string;
}) {
  return (
    <td
      className={cx(
        "px-3 py-2 align-middle whitespace-nowrap first:pl-4 last:pr-4",
        align === "right" && "text-right",
        className,
      )}
    >
      {children}
    </td>
  );
}

/** "Load more" under a cursor feed. */
export function MoreRows({
  hasMore,
  loading,
  onLoad,
}: {
  hasMore: boolean;
  loading: boolean;
  onLoad: () => void;
}) {
  return (
    <LoadMore hasMore={hasMore} loading={loading} onLoad={onLoad} className="border-t border-line p-3" />
  );
}
