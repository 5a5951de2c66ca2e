/**
 * The lease drawer (`?lease=` on any page; ui.md §2 Renter): every lease field, the settlement once
 * it is final, and the lease's blocks (oldest first, cursor pages) with status, reject reason and chain
 * status. Chain results that arrive live (`block_chain`) are laid over the fetched rows.
 */
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useLive, useSession } from "../../app/context.js";
import { BlockTypeBadge, StatusBadge } from "../../components/badges.js";
import { DetailList, DrawerSection } from "../../components/DetailList.js";
import { LoadMore } from "../../components/Pagination.js";
import { EmptyState, ErrorState, SkeletonRows } from "../../components/ui.js";
import {
  AddressText,
  DurationText,
  HashrateText,
  HashText,
  TimeAgo,
  XnmAmount,
} from "../../components/values.js";
import { errorMessage } from "../../lib/errors.js";
import { formatDateTime } from "../../lib/format.js";
import { useOpenDrawer } from "../../shell/GlobalDrawers.js";
import { useTRPC } from "../../trpc.js";
import { perHour } from "../marketplace/money.js";
import { useRefreshOnLeaseBlocks } from "./live-leases.js";

type Row = [string, ReactNode];

function When({ at }: { at: number | undefined }) {
  if (at === undefined) return <span className="text-fg-3">—</span>;
  return (
    <span>
      <span className="tabular">{formatDateTime(at)}</span> <TimeAgo at={at} className="text-fg-3" />
    </span>
  );
}

const CHAIN_TONE: Record<string, string> = {
  verified: "verified",
  not_found: "not_found",
  pending: "pending",
  skipped: "skipped",
};

