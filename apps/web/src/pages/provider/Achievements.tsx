/**
 * Achievements (`wallet.achievements`): milestones read off the server's totals (blocks, leases served,
 * earnings, mining days, peak hashrate), each with its progress, plus the facts behind them.
 */
import { parseMoney } from "@xenblocks/core";
import { IconCheck } from "../../components/icons.js";
import { Card, cx, ErrorState, SkeletonRows } from "../../components/ui.js";
import { TimeAgo } from "../../components/values.js";
import { errorMessage } from "../../lib/errors.js";
import { formatCount, formatHashrate } from "../../lib/format.js";
import type { Achievements as Totals } from "./types.js";

interface Milestone {
  id: string;
  title: string;
  /** How far, 0..1. */
  progress: number;
  detail: string;
}

function xnmUnits(amount: string): bigint {
  try {
    return parseMoney(amount);
  } catch {
    return 0n;
  }
}

function step(title: string, id: string, value: number, goal: number, unit: string): Milestone {
  return {
    id,
    title,
    progress: Math.min(1, goal > 0 ? value / goal : 0),
    detail: `${formatCount(Math.min(value, goal))} / ${formatCount(goal)} ${unit}`,
  };
}

/** The milestones of the totals (pure; tested). */
export function milestones(t: Totals): Milestone[] {
  const earnedUnits = xnmUnits(t.totalEarnings);
  const earnedWhole = Number(earnedUnits / 1_000_000n);
  return [
    step("First block", "block-1", t.totalBlocks, 1, "block"),
    step("100 blocks", "block-100", t.totalBlocks, 100, "blocks"),
    step("First lease served", "lease-1", t.leasesServed, 1, "lease"),
    step("10 leases served", "lease-10", t.leasesServed, 10, "leases"),
    {
      id: "earned-1",
      title: "First XNM earned",
      progress: earnedUnits >= 1_000_000n ? 1 : Number(earnedUnits) / 1_000_000,
      detail: `${earnedUnits >= 1_000_000n ? "1" : (Number(earnedUnits) / 1_000_000).toFixed(2)} / 1 XNM`,
    },
    step("1,000 XNM earned", "earned-1000", earnedWhole, 1_000, "XNM"),
    {
      id: "days-30",
      title: "30 mining days",
      progress: Math.min(1, t.miningDays / 30),
      detail: `${Math.min(t.miningDays, 30).toFixed(1)} / 30 days`,
    },
    {
      id: "mh",
      title: "1 MH/s peak",
      progress: Math.min(1, t.peakHashrate / 1_000_000),
      detail: `${formatHashrate(Math.min(t.peakHashrate, 1_000_000))} / 1 MH/s`,
    },
  ];
}

export function AchievementsPanel({
  data,
  isPending,
  error,
  onRetry,
}: {
  data: Totals | undefined;
  isPending: boolean;
  error: unknown;
  onRetry: () => void;
}) {
  return (
    <Card title="Achievements" className="flex flex-col">
      {isPending ? (
        <SkeletonRows rows={8} label="Loading achievements" />
      ) : error || !data ? (
        <ErrorState message={errorMessage(error)} onRetry={onRetry} />
      ) : (
        <div className="flex flex-col gap-4">
          <ul className="grid grid-cols-1 gap-2 sm:grid-cols-2 xl:grid-cols-1" data-testid="achievements">
            {milestones(data).map((m) => {
              const done = m.progress >= 1;
              return (
                <li
                  key={m.id}
                  className={cx(
                    "flex flex-col gap-1.5 rounded-md border px-3 py-2",
                    done ? "border-success/40 bg-success-muted" : "border-line bg-surface-2",
                  )}
                  aria-label={`${m.title}: ${done ? "achieved" : m.detail}`}
                >
                  <div className="flex items-center justify-between gap-2 text-xs">
                    <span className={cx("font-medium", done ? "text-success" : "text-fg")}>{m.title}</span>
                    {done ? (
                      <IconCheck size={14} className="text-success" />
                    ) : (
                      <span className="text-2xs text-fg-3 tabular">{m.detail}</span>
                    )}
                  </div>
                  {!done && (
                    <div className="h-1 overflow-hidden rounded-full bg-surface-3" aria-hidden="true">
                      <div
                        className="h-full rounded-full bg-accent"
                        style={{ width: `${m.progress * 100}%` }}
                      />
                    </div>
                  )}
                </li>
              );
            })}
          </ul>
          <dl className="grid grid-cols-2 gap-x-4 gap-y-1.5 border-t border-line pt-3 text-xs">
            <dt className="text-fg-3">Leases served</dt>
            <dd className="text-right tabular">{formatCount(data.leasesServed)}</dd>
            <dt className="text-fg-3">First worker</dt>
            <dd className="text-right">
              <TimeAgo at={data.firstSeen} />
            </dd>
          </dl>
        </div>
      )}
    </Card>
  );
}
