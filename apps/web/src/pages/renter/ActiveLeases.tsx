/**
 * Active (and pending) lease cards (ui.md §2 Renter): progress from confirmation to expiry, time left,
 * the worker's live hashrate, accepted blocks, and Stop — a confirmation with the estimated charge and
 * refund, then `rental.stop`, whose settlement (the server's exact amounts) the toast repeats.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { toast } from "sonner";
import type { Outputs } from "../../api-types.js";
import { useLive } from "../../app/context.js";
import { StatusBadge } from "../../components/badges.js";
import { DetailList } from "../../components/DetailList.js";
import { ConfirmDialog } from "../../components/Dialog.js";
import { useNow } from "../../components/now.js";
import { Button } from "../../components/ui.js";
import { AddressText, DurationText, HashrateText, XnmAmount } from "../../components/values.js";
import { formatDuration, formatXnm, middleTruncate } from "../../lib/format.js";
import { patchRow } from "../../live/patch.js";
import { useOpenDrawer } from "../../shell/GlobalDrawers.js";
import { useTRPC } from "../../trpc.js";
import { ASSIGN_TIMEOUT_SEC } from "../marketplace/MyRentals.js";
import { estimateStop } from "../marketplace/money.js";
import { ProgressBar } from "../marketplace/parts.js";

type Lease = Outputs["rental"]["leases"]["items"][number];

function StopDialog({ lease, onClose }: { lease: Lease; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const now = useNow();
  const estimate = estimateStop(lease, now);
  const stop = useMutation(
    trpc.rental.stop.mutationOptions({
      onSuccess: ({ lease: ended, settlement }) => {
        toast.success(`Lease ${ended.state === "cancelled" ? "cancelled" : "stopped"}`, {
          description: `Charged ${formatXnm(settlement.total)} for ${formatDuration(settlement.billedSec)}; refunded ${formatXnm(settlement.refund)}.`,
        });
        void queryClient.invalidateQueries({ queryKey: [["rental"]] });
        void queryClient.invalidateQueries({ queryKey: [["account"]] });
      },
    }),
  );
  return (
    <ConfirmDialog
      open
      title="Stop this lease?"
      tone="danger"
      confirmLabel="Stop lease"
      cancelLabel="Keep running"
      onCancel={onClose}
      onConfirm={() => stop.mutateAsync({ leaseId: lease.leaseId })}
      testId="stop-dialog"
    >
      <p>
        The worker stops mining for you now. You pay for the seconds used; the rest of the escrow comes back
        to your available balance.
      </p>
      {estimate && (
        <div className="rounded-md border border-line bg-surface-2 p-3" data-testid="stop-estimate">
          <DetailList
            rows={[
              ["Billed so far", <DurationText key="b" seconds={estimate.billedSec} />],
              ["Estimated charge", <XnmAmount key="c" value={estimate.charge} className="text-fg" />],
              ["Estimated refund", <XnmAmount key="r" value={estimate.refund} className="text-success" />],
              ["Escrow held", <XnmAmount key="e" value={lease.escrow} />],
            ]}
          />
          <p className="mt-2 text-2xs text-fg-3">
            Estimated at {formatDuration(estimate.billedSec)} billed; the server settles at the second it
            receives the stop.
          </p>
        </div>
      )}
    </ConfirmDialog>
  );
}

export function ActiveLeaseCard({ lease }: { lease: Lease }) {
  const now = useNow();
  const openDrawer = useOpenDrawer();
  const trpc = useTRPC();
  // The worker's current hashrate: its row once, then every heartbeat (live patches).
  const worker = useQuery(trpc.monitoring.worker.queryOptions({ workerId: lease.workerId }));
  const live = useLive((s) => s.data.workers[lease.workerId]);
  const [stopping, setStopping] = useState(false);
  const active = lease.state === "active";
  const pct =
    active && lease.confirmedAt && lease.expiresAt
      ? ((now - lease.confirmedAt) / (lease.expiresAt - lease.confirmedAt)) * 100
      : 0;
  const remaining = lease.expiresAt ? Math.max(0, Math.ceil((lease.expiresAt - now) / 1000)) : null;
  const hashrate = worker.data ? patchRow(worker.data, live).hashrate : live?.hashrate;

  return (
    <article
      aria-label={`Lease on ${lease.workerId}`}
      data-testid="active-lease"
      data-lease={lease.leaseId}
      data-state={lease.state}
      className="flex min-w-0 flex-col gap-3 rounded-lg border border-line bg-surface-1 p-4"
    >
      <div className="flex items-start justify-between gap-2">
        <div className="min-w-0">
          <button
            type="button"
            onClick={() => openDrawer("worker", lease.workerId)}
            className="truncate font-mono text-sm text-fg hover:text-accent"
            title={`Worker ${lease.workerId}`}
          >
            {middleTruncate(lease.workerId, 12, 4)}
          </button>
          <div>
            <button
              type="button"
              onClick={() => openDrawer("lease", lease.leaseId)}
              className="font-mono text-2xs text-fg-3 hover:text-accent"
              title={`Open lease ${lease.leaseId}`}
            >
              {middleTruncate(lease.leaseId, 12, 6)}
            </button>
          </div>
        </div>
        <StatusBadge state={lease.state} />
      </div>
      {active ? (
        <div className="flex flex-col gap-1.5">
          <ProgressBar pct={pct} label={`Progress of the lease on ${lease.workerId}`} />
          <div className="flex justify-between text-xs text-fg-2">
            <span className="tabular" data-testid="lease-remaining">
              {formatDuration(remaining)} left
            </span>
            <span className="tabular">of {formatDuration(lease.durationSec)}</span>
          </div>
        </div>
      ) : (
        <p className="text-xs text-accent" data-testid="waiting-for-worker">
          Waiting for worker (≤ {ASSIGN_TIMEOUT_SEC} s)
          <span className="ml-1 text-fg-3 tabular">
            · {Math.max(0, Math.floor((now - lease.createdAt) / 1000))} s
          </span>
        </p>
      )}
      <dl className="grid grid-cols-3 gap-2 border-t border-line pt-3 text-xs">
        <div>
          <dt className="text-2xs text-fg-3">Hashrate (live)</dt>
          <dd className="font-mono text-fg" data-testid="lease-hashrate">
            {hashrate !== undefined ? <HashrateText value={hashrate} /> : "—"}
          </dd>
        </div>
        <div>
          <dt className="text-2xs text-fg-3">Blocks accepted</dt>
          <dd className="font-mono text-fg tabular" data-testid="lease-blocks">
            {lease.blocksAccepted}
          </dd>
        </div>
        <div className="min-w-0">
          <dt className="text-2xs text-fg-3">Escrow</dt>
          <dd className="truncate">
            <XnmAmount value={lease.escrow} className="text-fg" />
          </dd>
        </div>
      </dl>
      <div className="flex items-center justify-between gap-2">
        <span className="min-w-0 text-2xs text-fg-3">
          Mining to <AddressText address={lease.consumerAddress} copy={false} className="text-fg-2" />
        </span>
        <Button variant="danger" size="sm" onClick={() => setStopping(true)} data-testid="stop-lease">
          Stop
        </Button>
      </div>
      {stopping && <StopDialog lease={lease} onClose={() => setStopping(false)} />}
    </article>
  );
}
