/** Status and type badges with the colours of ui.md §3. */
import type { ReactNode } from "react";
import { cx } from "./ui.js";

type Tone = "success" | "accent" | "info" | "muted" | "danger" | "warning";

const TONE: Record<Tone, string> = {
  success: "bg-success-muted text-success",
  accent: "bg-accent-muted text-accent",
  info: "bg-info-muted text-info",
  muted: "bg-surface-3 text-fg-2",
  danger: "bg-danger-muted text-danger",
  warning: "bg-warning-muted text-warning",
};

const DOT: Record<Tone, string> = {
  success: "bg-success",
  accent: "bg-accent",
  info: "bg-info",
  muted: "bg-fg-3",
  danger: "bg-danger",
  warning: "bg-warning",
};

export function Badge({
  tone,
  children,
  pulse,
  className,
}: {
  tone: Tone;
  children: ReactNode;
  pulse?: boolean;
  className?: string;
}) {
  return (
    <span
      className={cx(
        "inline-flex h-5 items-center gap-1.5 whitespace-nowrap rounded-full px-2 text-2xs font-medium",
        TONE[tone],
        className,
      )}
    >
      <span
        className={cx("h-1.5 w-1.5 rounded-full", DOT[tone], pulse && "animate-pulse")}
        aria-hidden="true"
      />
      {children}
    </span>
  );
}

/** The tone of a worker state, lease state or block status. */
export function toneOf(state: string, online = true): Tone {
  if (!online) return "muted";
  switch (state.toLowerCase()) {
    case "available":
    case "completed":
    case "accepted":
    case "verified":
    case "online":
      return "success";
    case "mining":
    case "active":
    case "pending":
    case "self":
      return "accent";
    case "leased":
      return "info";
    case "error":
    case "interrupted":
    case "rejected":
    case "not_found":
    case "offline":
      return "danger";
    case "cancelled":
    case "paused":
      return "warning";
    default:
      return "muted";
  }
}

function label(text: string): string {
  const t = text.replace(/_/g, " ").toLowerCase();
  return t.charAt(0).toUpperCase() + t.slice(1);
}

/** A worker's state (offline workers read "Offline" in grey) or a lease/block state. */
export function StatusBadge({ state, online = true }: { state: string | null; online?: boolean }) {
  const tone = toneOf(state ?? "", online);
  const mining = online && state?.toUpperCase() === "MINING";
  return (
    <Badge tone={tone} pulse={mining}>
      {online ? label(state ?? "unknown") : "Offline"}
    </Badge>
  );
}

const BLOCK_TONE: Record<string, Tone> = { super: "warning", normal: "accent", xuni: "info", none: "muted" };

export function BlockTypeBadge({ type }: { type: string }) {
  return <Badge tone={BLOCK_TONE[type] ?? "muted"}>{label(type)}</Badge>;
}