function LeaseBlocks({ leaseId, live }: { leaseId: string; live: boolean }) {
  const trpc = useTRPC();
  useRefreshOnLeaseBlocks(live ? [leaseId] : []);
  const blocks = useInfiniteQuery(
    trpc.rental.blocks.infiniteQueryOptions(
      { leaseId, limit: 50 },
      { getNextPageParam: (last) => last.nextCursor ?? undefined },
    ),
  );
  const liveBlocks = useLive((s) => s.data.blocks);
  if (blocks.isPending) return <SkeletonRows rows={3} label="Loading blocks" />;
  if (blocks.isError) {
    return <ErrorState message={errorMessage(blocks.error)} onRetry={() => void blocks.refetch()} />;
  }
  const rows = blocks.data.pages.flatMap((p) => p.items);
  if (rows.length === 0) {
    return (
      <p className="text-xs text-fg-2">
        {live
          ? "No block yet. Blocks appear here as the worker finds them."
          : "No block was mined in this lease."}
      </p>
    );
  }
  return (
    <>
      <div className="overflow-x-auto rounded-md border border-line">
        <table className="w-full text-xs" data-testid="lease-blocks">
          <thead className="bg-surface-2 text-left text-2xs text-fg-3">
            <tr>
              <th scope="col" className="px-3 py-1.5 font-medium">
                Type
              </th>
              <th scope="col" className="px-2 py-1.5 font-medium">
                Hash
              </th>
              <th scope="col" className="px-2 py-1.5 font-medium">
                Status
              </th>
              <th scope="col" className="px-2 py-1.5 font-medium">
                Chain
              </th>
              <th scope="col" className="px-3 py-1.5 text-right font-medium">
                Received
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((b) => {
              const update = liveBlocks.find((x) => x.id === b.id);
              const chainStatus = update?.chainStatus ?? b.chainStatus;
              const chainBlockId = update?.chainBlockId ?? b.chainBlockId;
              return (
                <tr
                  key={b.id}
                  className="border-t border-line"
                  data-testid="lease-block"
                  data-status={b.status}
                >
                  <td className="px-3 py-1.5">
                    <BlockTypeBadge type={b.blockType} />
                  </td>
                  <td className="px-2 py-1.5">
                    <HashText value={b.hash} head={8} tail={4} />
                  </td>
                  <td className="px-2 py-1.5">
                    <div className="flex flex-col items-start gap-0.5">
                      <StatusBadge state={b.status} />
                      {b.rejectReason && <span className="text-2xs text-danger">{b.rejectReason}</span>}
                    </div>
                  </td>
                  <td className="px-2 py-1.5">
                    <span className="flex items-center gap-1.5">
                      <StatusBadge state={CHAIN_TONE[chainStatus] ?? chainStatus} />
                      {chainBlockId !== undefined && (
                        <span className="font-mono text-2xs text-fg-3">#{chainBlockId}</span>
                      )}
                    </span>
                  </td>
                  <td className="px-3 py-1.5 text-right">
                    <TimeAgo at={b.receivedAt} className="text-fg-2" />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <LoadMore
        hasMore={blocks.hasNextPage}
        loading={blocks.isFetchingNextPage}
        onLoad={() => void blocks.fetchNextPage()}
        className="mt-2"
      />
    </>
  );
}

export default function LeaseDrawer({ leaseId }: { leaseId: string }) {
  const trpc = useTRPC();
  const session = useSession();
  const openDrawer = useOpenDrawer();
  const lease = useQuery({ ...trpc.rental.lease.queryOptions({ leaseId }), enabled: session !== null });
  if (!session) {
    return (
      <EmptyState title="Connect your wallet to see this lease">
        Leases are private to their renter, the worker's owner and admins.
      </EmptyState>
    );
  }
  if (lease.isPending) return <SkeletonRows rows={10} label="Loading lease" />;
  if (lease.isError) {
    return (
      <ErrorState
        title="This lease could not be shown"
        message={errorMessage(lease.error)}
        onRetry={() => void lease.refetch()}
      />
    );
  }
  const l = lease.data;
  const s = l.settlement;
  const hourly = perHour(l.pricePerSec);
  const open = l.state === "pending" || l.state === "active";
  return (
    <div data-testid="lease-drawer" data-state={l.state}>
      <DrawerSection title="Lease">
        <DetailList
          rows={[
            ["Lease", <HashText key="id" value={l.leaseId} head={14} tail={6} />],
            [
              "State",
              <span key="s" className="flex flex-wrap items-center gap-2">
                <StatusBadge state={l.state} />
                {l.reason && <span className="text-fg-2">{l.reason}</span>}
              </span>,
            ],
            [
              "Worker",
              <button
                key="w"
                type="button"
                className="font-mono text-xs text-fg hover:text-accent"
                onClick={() => openDrawer("worker", l.workerId)}
              >
                {l.workerId}
              </button>,
            ],
            ["Renter", <AddressText key="r" address={l.renter} />],
            ["Mining address", <AddressText key="m" address={l.consumerAddress} />],
            ...(l.prefix
              ? ([
                  [
                    "Prefix",
                    <span key="p" className="font-mono">
                      {l.prefix}
                    </span>,
                  ],
                ] as Row[])
              : []),
          ]}
        />
      </DrawerSection>
      <DrawerSection title="Terms and billing">
        <DetailList
          rows={[
            ["Duration", <DurationText key="d" seconds={l.durationSec} />],
            [
              "Price",
              <span key="p">
                {hourly && (
                  <>
                    <XnmAmount value={hourly} /> <span className="text-fg-3">/h · </span>
                  </>
                )}
                <XnmAmount value={l.pricePerSec} className="text-fg-2" />
                <span className="text-fg-3"> /s</span>
              </span>,
            ],
            ["Escrow", <XnmAmount key="e" value={l.escrow} />],
            ["Billed", l.billedSec !== undefined ? <DurationText key="b" seconds={l.billedSec} /> : "—"],
            ["Cost", l.cost !== undefined ? <XnmAmount key="c" value={l.cost} /> : "—"],
            ["Refund", l.refund !== undefined ? <XnmAmount key="rf" value={l.refund} /> : "—"],
            ["Blocks", `${l.blocksAccepted} accepted / ${l.blocksRejected} rejected`],
            ["Avg hashrate", <HashrateText key="h" value={l.avgHashrate} />],
          ]}
        />
      </DrawerSection>
      <DrawerSection title="Timeline">
        <DetailList
          rows={[
            ["Created", <When key="ca" at={l.createdAt} />],
            ["Confirmed", <When key="co" at={l.confirmedAt} />],
            ["Expires", <When key="ex" at={l.expiresAt} />],
            ["Ended", <When key="en" at={l.endedAt} />],
          ]}
        />
      </DrawerSection>
      <DrawerSection title="Settlement">
        {s ? (
          <div data-testid="lease-settlement">
            <DetailList
              rows={[
                ["State", <StatusBadge key="st" state={s.state} />],
                ["Billed", <DurationText key="b" seconds={s.billedSec} />],
                ["Total charged", <XnmAmount key="t" value={s.total} className="text-fg" />],
                [
                  "Platform fee",
                  <span key="f">
                    <XnmAmount value={s.fee} />{" "}
                    <span className="text-fg-3">({(s.feeBps / 100).toFixed(2)} %)</span>
                  </span>,
                ],
                ["To the provider", <XnmAmount key="pa" value={s.providerAmount} />],
                ["Provider", <AddressText key="pr" address={s.provider} />],
                ["Refunded", <XnmAmount key="r" value={s.refund} className="text-success" />],
                ["Settled", <When key="sa" at={s.settledAt} />],
              ]}
            />
          </div>
        ) : (
          <p className="text-xs text-fg-2">
            {open
              ? "Settled when the lease ends: the seconds used are charged and the rest of the escrow refunded."
              : "No settlement recorded."}
          </p>
        )}
      </DrawerSection>
      <DrawerSection title="Blocks">
        <LeaseBlocks leaseId={l.leaseId} live={open} />
      </DrawerSection>
    </div>
  );
}
