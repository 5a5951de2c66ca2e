/** Overview `/` (ui.md §2): headline figures, recent activity, the network card. */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { useLive } from "../../app/context.js";
import { IconBlocks, IconCoins, IconServer, IconZap } from "../../components/icons.js";
import { MetricCard } from "../../components/MetricCard.js";
import { PageHeader } from "../../components/ui.js";
import { XnmAmount } from "../../components/values.js";
import { formatCount, formatHashrate } from "../../lib/format.js";
import { useTRPC } from "../../trpc.js";
import { ActivityFeed } from "./ActivityFeed.js";
import { NetworkCard } from "./NetworkCard.js";

export function OverviewPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const stats = useQuery(trpc.overview.stats.queryOptions());
  const live = useLive((s) => s.data.stats);
  const statsAt = useLive((s) => s.data.statsAt);

  // The 24 h figures are not in `stats` events: refresh them when the fleet's figures change,
  // at most every 10 s.
  const lastRefresh = useRef(0);
  useEffect(() => {
    if (statsAt === null || Date.now() - lastRefresh.current < 10_000) return;
    lastRefresh.current = Date.now();
    void queryClient.invalidateQueries({ queryKey: trpc.overview.stats.queryKey() });
  }, [statsAt, queryClient, trpc]);

  const loading = stats.isPending && live === null;
  const hashrate = live?.totalHashrate ?? stats.data?.totalHashrate;
  const online = live?.online ?? stats.data?.onlineWorkers;
  const total = live?.totalWorkers ?? stats.data?.totalWorkers;
  const failed = stats.isError ? "unavailable" : undefined;

  return (
    <div className="flex flex-col gap-6">
      <PageHeader title="Overview" description="The XenBlocks hashpower marketplace at a glance." />
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2 xl:grid-cols-4">
        <MetricCard
          label="Fleet hashrate"
          value={formatHashrate(hashrate)}
          sub="online workers"
          icon={<IconZap size={16} />}
          variant="accent"
          loading={loading}
        />
        <MetricCard
          label="Online workers"
          value={
            <span>
              {formatCount(online)}
              <span className="text-base text-fg-3"> / {formatCount(total)}</span>
            </span>
          }
          icon={<IconServer size={16} />}
          variant="success"
          loading={loading}
        />
        <MetricCard
          label="Blocks (24 h)"
          value={failed ?? formatCount(stats.data?.blocks24h)}
          sub={stats.data ? `${formatCount(stats.data.totalBlocks)} in total` : undefined}
          icon={<IconBlocks size={16} />}
          variant="info"
          loading={stats.isPending}
        />
        <MetricCard
          label="Settled volume (24 h)"
          value={failed ?? <XnmAmount value={stats.data?.settledVolume24h} decimals={2} />}
          sub={stats.data ? `${formatCount(stats.data.activeLeases)} active leases` : undefined}
          icon={<IconCoins size={16} />}
          variant="warning"
          loading={stats.isPending}
        />
      </div>
      <div className="grid grid-cols-1 gap-6 xl:grid-cols-[minmax(0,1fr)_400px]">
        <ActivityFeed />
        <NetworkCard />
      </div>
    </div>
  );
}
