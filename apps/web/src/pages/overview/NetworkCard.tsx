/** The network card: chain difficulty and blocks, fleet totals, the 24 h fleet hashrate (hourly). */
import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { toSeries, valuedPoints } from "../../components/series.js";
import { TimeSeriesChart } from "../../components/TimeSeriesChart.js";
import { Card, EmptyState, ErrorState, Skeleton } from "../../components/ui.js";
import { errorMessage } from "../../lib/errors.js";
import { formatCount, formatHashrate } from "../../lib/format.js";
import { useTRPC } from "../../trpc.js";

export function NetworkCard() {
  const trpc = useTRPC();
  const network = useQuery(trpc.overview.network.queryOptions());
  const series = useMemo(() => {
    if (!network.data) return [];
    const now = Date.now();
    return toSeries(
      network.data.fleetHashrate24h.map((p) => ({ ts: p.ts, value: p.hashrate })),
      { bucketSec: 3600, fromMs: now - 23 * 3_600_000, toMs: now },
    );
  }, [network.data]);

  return (
    <Card title="Network">
      {network.isPending ? (
        <div role="status" aria-label="Loading network" className="flex flex-col gap-3">
          <Skeleton className="h-16 w-full" />
          <Skeleton className="h-48 w-full" />
        </div>
      ) : network.isError ? (
        <ErrorState message={errorMessage(network.error)} onRetry={() => void network.refetch()} />
      ) : (
        <div className="flex flex-col gap-4">
          <dl className="grid grid-cols-2 gap-3">
            {(
              [
                ["Difficulty", network.data.difficulty === null ? "—" : String(network.data.difficulty)],
                ["Chain blocks", formatCount(network.data.chainBlocks)],
                ["Total workers", formatCount(network.data.totalWorkers)],
                ["Total blocks", formatCount(network.data.totalBlocks)],
              ] as const
            ).map(([label, value]) => (
              <div key={label} className="rounded-md bg-surface-2 px-3 py-2">
                <dt className="text-2xs text-fg-2">{label}</dt>
                <dd className="font-mono text-base font-semibold tabular" data-testid={`network-${label}`}>
                  {value}
                </dd>
              </div>
            ))}
          </dl>
          <div>
            <div className="mb-2 flex items-center justify-between text-xs">
              <span className="font-medium text-fg-2">Fleet hashrate, 24 h</span>
              <span className="text-fg-3">hourly</span>
            </div>
            {valuedPoints(series) === 0 ? (
              <EmptyState title="No hashrate recorded yet">The chart fills in as workers report.</EmptyState>
            ) : (
              <TimeSeriesChart
                data={series}
                label="Fleet hashrate over the last 24 hours, hourly"
                format={formatHashrate}
                height={200}
              />
            )}
          </div>
          {network.data.chainAdapter === "none" && (
            <p className="text-2xs text-fg-3">
              No chain is connected: difficulty and chain blocks are unknown.
            </p>
          )}
        </div>
      )}
    </Card>
  );
}
