/**
 * The worker drawer (ui.md §2 Monitoring): identity, owner, GPUs, config, price, reputation, history; its
 * owner and admins also get the control buttons (the Provider page's dialogs).
 */
import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { formatMoney, parseMoney, pricePerHour } from "@xenblocks/core";
import { type ReactNode, useMemo } from "react";
import { useLive, useSession } from "../../app/context.js";
import { BlockTypeBadge, StatusBadge } from "../../components/badges.js";
import { DetailList, DrawerSection } from "../../components/DetailList.js";
import { toSeries } from "../../components/series.js";
import { TimeSeriesChart } from "../../components/TimeSeriesChart.js";
import { EmptyState, ErrorState, SkeletonRows } from "../../components/ui.js";
import {
  AddressText,
  DurationText,
  HashrateText,
  HashText,
  TimeAgo,
  XnmAmount,
} from "../../components/values.js";
import { errorMessage } from "../../lib/errors.js";
import { formatHashrate, formatPercent } from "../../lib/format.js";
import { patchRow } from "../../live/patch.js";
import { useTRPC } from "../../trpc.js";
import { ControlButtons } from "../provider/ControlDialog.js";

function perHour(pricePerSec: string): string | null {
  try {
    return formatMoney(pricePerHour(parseMoney(pricePerSec)));
  } catch {
    return null;
  }
}

