/**
 * Recent activity: a cursor list (load more) grouped Today / Yesterday / Earlier; `activity` events are
 * prepended live; a row expands to show its ids with copy buttons and drawer links.
 */
import { useInfiniteQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import type { ActivityItem } from "../../api-types.js";
import { useLive } from "../../app/context.js";
import { Badge, BlockTypeBadge } from "../../components/badges.js";
import { IconChevronDown, IconChevronRight } from "../../components/icons.js";
import { useNow } from "../../components/now.js";
import { LoadMore } from "../../components/Pagination.js";
import { Card, EmptyState, ErrorState, SkeletonRows } from "../../components/ui.js";
import { CopyButton, TimeAgo } from "../../components/values.js";
import { errorMessage } from "../../lib/errors.js";
import { dayGroup, formatDuration, middleTruncate } from "../../lib/format.js";
import { useOpenDrawer } from "../../shell/GlobalDrawers.js";
import { useTRPC, useTRPCClient } from "../../trpc.js";

const PAGE = 20;

const KIND: Record<
  ActivityItem["type"],
  { label: string; tone: "accent" | "success" | "danger" | "warning" | "info" }
> = {
  block: { label: "Block found", tone: "accent" },
  lease_started: { label: "Lease started", tone: "info" },
  lease_completed: { label: "Lease completed", tone: "success" },
  lease_interrupted: { label: "Lease interrupted", tone: "danger" },
  lease_cancelled: { label: "Lease cancelled", tone: "warning" },
};

/** Fetched pages with the live items in front, each id once, newest first. */
export function mergeActivity(
  live: readonly ActivityItem[],
  fetched: readonly ActivityItem[],
): ActivityItem[] {
  const seen = new Set<string>();
  const out: ActivityItem[] = [];
  for (const item of [...live, ...fetched]) {
    if (seen.has(item.id)) continue;
    seen.add(item.id);
    out.push(item);
  }
  return out.sort((a, b) => b.at - a.at);
}

export function ActivityFeed() {
  const trpc = useTRPC();
  const client = useTRPCClient();
  // Not `infiniteQueryOptions`: it adds a `direction` key that the server's strict cursor input refuses.
  const feed = useInfiniteQuery({
    queryKey: trpc.overview.activity.infiniteQueryKey({ limit: PAGE }),
    queryFn: ({ pageParam }) =>
      client.overview.activity.query({ limit: PAGE, ...(pageParam !== null && { cursor: pageParam }) }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const liveItems = useLive((s) => s.data.activity);
  const now = useNow();
  const items = useMemo(
    () => mergeActivity(liveItems, feed.data?.pages.flatMap((p) => p.items) ?? []),
    [liveItems, feed.data],
  );
  const groups = useMemo(() => {
    const out = new Map<string, ActivityItem[]>();
    for (const item of items) {
      const g = dayGroup(item.at, now);
      out.set(g, [...(out.get(g) ?? []), item]);
    }
    return [...out];
  }, [items, now]);

  return (
    <Card title="Recent activity" bodyClassName="p-0">
      {feed.isPending ? (
        <div className="p-4">
          <SkeletonRows rows={8} label="Loading activity" />
        </div>
      ) : feed.isError ? (
        <ErrorState message={errorMessage(feed.error)} onRetry={() => void feed.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title="No activity yet">Blocks and leases appear here as they happen.</EmptyState>
      ) : (
        <div data-testid="activity-feed">
          {groups.map(([group, list]) => (
            <section key={group} aria-label={group}>
              <h3 className="sticky top-14 z-10 border-b border-line bg-surface-1 px-4 py-1.5 text-2xs font-semibold tracking-wide text-fg-3 uppercase">
                {group}
              </h3>
              <ul>
                {list.map((item) => (
                  <ActivityRow key={item.id} item={item} />
                ))}
              </ul>
            </section>
          ))}
          <LoadMore
            className="border-t border-line p-3"
            hasMore={feed.hasNextPage}
            loading={feed.isFetchingNextPage}
            onLoad={() => void feed.fetchNextPage()}
          />
        </div>
      )}
    </Card>
  );
}

function ActivityRow({ item }: { item: ActivityItem }) {
  const [open, setOpen] = useState(false);
  const openDrawer = useOpenDrawer();
  const kind = KIND[item.type];
  return (
    <li className="border-b border-line last:border-b-0" data-testid="activity-row">
      <button
        type="button"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
        className="flex w-full items-center gap-3 px-4 py-2.5 text-left hover:bg-hover"
      >
        <span className="text-fg-3">
          {open ? <IconChevronDown size={14} /> : <IconChevronRight size={14} />}
        </span>
        <Badge tone={kind.tone}>{kind.label}</Badge>
        {item.type === "block" && item.blockType && <BlockTypeBadge type={item.blockType} />}
        <span className="min-w-0 flex-1 truncate text-xs text-fg-2">
          worker <span className="font-mono text-fg">{middleTruncate(item.workerId, 10, 4)}</span>
          {item.leaseId && (
            <>
              {" "}
              · lease <span className="font-mono text-fg">{middleTruncate(item.leaseId, 10, 4)}</span>
            </>
          )}
          {item.durationSec !== undefined && <> · {formatDuration(item.durationSec)}</>}
          {item.blocksAccepted !== undefined && <> · {item.blocksAccepted} blocks</>}
        </span>
        <TimeAgo at={item.at} className="shrink-0 text-2xs text-fg-3" />
      </button>
      {open && (
        <div className="flex flex-col gap-1.5 bg-surface-2 px-11 py-3 text-xs">
          <IdLine label="Worker" value={item.workerId} onOpen={() => openDrawer("worker", item.workerId)} />
          {item.leaseId && (
            <IdLine
              label="Lease"
              value={item.leaseId}
              onOpen={() => openDrawer("lease", item.leaseId as string)}
            />
          )}
          <IdLine label="Event" value={item.id} />
        </div>
      )}
    </li>
  );
}

function IdLine({ label, value, onOpen }: { label: string; value: string; onOpen?: () => void }) {
  return (
    <div className="flex items-center gap-2">
      <span className="w-14 text-fg-3">{label}</span>
      {onOpen ? (
        <button
          type="button"
          onClick={onOpen}
          className="font-mono text-accent hover:underline"
          title={`Open ${label.toLowerCase()} ${value}`}
        >
          {value}
        </button>
      ) : (
        <span className="font-mono text-fg-2">{value}</span>
      )}
      <CopyButton value={value} label={`Copy ${label.toLowerCase()} id`} />
    </div>
  );
}
