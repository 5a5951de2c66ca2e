/**
 * Notifications (ui.md §1): the user's lease state changes (`live.leases`) and online/offline changes of
 * the user's workers (`health` events for the ids of `provider.workers`); unread badge; last 50.
 */
import { useQuery } from "@tanstack/react-query";
import { useEffect, useSyncExternalStore } from "react";
import { useServices, useSession } from "../app/context.js";
import { IconBell } from "../components/icons.js";
import { Popover } from "../components/Popover.js";
import { cx } from "../components/ui.js";
import { TimeAgo } from "../components/values.js";
import { middleTruncate } from "../lib/format.js";
import type { Notice } from "../live/notifications.js";
import { useTRPC } from "../trpc.js";

const LEASE_TONE: Record<string, Notice["tone"]> = {
  pending: "accent",
  active: "accent",
  completed: "success",
  interrupted: "danger",
  cancelled: "warning",
};

/** Feeds the bell from live batches while signed in. */
export function NotificationFeeder() {
  const { live, notifications } = useServices();
  const session = useSession();
  const trpc = useTRPC();
  const mine = useQuery({
    ...trpc.provider.workers.queryOptions({ page: 1, limit: 100, filter: "all" }),
    enabled: session !== null,
    select: (page) => new Set(page.items.map((w) => w.workerId)),
  });
  const myWorkers = mine.data;

  useEffect(() => {
    if (!session) {
      notifications.clear();
      return;
    }
    return live.onBatch(({ events, leases }) => {
      const notices: Array<Omit<Notice, "read">> = [];
      for (const e of leases) {
        const lease = e.lease;
        notices.push({
          id: `lease:${lease.leaseId}:${lease.state}`,
          at: e.at,
          title: `Lease ${lease.state}`,
          detail: `${middleTruncate(lease.leaseId, 12, 4)} on worker ${lease.workerId}${lease.reason ? ` — ${lease.reason}` : ""}`,
          tone: LEASE_TONE[lease.state] ?? "info",
        });
      }
      if (myWorkers && myWorkers.size > 0) {
        for (const { id, event } of events) {
          if (event.type !== "health" || !myWorkers.has(event.workerId)) continue;
          notices.push({
            id: `health:${id}`,
            at: event.at,
            title: `Worker ${event.kind === "online" ? "back online" : "offline"}`,
            detail: `${event.workerId}${event.reason ? ` — ${event.reason}` : ""}`,
            tone: event.kind === "online" ? "success" : "danger",
          });
        }
      }
      notifications.add(notices);
    });
  }, [live, notifications, session, myWorkers]);
  return null;
}

const DOT: Record<Notice["tone"], string> = {
  success: "bg-success",
  danger: "bg-danger",
  warning: "bg-warning",
  info: "bg-info",
  accent: "bg-accent",
};

export function NotificationBell() {
  const { notifications } = useServices();
  const session = useSession();
  const list = useSyncExternalStore(notifications.subscribe, notifications.getAll, notifications.getAll);
  const unread = list.filter((n) => !n.read).length;
  return (
    <Popover
      role="dialog"
      label={unread > 0 ? `Notifications, ${unread} unread` : "Notifications"}
      onOpenChange={(open) => !open && notifications.markAllRead()}
      panelClassName="w-80"
      button={
        <span className="relative inline-flex h-9 w-9 items-center justify-center rounded-md text-fg-2 hover:text-fg">
          <IconBell size={18} />
          {unread > 0 && (
            <span
              className="absolute top-1 right-1 inline-flex h-4 min-w-4 items-center justify-center rounded-full bg-danger px-1 text-2xs font-semibold text-fg"
              data-testid="notification-badge"
            >
              {unread > 9 ? "9+" : unread}
            </span>
          )}
        </span>
      }
    >
      {() => (
        <div>
          <div className="flex items-center justify-between border-b border-line px-3 py-2">
            <span className="text-sm font-semibold">Notifications</span>
            {list.length > 0 && (
              <button
                type="button"
                className="text-2xs text-fg-3 hover:text-fg"
                onClick={() => notifications.markAllRead()}
              >
                Mark all read
              </button>
            )}
          </div>
          {list.length === 0 ? (
            <p className="px-3 py-6 text-center text-xs text-fg-2">
              {session
                ? "Nothing yet. Changes of your leases and your workers' online state appear here."
                : "Connect your wallet to hear about your leases and workers."}
            </p>
          ) : (
            <ul className="max-h-96 overflow-y-auto py-1">
              {list.map((n) => (
                <li key={n.id} className="flex gap-3 rounded-md px-3 py-2 hover:bg-hover">
                  <span
                    className={cx("mt-1.5 h-2 w-2 shrink-0 rounded-full", DOT[n.tone])}
                    aria-hidden="true"
                  />
                  <div className="min-w-0 flex-1">
                    <div className={cx("text-xs", n.read ? "text-fg-2" : "font-medium text-fg")}>
                      {n.title}
                    </div>
                    <div className="truncate text-2xs text-fg-3" title={n.detail}>
                      {n.detail}
                    </div>
                  </div>
                  <TimeAgo at={n.at} className="shrink-0 text-2xs text-fg-3" />
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </Popover>
  );
}
