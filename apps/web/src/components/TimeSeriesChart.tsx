/**
 * The one chart wrapper (ui.md §5): lightweight-charts, area for hashrate and histogram for counts,
 * themed from the CSS tokens, local time on the axis, a tooltip on surface-2. An optional `secondary`
 * series (e.g. earnings bars under a hashrate area) shares the time axis and has its own scale on the
 * left; the tooltip then names both values.
 */
import {
  AreaSeries,
  type AutoscaleInfo,
  ColorType,
  createChart,
  HistogramSeries,
  type IChartApi,
  type ISeriesApi,
  LineStyle,
  type MouseEventParams,
  type Time,
  type UTCTimestamp,
} from "lightweight-charts";
import { useEffect, useRef, useState } from "react";
import { formatDateTime } from "../lib/format.js";
import type { ChartPoint } from "./series.js";

function token(name: string, fallback: string): string {
  if (typeof document === "undefined") return fallback;
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

/** Hashrates and counts are read against zero: the value axis always starts there. */
const fromZero = (original: () => AutoscaleInfo | null): AutoscaleInfo | null => {
  const info = original();
  if (!info?.priceRange) return info;
  return { ...info, priceRange: { minValue: 0, maxValue: Math.max(info.priceRange.maxValue, 1) } };
};

const pad = (n: number) => String(n).padStart(2, "0");

/** Whether a valued point sits between gaps: a line or area draws nothing for it without a marker. */
export function hasIsolatedPoint(data: readonly ChartPoint[]): boolean {
  return data.some(
    (p, i) => p.value !== undefined && data[i - 1]?.value === undefined && data[i + 1]?.value === undefined,
  );
}

function localTick(time: Time, rangeSec: number): string {
  const d = new Date((time as number) * 1000);
  if (rangeSec > 2 * 86_400) return `${pad(d.getDate())}.${pad(d.getMonth() + 1)}`;
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A second series on the same time axis, scaled on the left (ui.md §5: earnings bars per bucket). */
export interface SecondarySeries {
  data: ChartPoint[];
  kind?: "area" | "histogram";
  /** Its name in the tooltip ("Earnings"). */
  name: string;
  /** A value as text; `time` (seconds) lets a caller show the exact server value of that bucket. */
  format: (value: number, time: number) => string;
  color?: string;
}

type AnySeries = ISeriesApi<"Area"> | ISeriesApi<"Histogram">;

export function TimeSeriesChart({
  data,
  kind = "area",
  label,
  format,
  height = 220,
  color,
  name,
  secondary,
}: {
  data: ChartPoint[];
  kind?: "area" | "histogram";
  /** What the chart shows, for screen readers. */
  label: string;
  format: (value: number) => string;
  height?: number;
  color?: string;
  /** The primary series' name in the tooltip (shown only with a `secondary` series). */
  name?: string;
  /** Memoize it: a new object redraws the series. */
  secondary?: SecondarySeries;
}) {
  const box = useRef<HTMLDivElement>(null);
  const chartRef = useRef<IChartApi | null>(null);
  const primaryRef = useRef<AnySeries | null>(null);
  const secondaryRef = useRef<AnySeries | null>(null);
  const [tip, setTip] = useState<{
    x: number;
    y: number;
    time: number;
    value: number | undefined;
    value2: number | undefined;
  } | null>(null);
  const formatRef = useRef(format);
  formatRef.current = format;
  const rangeRef = useRef(0);

  const first = data[0]?.time ?? 0;
  const last = data[data.length - 1]?.time ?? 0;
  const rangeSec = last - first;
  rangeRef.current = rangeSec;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const axis = token("--color-chart-axis", "#5e6673");
    const grid = token("--color-chart-grid", "#1f2835");
    const chart = createChart(el, {
      autoSize: true,
      layout: {
        background: { type: ColorType.Solid, color: "transparent" },
        textColor: axis,
        fontSize: 11,
        fontFamily: token("--font-sans", "system-ui"),
      },
      grid: {
        vertLines: { color: grid, style: LineStyle.Dashed },
        horzLines: { color: grid, style: LineStyle.Dashed },
      },
      crosshair: {
        vertLine: { color: token("--color-chart-crosshair", "rgba(34,209,238,0.3)"), labelVisible: false },
        horzLine: { color: token("--color-chart-crosshair", "rgba(34,209,238,0.3)"), labelVisible: false },
      },
      rightPriceScale: { borderColor: grid },
      timeScale: {
        borderColor: grid,
        timeVisible: true,
        secondsVisible: false,
        fixLeftEdge: true,
        fixRightEdge: true,
        tickMarkFormatter: (t: Time) => localTick(t, rangeRef.current),
      },
      // Value labels come from each series' own `priceFormat` (two scales can show two units).
      localization: { timeFormatter: (t: Time) => formatDateTime((t as number) * 1000) },
      handleScroll: false,
      handleScale: false,
    });
    chartRef.current = chart;
    const onMove = (p: MouseEventParams) => {
      const pick = (s: AnySeries | null) =>
        s ? (p.seriesData.get(s) as { value?: number } | undefined)?.value : undefined;
      const value = pick(primaryRef.current);
      const value2 = pick(secondaryRef.current);
      if (!p.point || p.time === undefined || (value === undefined && value2 === undefined)) {
        setTip(null);
        return;
      }
      setTip({ x: p.point.x, y: p.point.y, time: p.time as number, value, value2 });
    };
    chart.subscribeCrosshairMove(onMove);
    return () => {
      chart.unsubscribeCrosshairMove(onMove);
      chart.remove();
      chartRef.current = null;
    };
  }, []);

  useEffect(() => {
    const chart = chartRef.current;
    if (!chart) return;
    const grid = token("--color-chart-grid", "#1f2835");
    const add = (
      which: "area" | "histogram",
      points: readonly ChartPoint[],
      stroke: string,
      extra: { priceScaleId?: string; priceFormat?: { type: "custom"; formatter: (v: number) => string } },
    ): AnySeries =>
      which === "area"
        ? chart.addSeries(AreaSeries, {
            lineColor: stroke,
            lineWidth: 2,
            topColor: token("--color-chart-area-top", "rgba(34,209,238,0.25)"),
            bottomColor: token("--color-chart-area-bottom", "rgba(34,209,238,0)"),
            priceLineVisible: false,
            lastValueVisible: false,
            crosshairMarkerRadius: 3,
            // A sample between two gaps would be invisible; it gets a dot instead.
            pointMarkersVisible: hasIsolatedPoint(points),
            pointMarkersRadius: 2,
            autoscaleInfoProvider: fromZero,
            ...extra,
          })
        : chart.addSeries(HistogramSeries, {
            color: stroke,
            priceLineVisible: false,
            lastValueVisible: false,
            autoscaleInfoProvider: fromZero,
            ...extra,
          });
    // The secondary series goes in first so the primary one draws over it.
    let second: AnySeries | null = null;
    if (secondary) {
      // Bars in the lower part, so the primary area stays readable above them.
      chart.applyOptions({
        leftPriceScale: { visible: true, borderColor: grid, scaleMargins: { top: 0.55, bottom: 0 } },
      });
      second = add(
        secondary.kind ?? "histogram",
        secondary.data,
        secondary.color ?? token("--color-chart-2", "#3b82f6"),
        {
          priceScaleId: "left",
          priceFormat: { type: "custom", formatter: (v: number) => secondary.format(v, Number.NaN) },
        },
      );
      second.setData(secondary.data.map((p) => ({ ...p, time: p.time as UTCTimestamp })));
    }
    const series = add(kind, data, color ?? token("--color-chart-1", "#22d1ee"), {
      priceFormat: { type: "custom", formatter: (v: number) => formatRef.current(v) },
    });
    series.setData(data.map((p) => ({ ...p, time: p.time as UTCTimestamp })));
    primaryRef.current = series;
    secondaryRef.current = second;
    chart.timeScale().fitContent();
    return () => {
      primaryRef.current = null;
      secondaryRef.current = null;
      // On unmount the chart itself is already gone (its effect is cleaned up first).
      if (chartRef.current === chart) {
        chart.removeSeries(series);
        if (second) {
          chart.removeSeries(second);
          chart.applyOptions({ leftPriceScale: { visible: false } });
        }
      }
    };
  }, [data, kind, color, secondary]);

  return (
    <div className="relative" style={{ height }}>
      <div ref={box} role="img" aria-label={label} className="absolute inset-0" />
      {tip && (
        <div
          className="pointer-events-none absolute z-10 rounded-md border border-line bg-surface-2 px-2 py-1 text-2xs shadow-lg"
          style={{
            left: Math.min(tip.x + 12, (box.current?.clientWidth ?? 0) - (secondary ? 210 : 150)),
            top: Math.max(0, tip.y - 40),
          }}
        >
          <div className="text-fg-2">{formatDateTime(tip.time * 1000)}</div>
          {secondary ? (
            <>
              <div className="flex justify-between gap-3">
                <span className="text-fg-2">{name ?? "Value"}</span>
                <span className="font-mono font-medium text-fg">
                  {tip.value === undefined ? "no data" : format(tip.value)}
                </span>
              </div>
              <div className="flex justify-between gap-3">
                <span className="text-fg-2">{secondary.name}</span>
                <span className="font-mono font-medium text-fg">
                  {tip.value2 === undefined ? "no data" : secondary.format(tip.value2, tip.time)}
                </span>
              </div>
            </>
          ) : (
            <div className="font-mono font-medium text-fg">
              {tip.value === undefined ? "" : format(tip.value)}
            </div>
          )}
        </div>
      )}
    </div>
  );
}
