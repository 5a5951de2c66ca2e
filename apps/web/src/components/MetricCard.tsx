/** A headline figure (ui.md §4): label, value, optional delta, icon, a top glow by variant, skeleton. */
import type { ReactNode } from "react";
import { IconArrowDown, IconArrowUp } from "./icons.js";
import { cx, Skeleton } from "./ui.js";

type Variant = "default" | "accent" | "success" | "danger" | "info" | "warning";

const GLOW: Record<Variant, string> = {
  default: "before:bg-line",
  accent: "before:bg-accent",
  success: "before:bg-success",
  danger: "before:bg-danger",
  info: "before:bg-info",
  warning: "before:bg-warning",
};

export function MetricCard({
  label,
  value,
  sub,
  delta,
  icon,
  variant = "default",
  loading,
}: {
  label: string;
  value: ReactNode;
  sub?: ReactNode;
  delta?: ReactNode;
  icon?: ReactNode;
  variant?: Variant;
  loading?: boolean;
}) {
  return (
    <section
      aria-label={label}
      className={cx(
        "relative overflow-hidden rounded-lg border border-line bg-surface-1 p-4",
        "before:absolute before:inset-x-0 before:top-0 before:h-0.5 before:opacity-80",
        GLOW[variant],
      )}
    >
      <div className="flex items-center justify-between gap-2">
        <span className="text-xs font-medium text-fg-2">{label}</span>
        {icon && <span className="text-fg-3">{icon}</span>}
      </div>
      {loading ? (
        <Skeleton className="mt-3 h-7 w-28" label={`Loading ${label}`} />
      ) : (
        <div className="mt-2 font-mono text-2xl font-semibold tabular text-fg" data-testid="metric-value">
          {value}
        </div>
      )}
      {!loading && (sub || delta) && (
        <div className="mt-1 flex flex-wrap items-center gap-2 text-xs text-fg-2">
          {delta}
          {sub}
        </div>
      )}
    </section>
  );
}

/** A signed change in percent, green up and red down. */
export function StatDelta({ pct, suffix }: { pct: number | null; suffix?: string }) {
  if (pct === null) return <span className="text-fg-3">no change data{suffix ? ` ${suffix}` : ""}</span>;
  const up = pct >= 0;
  return (
    <span
      className={cx(
        "inline-flex items-center gap-0.5 font-medium tabular",
        up ? "text-success" : "text-danger",
      )}
    >
      {up ? <IconArrowUp size={12} /> : <IconArrowDown size={12} />}
      {Math.abs(pct).toFixed(1)} %{suffix && <span className="ml-1 font-normal text-fg-2">{suffix}</span>}
    </span>
  );
}