export default function WorkerDrawer({ workerId }: { workerId: string }) {
  const trpc = useTRPC();
  const detail = useQuery(trpc.monitoring.worker.queryOptions({ workerId }));
  const history = useQuery(trpc.monitoring.hashrateHistory.queryOptions({ workerId, range: "24h" }));
  const health = useQuery(trpc.monitoring.health.queryOptions({ workerId, limit: 10 }));
  const patch = useLive((s) => s.data.workers[workerId]);
  const session = useSession();
  const liveBlocks = useLive((s) => s.data.blocks);
  const blocks = useMemo(() => liveBlocks.filter((b) => b.workerId === workerId), [liveBlocks, workerId]);
  const series = useMemo(() => {
    if (!history.data) return [];
    const now = Date.now();
    return toSeries(
      history.data.points.map((p) => ({ ts: p.ts, value: p.hashrate })),
      { bucketSec: history.data.bucketSec, fromMs: now - 86_400_000, toMs: now },
    );
  }, [history.data]);

  if (detail.isPending) return <SkeletonRows rows={10} label="Loading worker" />;
  if (detail.isError) {
    return (
      <ErrorState
        title={`Worker ${workerId} could not be shown`}
        message={errorMessage(detail.error)}
        onRetry={() => void detail.refetch()}
      />
    );
  }
  const w = patchRow(detail.data, patch);
  const hourly = perHour(w.pricePerSec);
  const r = w.reputation;
  const me = session?.me;
  const canControl = me !== undefined && (me.isAdmin || me.address.toLowerCase() === w.owner.toLowerCase());

  return (
    <div data-testid="worker-drawer">
      <DrawerSection title="Identity">
        <DetailList
          rows={[
            ["Worker", <HashText key="id" value={w.workerId} head={16} tail={8} />],
            ["State", <StatusBadge key="s" state={w.state} online={w.online} />],
            ["Hashrate", <HashrateText key="h" value={w.hashrate} />],
            ["Active GPUs", `${w.activeGpus} / ${w.gpuCount}`],
            ["Last seen", <TimeAgo key="t" at={w.lastSeenAt} />],
            ["Registered", <TimeAgo key="r" at={w.registeredAt} />],
            ["Version", w.version || "—"],
            ["Uptime", formatPercent(w.uptimePct)],
            ["Listed", w.listed ? "Yes" : "No"],
            ...(w.banned ? ([["Banned", "Yes"]] as Array<[string, string]>) : []),
            ...(w.currentLeaseId
              ? ([["Current lease", <HashText key="l" value={w.currentLeaseId} />]] as Array<
                  [string, ReactNode]
                >)
              : []),
          ]}
        />
      </DrawerSection>
      {canControl && (
        <DrawerSection
          title={me?.address.toLowerCase() === w.owner.toLowerCase() ? "Control" : "Control (admin)"}
        >
          <ControlButtons
            target={{
              workerId: w.workerId,
              state: w.state,
              online: w.online,
              leaseId: w.currentLeaseId ?? null,
              config: w.config,
            }}
          />
        </DrawerSection>
      )}
      <DrawerSection title="Owner">
        <div className="flex items-center gap-3">
          <AddressText address={w.owner} />
          <Link to="/monitoring" search={{ owner: w.owner }} className="text-xs text-accent hover:underline">
            Fleet of this owner
          </Link>
        </div>
      </DrawerSection>
      <DrawerSection title={`GPUs (${w.gpuCount})`}>
        {w.gpus.length === 0 ? (
          <p className="text-xs text-fg-2">The worker reported no GPUs.</p>
        ) : (
          <ul className="flex flex-col gap-1 text-xs">
            {w.gpus.map((g) => (
              <li
                key={`${g.index}-${g.busId}`}
                className="flex justify-between gap-3 rounded-md bg-surface-2 px-3 py-1.5"
              >
                <span>
                  #{g.index} {g.name}
                </span>
                <span className="text-fg-2 tabular">{g.memoryGb} GB</span>
              </li>
            ))}
          </ul>
        )}
      </DrawerSection>
      <DrawerSection title="Current config">
        <DetailList
          rows={[
            ["Payout address", w.config.address ? <AddressText key="a" address={w.config.address} /> : "—"],
            ["Prefix", w.config.prefix ? <span className="font-mono">{w.config.prefix}</span> : "—"],
            [
              "Block pattern",
              w.config.blockPattern ? <span className="font-mono">{w.config.blockPattern}</span> : "—",
            ],
            ["Difficulty", w.config.difficulty ?? "—"],
          ]}
        />
      </DrawerSection>
      <DrawerSection title="Price and bounds">
        <DetailList
          rows={[
            ["Price per hour", hourly ? <XnmAmount key="p" value={hourly} /> : "—"],
            ["Price per second", <XnmAmount key="ps" value={w.pricePerSec} />],
            [
              "Duration",
              <span key="d">
                <DurationText seconds={w.minDurationSec} /> – <DurationText seconds={w.maxDurationSec} />
              </span>,
            ],
          ]}
        />
      </DrawerSection>
      <DrawerSection title="Reputation">
        <div className="mb-2 text-sm">
          <span className="font-semibold text-warning">{"★".repeat(Math.round(r.stars))}</span>
          <span className="text-fg-3">{"★".repeat(5 - Math.round(r.stars))}</span>
          <span className="ml-2 tabular">
            {r.stars.toFixed(1)} · score {r.score.toFixed(2)}
          </span>
        </div>
        <DetailList
          rows={[
            [
              "Blocks",
              `${r.blocks.score.toFixed(1)} (${r.blocks.verifiedLeaseBlocks} verified lease blocks, weight ${r.blocks.weight})`,
            ],
            [
              "Completion",
              `${r.completion.score.toFixed(1)} (${r.completion.completed} completed, ${r.completion.failed} failed, weight ${r.completion.weight})`,
            ],
            [
              "Uptime",
              `${r.uptime.score.toFixed(1)} (${formatPercent(r.uptime.pct)}, weight ${r.uptime.weight})`,
            ],
            [
              "Age",
              `${r.age.score.toFixed(1)} (${r.age.days} of ${r.age.maxDays} days, weight ${r.age.weight})`,
            ],
          ]}
        />
      </DrawerSection>
      <DrawerSection title="Hashrate, 24 h">
        {history.isPending ? (
          <SkeletonRows rows={3} label="Loading hashrate history" />
        ) : history.isError ? (
          <ErrorState message={errorMessage(history.error)} onRetry={() => void history.refetch()} />
        ) : history.data.points.length === 0 ? (
          <EmptyState title="No hashrate recorded in the last 24 h" />
        ) : (
          <TimeSeriesChart
            data={series}
            label={`Hashrate of worker ${workerId}, last 24 hours`}
            format={formatHashrate}
            height={180}
          />
        )}
      </DrawerSection>
      <DrawerSection title="Recent blocks (live feed)">
        {blocks.length === 0 ? (
          <p className="text-xs text-fg-2">None of the 20 newest blocks came from this worker.</p>
        ) : (
          <ul className="flex flex-col gap-1 text-xs">
            {blocks.map((b) => (
              <li
                key={b.id}
                className="flex items-center justify-between gap-2 rounded-md bg-surface-2 px-3 py-1.5"
              >
                <BlockTypeBadge type={b.blockType} />
                <StatusBadge state={b.status} />
                <span className="text-fg-2">{b.leaseId ? "lease" : "self"}</span>
                <TimeAgo at={b.receivedAt} className="text-fg-3" />
              </li>
            ))}
          </ul>
        )}
      </DrawerSection>
      <DrawerSection title="Health history">
        {health.isPending ? (
          <SkeletonRows rows={3} label="Loading health history" />
        ) : health.isError ? (
          <ErrorState message={errorMessage(health.error)} onRetry={() => void health.refetch()} />
        ) : health.data.items.length === 0 ? (
          <p className="text-xs text-fg-2">No online/offline transitions recorded.</p>
        ) : (
          <ul className="flex flex-col gap-1 text-xs">
            {health.data.items.map((h) => (
              <li
                key={h.id}
                className="flex items-center justify-between gap-2 rounded-md bg-surface-2 px-3 py-1.5"
              >
                <StatusBadge state={h.kind} />
                <span className="min-w-0 flex-1 truncate text-fg-2">{h.reason ?? ""}</span>
                <TimeAgo at={h.at} className="text-fg-3" />
              </li>
            ))}
          </ul>
        )}
      </DrawerSection>
    </div>
  );
}
