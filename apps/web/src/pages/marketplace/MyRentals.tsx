/**
 * My rentals (ui.md §2 Marketplace): the signed-in renter's pending and active leases with remaining
 * time. Live: every `live.leases` event invalidates the rental queries (app/services.ts), so a pending
 * lease turns active — or cancelled with its refund — without a reload. Leases rented from this page
 * stay listed with their final state until dismissed.
 */
import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import type { Outputs } from "../../api-types.js";
import { StatusBadge } from "../../components/badges.js";
import { IconClose } from "../../components/icons.js";
import { useNow } from "../../components/now.js";
import { Card, ErrorState, SkeletonRows } from "../../components/ui.js";
import { XnmAmount } from "../../components/values.js";
import { errorMessage } from "../../lib/errors.js";
import { formatDuration, middleTruncate } from "../../lib/format.js";
import { useOpenDrawer } from "../../shell/GlobalDrawers.js";
import { useTRPC } from "../../trpc.js";
import { ProgressBar } from "./parts.js";

type Lease = Outputs["rental"]["lease"];

/** Seconds a pending lease waits for its worker before it is cancelled and refunded (assign timeout). */
export const ASSIGN_TIMEOUT_SEC = 30;

export function LeaseLine({ lease, onDismiss }: { lease: Lease; onDismiss?: () => void }) {
  const now = useNow();
  const openDrawer = useOpenDrawer();
  const total = lease.durationSec * 1000;
  const elapsed = lease.confirmedAt ? now - lease.confirmedAt : 0;
  const remainingSec = lease.expiresAt ? Math.max(0, Math.ceil((lease.expiresAt - now) / 1000)) : null;
  const waitedSec = Math.max(0, Math.floor((now - lease.createdAt) / 1000));
  return (
    <li
      className="flex flex-col gap-2 rounded-md border border-line bg-surface-2 p-3"
      data-testid="my-rental"
      data-lease={lease.leaseId}
      data-state={lease.state}
    >
      <div className="flex items-center justify-between gap-2">
        <button
          type="button"
          onClick={() => openDrawer("lease", lease.leaseId)}
          className="min-w-0 truncate text-left font-mono text-xs text-fg hover:text-accent"
          title={`Open lease ${lease.leaseId}`}
        >
          {middleTruncate(lease.workerId, 10, 4)}
        </button>
        <div className="flex shrink-0 items-center gap-1">
          <StatusBadge state={lease.state} />
          {onDismiss && (
            <button
              type="button"
              onClick={onDismiss}
              aria-label="Dismiss"
              className="inline-flex h-5 w-5 items-center justify-center rounded-sm text-fg-3 hover:bg-hover hover:text-fg"
            >
              <IconClose size={12} />
            </button>
          )}
        </div>
      </div>
      {lease.state === "pending" && (
        <p className="text-xs text-accent" data-testid="waiting-for-worker">
          Waiting for worker (≤ {ASSIGN_TIMEOUT_SEC} s)
          <span className="ml-1 text-fg-3 tabular">· {waitedSec} s</span>
        </p>
      )}
      {lease.state === "active" && (
        <>
          <ProgressBar pct={(elapsed / total) * 100} label={`Lease progress of ${lease.workerId}`} />
          <div className="flex justify-between text-2xs text-fg-2">
            <span className="tabular">{formatDuration(remainingSec)} left</span>
            <span className="tabular">
              {lease.blocksAccepted} {lease.blocksAccepted === 1 ? "block" : "blocks"}
            </span>
          </div>
        </>
      )}
      {lease.state !== "pending" && lease.state !== "active" && (
        <p className="text-2xs text-fg-2">
          {lease.reason ? `${lease.reason}. ` : ""}
          {lease.refund !== undefined && (
            <>
              Refunded <XnmAmount value={lease.refund} className="text-fg" />
            </>
          )}
        </p>
      )}
    </li>
  );
}

function RecentLease({ leaseId, onDismiss }: { leaseId: string; onDismiss: () => void }) {
  const trpc = useTRPC();
  const lease = useQuery(trpc.rental.lease.queryOptions({ leaseId }));
  if (!lease.data) return null;
  return <LeaseLine lease={lease.data} onDismiss={onDismiss} />;
}

export function MyRentals({ recent, onDismiss }: { recent: string[]; onDismiss: (leaseId: string) => void }) {
  const trpc = useTRPC();
  const pending = useQuery(trpc.rental.leases.queryOptions({ as: "renter", state: "pending", limit: 20 }));
  const active = useQuery(trpc.rental.leases.queryOptions({ as: "renter", state: "active", limit: 20 }));
  const open = [...(pending.data?.items ?? []), ...(active.data?.items ?? [])];
  const openIds = new Set(open.map((l) => l.leaseId));
  const ended = recent.filter((id) => !openIds.has(id));
  const error = pending.error ?? active.error;

  return (
    <Card
      title="My rentals"
      actions={
        <Link to="/renter" className="text-xs font-medium text-accent hover:underline">
          All leases
        </Link>
      }
      className="h-fit"
    >
      <div data-testid="my-rentals">
        {error ? (
          <ErrorState
            message={errorMessage(error)}
            onRetry={() => {
              void pending.refetch();
              void active.refetch();
            }}
          />
        ) : pending.isPending || active.isPending ? (
          <SkeletonRows rows={3} label="Loading your rentals" />
        ) : open.length === 0 && ended.length === 0 ? (
          <p className="text-xs text-fg-2">
            No running rentals. A worker you rent shows here while it runs, with the time left.
          </p>
        ) : (
          <ul className="flex flex-col gap-2">
            {open.map((l) => (
              <LeaseLine key={l.leaseId} lease={l} />
            ))}
            {ended.map((id) => (
              <RecentLease key={id} leaseId={id} onDismiss={() => onDismiss(id)} />
            ))}
          </ul>
        )}
      </div>
    </Card>
  );
}
