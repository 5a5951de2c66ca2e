/** Monitoring `/monitoring` (ui.md §2): live figures, the fleet table, hashrate, blocks, health. */
import { useQuery } from "@tanstack/react-query";
import { useLive } from "../../app/context.js";
import { IconBlocks, IconCpu, IconServer, IconWifiOff, IconZap } from "../../components/icons.js";
import { MetricCard, StatDelta } from "../../components/MetricCard.js";
import { useNow } from "../../components/now.js";
import { PageHeader } from "../../components/ui.js";
import { formatCount, formatHashrate, formatTimeAgo, percentChange } from "../../lib/format.js";
import { ConnectionIndicator } from "../../shell/ConnectionIndicator.js";
import { useTRPC } from "../../trpc.js";
import { FleetChart } from "./FleetChart.js";
import { FleetTable } from "./FleetTable.js";
import { HealthLog } from "./HealthLog.js";
import { LiveBlocks } from "./LiveBlocks.js";

export function MonitoringPage() {
  const trpc = useTRPC();
  const fetched = useQuery(trpc.monitoring.stats.queryOptions());
  const live = useLive((s) => s.data.stats);
  const lastEventAt = useLive((s) => s.connection.lastEventAt);
  const now = useNow();
  const stats = live ?? fetched.data ?? null;
  const loading = stats === null;
  const change = stats ? percentChange(stats.totalHashrate, stats.hashrateHourAgo) : null;

  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title="Monitoring"
        description="The whole fleet, live."
        actions={
          <div className="flex items-center gap-3 rounded-md border border-line bg-surface-1 px-3 py-1.5">
            <ConnectionIndicator />
            <span className="text-xs text-fg-3 tabular" data-testid="updated-ago">
              {lastEventAt ? `updated ${formatTimeAgo(lastEventAt, now)}` : "waiting for events"}
            </span>
          </div>
        }
      />
      <div className="grid grid-cols-2 gap-4 lg:grid-cols-3 2xl:grid-cols-6">
        <MetricCard
          label="Workers"
          value={
            <span>
              {formatCount(stats?.online)}
              <span className="text-base text-fg-3"> / {formatCount(stats?.totalWorkers)}</span>
            </span>
          }
          sub="online / total"
          icon={<IconServer size={16} />}
          variant="success"
          loading={loading}
        />
        <MetricCard
          label="GPUs"
          value={
            <span>
              {formatCount(stats?.activeGpus)}
              <span className="text-base text-fg-3"> / {formatCount(stats?.totalGpus)}</span>
            </span>
          }
          sub="active / total"
          icon={<IconCpu size={16} />}
          variant="info"
          loading={loading}
        />
        <MetricCard
          label="Fleet hashrate"
          value={formatHashrate(stats?.totalHashrate)}
          delta={<StatDelta pct={change} suffix="vs 1 h ago" />}
          icon={<IconZap size={16} />}
          variant="accent"
          loading={loading}
        />
        <MetricCard
          label="Total blocks"
          value={formatCount(stats?.totalBlocks)}
          icon={<IconBlocks size={16} />}
          loading={loading}
        />
        <MetricCard
          label="Blocks last hour"
          value={formatCount(stats?.blocksLastHour)}
          icon={<IconBlocks size={16} />}
          variant="warning"
          loading={loading}
        />
        <MetricCard
          label="Offline workers"
          value={formatCount(stats?.offline)}
          icon={<IconWifiOff size={16} />}
          variant={stats && stats.offline > 0 ? "danger" : "default"}
          loading={loading}
        />
      </div>
      <FleetTable />
      <div className="grid grid-cols-1 gap-6 xl:grid-cols-2">
        <FleetChart />
        <LiveBlocks />
      </div>
      <HealthLog />
    </div>
  );
}
