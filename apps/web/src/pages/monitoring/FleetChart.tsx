/** Fleet hashrate over 1h / 6h / 24h / 7d / 30d in the server's buckets. */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { toSeries, valuedPoints } from "../../components/series.js";
import { TimeSeriesChart } from "../../components/TimeSeriesChart.js";
import { Card, EmptyState, ErrorState, Segmented, Skeleton } from "../../components/ui.js";
import { errorMessage } from "../../lib/errors.js";
import { formatHashrate } from "../../lib/format.js";
import { useTRPC } from "../../trpc.js";

const RANGES = [
  { value: "1h", label: "1h", ms: 3_600_000 },
  { value: "6h", label: "6h", ms: 6 * 3_600_000 },
  { value: "24h", label: "24h", ms: 86_400_000 },
  { value: "7d", label: "7d", ms: 7 * 86_400_000 },
  { value: "30d", label: "30d", ms: 30 * 86_400_000 },
] as const;
type Range = (typeof RANGES)[number]["value"];

export function FleetChart() {
  const trpc = useTRPC();
  const [range, setRange] = useState<Range>("1h");
  const history = useQuery({
    ...trpc.monitoring.hashrateHistory.queryOptions({ range }),
    placeholderData: keepPreviousData,
  });
  const series = useMemo(() => {
    if (!history.data) return [];
    const now = Date.now();
    const span = RANGES.find((r) => r.value === range)?.ms ?? 3_600_000;
    return toSeries(
      history.data.points.map((p) => ({ ts: p.ts, value: p.hashrate })),
      { bucketSec: history.data.bucketSec, fromMs: now - span + history.data.bucketSec * 1000, toMs: now },
    );
  }, [history.data, range]);

  return (
    <Card
      title="Fleet hashrate"
      actions={
        <Segmented
          label="Range"
          options={RANGES.map(({ value, label }) => ({ value, label }))}
          value={range}
          onChange={setRange}
        />
      }
    >
      {history.isPending ? (
        <Skeleton className="h-60 w-full" label="Loading fleet hashrate" />
      ) : history.isError ? (
        <ErrorState message={errorMessage(history.error)} onRetry={() => void history.refetch()} />
      ) : valuedPoints(series) === 0 ? (
        <EmptyState title="No hashrate in this range">Workers' heartbeats fill this chart.</EmptyState>
      ) : (
        <>
          <TimeSeriesChart
            data={series}
            label={`Fleet hashrate, last ${range}`}
            format={formatHashrate}
            height={240}
          />
          <p className="mt-2 text-2xs text-fg-3">
            Buckets of{" "}
            {history.data.bucketSec >= 3600
              ? `${history.data.bucketSec / 3600} h`
              : history.data.bucketSec >= 60
                ? `${history.data.bucketSec / 60} min`
                : `${history.data.bucketSec} s`}
            ; gaps are periods without data.
          </p>
        </>
      )}
    </Card>
  );
}
