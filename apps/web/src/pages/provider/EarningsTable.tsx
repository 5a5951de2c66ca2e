/** Earnings: the settlements where the caller is the provider (`provider.earnings`, cursor pages). */
import { useInfiniteQuery } from "@tanstack/react-query";
import { StatusBadge } from "../../components/badges.js";
import { LoadMore } from "../../components/Pagination.js";
import { Card, EmptyState, ErrorState, SkeletonRows } from "../../components/ui.js";
import { AddressText, DurationText, TimeAgo, XnmAmount } from "../../components/values.js";
import { errorMessage } from "../../lib/errors.js";
import { middleTruncate } from "../../lib/format.js";
import { useOpenDrawer } from "../../shell/GlobalDrawers.js";
import { useTRPC, useTRPCClient } from "../../trpc.js";

const PAGE = 20;

export function EarningsTable() {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const openDrawer = useOpenDrawer();
  // Not `infiniteQueryOptions`: it adds a `direction` key (see ActivityFeed).
  const feed = useInfiniteQuery({
    queryKey: trpc.provider.earnings.infiniteQueryKey({ limit: PAGE }),
    queryFn: ({ pageParam }) =>
      client.provider.earnings.query({ limit: PAGE, ...(pageParam !== null && { cursor: pageParam }) }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = feed.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <Card title="Earnings" bodyClassName="p-0">
      {feed.isPending ? (
        <div className="p-4">
          <SkeletonRows rows={5} label="Loading earnings" />
        </div>
      ) : feed.isError ? (
        <ErrorState message={errorMessage(feed.error)} onRetry={() => void feed.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title="No earnings yet">
          Each lease on one of your workers is settled when it ends; your share appears here.
        </EmptyState>
      ) : (
        <>
          <div className="overflow-x-auto">
            <table className="w-full min-w-[860px] text-xs" data-testid="earnings-table">
              <thead>
                <tr className="border-b border-line text-left text-2xs text-fg-3">
                  <th scope="col" className="px-3 py-2 pl-4 font-medium">
                    Settled
                  </th>
                  <th scope="col" className="px-3 py-2 font-medium">
                    Lease
                  </th>
                  <th scope="col" className="px-3 py-2 font-medium">
                    Worker
                  </th>
                  <th scope="col" className="px-3 py-2 font-medium">
                    Renter
                  </th>
                  <th scope="col" className="px-3 py-2 font-medium">
                    State
                  </th>
                  <th scope="col" className="px-3 py-2 text-right font-medium">
                    Billed
                  </th>
                  <th scope="col" className="px-3 py-2 text-right font-medium">
                    Total
                  </th>
                  <th scope="col" className="px-3 py-2 text-right font-medium">
                    Fee
                  </th>
                  <th scope="col" className="px-3 py-2 pr-4 text-right font-medium">
                    You earned
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((s) => (
                  <tr key={s.leaseId} className="border-b border-line last:border-b-0">
                    <td className="px-3 py-2 pl-4 text-fg-2">
                      <TimeAgo at={s.settledAt} />
                    </td>
                    <td className="px-3 py-2">
                      <button
                        type="button"
                        onClick={() => openDrawer("lease", s.leaseId)}
                        className="font-mono text-accent hover:underline"
                        title={`Open lease ${s.leaseId}`}
                      >
                        {middleTruncate(s.leaseId, 10, 4)}
                      </button>
                    </td>
                    <td className="px-3 py-2">
                      <button
                        type="button"
                        onClick={() => openDrawer("worker", s.workerId)}
                        className="font-mono text-fg hover:text-accent"
                        title={`Open worker ${s.workerId}`}
                      >
                        {middleTruncate(s.workerId, 10, 4)}
                      </button>
                    </td>
                    <td className="px-3 py-2">
                      <AddressText address={s.renter} copy={false} className="text-fg-2" />
                    </td>
                    <td className="px-3 py-2">
                      <StatusBadge state={s.state} />
                    </td>
                    <td className="px-3 py-2 text-right">
                      <DurationText seconds={s.billedSec} />
                    </td>
                    <td className="px-3 py-2 text-right">
                      <XnmAmount value={s.total} />
                    </td>
                    <td className="px-3 py-2 text-right text-fg-2" title={`${s.feeBps / 100} % platform fee`}>
                      <XnmAmount value={s.fee} />
                    </td>
                    <td className="px-3 py-2 pr-4 text-right text-success">
                      <XnmAmount value={s.providerAmount} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <LoadMore
            hasMore={feed.hasNextPage}
            loading={feed.isFetchingNextPage}
            onLoad={() => void feed.fetchNextPage()}
            className="border-t border-line py-3"
          />
        </>
      )}
    </Card>
  );
}
