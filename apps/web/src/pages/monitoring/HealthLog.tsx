/** Latest online/offline transitions: the fetched page plus those received live since. */
import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { useLive } from "../../app/context.js";
import { StatusBadge } from "../../components/badges.js";
import { Card, EmptyState, ErrorState, SkeletonRows } from "../../components/ui.js";
import { TimeAgo } from "../../components/values.js";
import { errorMessage } from "../../lib/errors.js";
import { formatDuration } from "../../lib/format.js";
import { useOpenDrawer } from "../../shell/GlobalDrawers.js";
import { useTRPC } from "../../trpc.js";

export function HealthLog() {
  const trpc = useTRPC();
  const health = useQuery(trpc.monitoring.health.queryOptions({ limit: 20 }));
  const liveHealth = useLive((s) => s.data.health);
  const openDrawer = useOpenDrawer();
  const items = useMemo(() => {
    const fetched = health.data?.items ?? [];
    const newest = fetched[0]?.at ?? 0;
    return [...liveHealth.filter((h) => h.at > newest), ...fetched].slice(0, 30);
  }, [health.data, liveHealth]);

  return (
    <Card title="Health log" bodyClassName="p-0">
      {health.isPending ? (
        <div className="p-4">
          <SkeletonRows rows={5} label="Loading health log" />
        </div>
      ) : health.isError ? (
        <ErrorState message={errorMessage(health.error)} onRetry={() => void health.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title="No transitions yet">Workers going offline or coming back appear here.</EmptyState>
      ) : (
        <ul className="max-h-80 overflow-auto" data-testid="health-log">
          {items.map((h) => (
            <li
              key={h.id}
              className="flex items-center gap-3 border-b border-line px-4 py-2 text-xs last:border-b-0"
            >
              <StatusBadge state={h.kind} />
              <button
                type="button"
                className="font-mono text-fg hover:text-accent"
                onClick={() => openDrawer("worker", h.workerId)}
              >
                {h.workerId}
              </button>
              <span className="min-w-0 flex-1 truncate text-fg-2">
                {h.reason ?? ""}
                {h.offlineForSec !== undefined &&
                  h.kind === "online" &&
                  ` after ${formatDuration(h.offlineForSec)} offline`}
              </span>
              <TimeAgo at={h.at} className="shrink-0 text-fg-3" />
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
