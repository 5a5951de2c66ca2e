/**
 * The provider's history (`wallet.history`): average hashrate as an area and earnings per bucket as bars
 * on one chart, 24h / 7d / 30d / All in the server's buckets. The server sends every bucket of the period;
 * a bucket with no hashrate sample (no worker online, 0 H/s) is drawn as a gap, not as zero.
 */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { formatMoney, parseMoney } from "@xenblocks/core";
import { useMemo, useState } from "react";
import { type ChartPoint, toSeries, valuedPoints } from "../../components/series.js";
import { type SecondarySeries, TimeSeriesChart } from "../../components/TimeSeriesChart.js";
import { Card, EmptyState, ErrorState, Segmented, Skeleton } from "../../components/ui.js";
import { XnmAmount } from "../../components/values.js";
import { errorMessage } from "../../lib/errors.js";
import { formatCount, formatHashrate, formatXnm } from "../../lib/format.js";
import { useTRPC } from "../../trpc.js";
import type { HistoryPeriod, WalletHistory } from "./types.js";

const PERIODS: ReadonlyArray<{ value: HistoryPeriod; label: string }> = [
  { value: "24h", label: "24h" },
  { value: "7d", label: "7d" },
  { value: "30d", label: "30d" },
  { value: "all", label: "All" },
];

function bucketLabel(sec: number): string {
  if (sec >= 86_400) return `${sec / 86_400} d`;
  if (sec >= 3_600) return `${sec / 3_600} h`;
  return `${sec / 60} min`;
}

export interface HistorySeries {
  hashrate: ChartPoint[];
  earnings: ChartPoint[];
  /** The server's exact earnings string per bucket time (seconds). */
  exact: Map<number, string>;
  totalEarned: string;
  blocks: number;
}

/** The chart's two series from the server's buckets (pure; tested). */
export function historySeries(h: WalletHistory): HistorySeries {
  const first = h.points[0]?.ts;
  const last = h.points[h.points.length - 1]?.ts;
  const range = {
    bucketSec: h.bucketSec,
    ...(first !== undefined && { fromMs: first }),
    ...(last !== undefined && { toMs: last }),
  };
  const hashrate = toSeries(
    h.points.map((p) => ({
      ts: p.ts,
      value: p.onlineWorkers === 0 && p.avgHashrate === 0 ? null : p.avgHashrate,
    })),
    range,
  );
  // Bars are only drawn (a float is fine for a bar's height); the tooltip shows the exact string.
  const earnings = toSeries(
    h.points.map((p) => ({ ts: p.ts, value: Number(p.earnings) })),
    range,
  );
  const exact = new Map<number, string>();
  let total = 0n;
  let blocks = 0;
  for (const p of h.points) {
    exact.set(Math.floor(p.ts / 1000), p.earnings);
    try {
      total += parseMoney(p.earnings);
    } catch {
      // Not a decimal string: left out of the sum.
    }
    blocks += p.blocks;
  }
  return { hashrate, earnings, exact, totalEarned: formatMoney(total), blocks };
}

export function HistoryChart() {
  const trpc = useTRPC();
  const [period, setPeriod] = useState<HistoryPeriod>("24h");
  const history = useQuery({
    ...trpc.wallet.history.queryOptions({ period }),
    placeholderData: keepPreviousData,
  });
  const series = useMemo(() => (history.data ? historySeries(history.data) : null), [history.data]);
  const secondary = useMemo<SecondarySeries | undefined>(() => {
    if (!series) return undefined;
    return {
      data: series.earnings,
      kind: "histogram",
      name: "Earned",
      format: (value, time) => {
        const exact = Number.isNaN(time) ? undefined : series.exact.get(time);
        return exact !== undefined ? formatXnm(exact, { decimals: 6 }) : `${value.toFixed(2)} XNM`;
      },
    };
  }, [series]);
  const hasEarnings = series ? series.earnings.some((p) => (p.value ?? 0) > 0) : false;

  return (
    <Card
      title="History"
      actions={<Segmented label="Period" options={PERIODS} value={period} onChange={setPeriod} />}
    >
      {history.isPending ? (
        <Skeleton className="h-85 w-full" label="Loading history" />
      ) : history.isError ? (
        <ErrorState message={errorMessage(history.error)} onRetry={() => void history.refetch()} />
      ) : !series || (valuedPoints(series.hashrate) === 0 && !hasEarnings) ? (
        <EmptyState title="No history in this period">
          Hourly hashrate samples of your workers and your earnings fill this chart.
        </EmptyState>
      ) : (
        <>
          <TimeSeriesChart
            data={series.hashrate}
            label={`Your hashrate and earnings, ${period === "all" ? "all time" : `last ${period}`}`}
            name="Hashrate"
            format={formatHashrate}
            secondary={secondary}
            height={340}
          />
          <div className="mt-3 flex flex-wrap items-center justify-between gap-3 text-2xs text-fg-3">
            <span className="flex items-center gap-4">
              <span className="inline-flex items-center gap-1.5">
                <span className="h-0.5 w-3 rounded-full bg-chart-1" aria-hidden="true" />
                Avg hashrate (right axis)
              </span>
              <span className="inline-flex items-center gap-1.5">
                <span className="h-2 w-2 rounded-sm bg-chart-2" aria-hidden="true" />
                Earned per bucket (left axis)
              </span>
            </span>
            <span>
              In this period: <XnmAmount value={series.totalEarned} decimals={2} className="text-fg-2" /> ·{" "}
              <span className="text-fg-2 tabular">{formatCount(series.blocks)}</span> blocks · buckets of{" "}
              {bucketLabel(history.data.bucketSec)}; gaps are periods without data
            </span>
          </div>
        </>
      )}
    </Card>
  );
}
