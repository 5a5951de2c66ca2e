/**
 * Small pieces of the Marketplace and Renter pages (ui.md §4): `GpuBadge`, `ReputationStars`,
 * `ProgressBar`, `ListingStateBadge`, `PriceText` and the reason a listing cannot be rented.
 */
import type { Outputs } from "../../api-types.js";
import { Badge } from "../../components/badges.js";
import { cx, Tooltip } from "../../components/ui.js";
import { XnmAmount } from "../../components/values.js";
import { formatXnm } from "../../lib/format.js";

export type Listing = Outputs["marketplace"]["list"]["items"][number];

/** GPU summary + total memory ("2× RTX 4090 · 48 GB"). */
export function GpuBadge({ summary, memoryGb }: { summary: string | null; memoryGb: number }) {
  return (
    <span className="inline-flex h-6 max-w-full items-center gap-1.5 rounded-md border border-line bg-surface-2 px-2 text-xs text-fg">
      <span className="truncate font-medium" title={summary ?? undefined}>
        {summary ?? "No GPU reported"}
      </span>
      <span className="shrink-0 text-fg-3">·</span>
      <span className="shrink-0 text-fg-2 tabular">{memoryGb} GB</span>
    </span>
  );
}

/** Stars (0–5, rounded to halves for drawing) and the 0–100 score. */
export function ReputationStars({
  stars,
  score,
  className,
}: {
  stars: number;
  score: number;
  className?: string;
}) {
  const full = Math.round(stars);
  return (
    <Tooltip
      content={`Reputation ${score.toFixed(2)} / 100 (${stars.toFixed(1)} of 5 stars): lease blocks, completed leases, uptime and age`}
    >
      <span
        className={cx("inline-flex items-center gap-1.5 text-xs", className)}
        role="img"
        aria-label={`Reputation ${stars.toFixed(1)} of 5 stars, score ${score.toFixed(2)}`}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: the tooltip must be reachable by keyboard
        tabIndex={0}
      >
        <span aria-hidden="true" className="tracking-tight">
          <span className="text-warning">{"★".repeat(full)}</span>
          <span className="text-fg-3">{"★".repeat(Math.max(0, 5 - full))}</span>
        </span>
        <span aria-hidden="true" className="text-fg-2 tabular">
          {score.toFixed(1)}
        </span>
      </span>
    </Tooltip>
  );
}

/** A thin bar, 0–100 %. */
export function ProgressBar({
  pct,
  label,
  tone = "accent",
}: {
  pct: number;
  label: string;
  tone?: "accent" | "warning";
}) {
  const value = Math.max(0, Math.min(100, pct));
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(value)}
      className="h-1.5 w-full overflow-hidden rounded-full bg-surface-3"
    >
      <div
        className={cx(
          "h-full rounded-full transition-[width] duration-1000",
          tone === "accent" ? "bg-accent" : "bg-warning",
        )}
        style={{ width: `${value}%` }}
      />
    </div>
  );
}

/** Available / Leased / Offline (and Busy for a worker online but not taking leases right now). */
export function listingState(l: Pick<Listing, "online" | "available" | "state">) {
  if (!l.online) return { label: "Offline", tone: "muted" } as const;
  if (l.available) return { label: "Available", tone: "success" } as const;
  if (l.state === "LEASED") return { label: "Leased", tone: "info" } as const;
  return { label: "Busy", tone: "warning" } as const;
}

export function ListingStateBadge({ listing }: { listing: Pick<Listing, "online" | "available" | "state"> }) {
  const s = listingState(listing);
  return (
    <Badge tone={s.tone} className="shrink-0">
      {s.label}
    </Badge>
  );
}

/** Why the Rent button is disabled, or null when renting is possible. */
export function rentBlocker(
  l: Pick<Listing, "online" | "available" | "state" | "owner">,
  me: string | null,
): string | null {
  if (me !== null && l.owner.toLowerCase() === me.toLowerCase()) return "This is your own worker";
  if (!l.online) return "The worker is offline";
  if (!l.available) return l.state === "LEASED" ? "The worker is leased right now" : "Not taking leases now";
  return null;
}

/** A price per hour with the per-second price in a tooltip. */
export function PriceText({
  perHour,
  perSec,
  className,
}: {
  perHour: string;
  perSec: string;
  className?: string;
}) {
  return (
    <Tooltip content={`${formatXnm(perSec)} per second`}>
      <span
        // biome-ignore lint/a11y/noNoninteractiveTabindex: the tooltip must be reachable by keyboard
        tabIndex={0}
        className={cx("inline-flex items-baseline gap-1", className)}
      >
        <XnmAmount value={perHour} className="font-semibold text-fg" />
        <span className="text-2xs text-fg-3" aria-hidden="true">
          /h
        </span>
        <span className="sr-only">per hour</span>
      </span>
    </Tooltip>
  );
}
