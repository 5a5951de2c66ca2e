/**
 * Lease history (ui.md §2 Renter): the renter's leases newest first, cursor pages ("Load more"), a
 * state filter sent to the server; a row opens the lease drawer.
 */
import { useInfiniteQuery } from "@tanstack/react-query";
import { useState } from "react";
import { StatusBadge } from "../../components/badges.js";
import { Select } from "../../components/form.js";
import { LoadMore } from "../../components/Pagination.js";
import { Card, EmptyState, ErrorState, SkeletonRows } from "../../components/ui.js";
import { AddressText, DurationText, HashrateText, XnmAmount } from "../../components/values.js";
import { errorMessage } from "../../lib/errors.js";
import { middleTruncate } from "../../lib/format.js";
import { useOpenDrawer } from "../../shell/GlobalDrawers.js";
import { useTRPC } from "../../trpc.js";

const STATES = ["all", "pending", "active", "completed", "interrupted", "cancelled"] as const;
type StateFilter = (typeof STATES)[number];

const HEAD = "px-2 py-2 font-medium";

export function LeaseHistory() {
  const trpc = useTRPC();
  const openDrawer = useOpenDrawer();
  const [state, setState] = useState<StateFilter>("all");
  const history = useInfiniteQuery(
    trpc.rental.leases.infiniteQueryOptions(
      { as: "renter", limit: 20, ...(state !== "all" && { state }) },
      { getNextPageParam: (last) => last.nextCursor ?? undefined },
    ),
  );
  const rows = history.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <Card
      title="Lease history"
      actions={
        <Select<StateFilter>
          aria-label="Lease state"
          value={state}
          onChange={setState}
          options={STATES.map((s) => ({
            value: s,
            label: s === "all" ? "All states" : s.charAt(0).toUpperCase() + s.slice(1),
          }))}
          className="h-8 w-40 text-xs"
        />
      }
      bodyClassName="p-0"
    >
      {history.isPending ? (
        <div className="p-4">
          <SkeletonRows rows={5} label="Loading lease history" />
        </div>
      ) : history.isError ? (
        <ErrorState message={errorMessage(history.error)} onRetry={() => void history.refetch()} />
      ) : rows.length === 0 ? (
        <EmptyState title={state === "all" ? "No leases yet" : `No ${state} leases`}>
          {state === "all" ? "Leases you rent appear here with their cost and refund." : "Try another state."}
        </EmptyState>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full min-w-[1000px] text-xs" data-testid="lease-history">
            <thead className="text-left text-2xs text-fg-3">
              <tr className="border-b border-line">
                <th scope="col" className={`${HEAD} pl-4`}>
                  Lease
                </th>
                <th scope="col" className={HEAD}>
                  Worker
                </th>
                <th scope="col" className={HEAD}>
                  Mining address
                </th>
                <th scope="col" className={HEAD}>
                  Duration (contracted / billed)
                </th>
                <th scope="col" className={`${HEAD} text-right`}>
                  Avg hashrate
                </th>
                <th scope="col" className={`${HEAD} text-right`}>
                  Blocks (acc. / rej.)
                </th>
                <th scope="col" className={`${HEAD} text-right`}>
                  Cost
                </th>
                <th scope="col" className={`${HEAD} text-right`}>
                  Refund
                </th>
                <th scope="col" className={`${HEAD} pr-4`}>
                  Status
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((l) => (
                <tr
                  key={l.leaseId}
                  tabIndex={0}
                  onClick={() => openDrawer("lease", l.leaseId)}
                  onKeyDown={(e) => {
                    if (e.key === "Enter" || e.key === " ") {
                      e.preventDefault();
                      openDrawer("lease", l.leaseId);
                    }
                  }}
                  aria-label={`Lease ${l.leaseId}`}
                  data-testid="history-row"
                  data-lease={l.leaseId}
                  className="cursor-pointer border-b border-line last:border-b-0 hover:bg-hover focus:bg-hover focus:outline-none"
                >
                  <td className="px-2 py-2 pl-4 font-mono text-fg" title={l.leaseId}>
                    {middleTruncate(l.leaseId, 10, 4)}
                  </td>
                  <td className="px-2 py-2 font-mono text-fg-2" title={l.workerId}>
                    {middleTruncate(l.workerId, 8, 4)}
                  </td>
                  <td className="px-2 py-2">
                    <AddressText address={l.consumerAddress} copy={false} className="text-fg-2" />
                  </td>
                  <td className="px-2 py-2 whitespace-nowrap text-fg-2">
                    <DurationText seconds={l.durationSec} /> /{" "}
                    {l.billedSec !== undefined ? <DurationText seconds={l.billedSec} /> : "—"}
                  </td>
                  <td className="px-2 py-2 text-right font-mono">
                    <HashrateText value={l.avgHashrate} />
                  </td>
                  <td className="px-2 py-2 text-right tabular">
                    {l.blocksAccepted} / {l.blocksRejected}
                  </td>
                  <td className="px-2 py-2 text-right" data-testid="history-cost">
                    {l.cost !== undefined ? <XnmAmount value={l.cost} /> : "—"}
                  </td>
                  <td className="px-2 py-2 text-right" data-testid="history-refund">
                    {l.refund !== undefined ? <XnmAmount value={l.refund} /> : "—"}
                  </td>
                  <td className="px-2 py-2 pr-4">
                    <div className="flex flex-col items-start gap-0.5">
                      <StatusBadge state={l.state} />
                      {l.reason && <span className="text-2xs text-fg-3">{l.reason}</span>}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <LoadMore
        hasMore={history.hasNextPage}
        loading={history.isFetchingNextPage}
        onLoad={() => void history.fetchNextPage()}
        className="border-t border-line py-3"
      />
    </Card>
  );
}
