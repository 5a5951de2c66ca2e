/** The platform's status for admins (`admin.status`), with the ledger checks: balances sum to zero and the escrow account equals what open leases hold. */
import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Badge } from "../../../components/badges.js";
import { IconRefresh } from "../../../components/icons.js";
import { Button, cx, ErrorState, Skeleton } from "../../../components/ui.js";
import { XnmAmount } from "../../../components/values.js";
import { errorMessage } from "../../../lib/errors.js";
import { formatCount, formatDuration } from "../../../lib/format.js";
import { useTRPC } from "../../../trpc.js";
import { moneyUnits } from "../lib.js";

function Tile({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div className="rounded-md border border-line bg-surface-2 px-3 py-2">
      <div className="text-2xs text-fg-3">{label}</div>
      <div className="mt-0.5 text-sm text-fg tabular" data-testid={testId}>
        {children}
      </div>
    </div>
  );
}

export function AdminStatus() {
  const trpc = useTRPC();
  const status = useQuery(trpc.admin.status.queryOptions());
  if (status.isPending) {
    return (
      <div
        role="status"
        aria-label="Loading the platform status"
        className="grid grid-cols-2 gap-3 p-4 md:grid-cols-4"
      >
        {Array.from({ length: 8 }, (_, i) => (
          <Skeleton key={i} className="h-12 w-full" />
        ))}
      </div>
    );
  }
  if (status.isError) {
    return <ErrorState message={errorMessage(status.error)} onRetry={() => void status.refetch()} />;
  }
  const s = status.data;
  const balanced = moneyUnits(s.ledger.sum) === 0n;
  const escrowMatches = moneyUnits(s.ledger.escrow) === moneyUnits(s.ledger.openLeaseEscrow);
  const healthy = balanced && escrowMatches;
  return (
    <section aria-label="Platform status" className="flex flex-col gap-3 p-4">
      <div
        role="status"
        data-testid="ledger-check"
        data-ok={healthy}
        className={cx(
          "flex flex-wrap items-center justify-between gap-2 rounded-md border px-3 py-2 text-xs",
          healthy
            ? "border-success/30 bg-success-muted text-success"
            : "border-danger/40 bg-danger-muted text-danger",
        )}
      >
        <span className="font-medium">
          {healthy
            ? "Ledger balanced: all balances sum to 0 and escrow matches the open leases"
            : !balanced
              ? "Ledger out of balance: the balances do not sum to 0"
              : "Escrow mismatch: the escrow account differs from what open leases hold"}
        </span>
        <span className="inline-flex items-center gap-3 text-fg-2">
          <span>
            sum <XnmAmount value={s.ledger.sum} className={balanced ? "text-success" : "text-danger"} />
          </span>
          <Button
            size="sm"
            variant="ghost"
            onClick={() => void status.refetch()}
            disabled={status.isFetching}
            aria-label="Refresh the status"
          >
            <IconRefresh size={12} /> {status.isFetching ? "Checking…" : "Check again"}
          </Button>
        </span>
      </div>
      <div className="grid grid-cols-2 gap-3 md:grid-cols-4 2xl:grid-cols-6">
        <Tile label="Version">
          <span className="font-mono text-xs">{s.version}</span>
        </Tile>
        <Tile label="Uptime">{formatDuration(s.uptimeSec)}</Tile>
        <Tile label="MQTT clients">{formatCount(s.mqttClients)}</Tile>
        <Tile label="Workers online / total" testId="status-workers">
          {formatCount(s.workers.online)} / {formatCount(s.workers.total)}
        </Tile>
        <Tile label="Banned / suspect" testId="status-banned">
          {formatCount(s.workers.banned)} / {formatCount(s.workers.suspect)}
        </Tile>
        <Tile label="Leases pending / active">
          {formatCount(s.leases.pending)} / {formatCount(s.leases.active)}
        </Tile>
        <Tile label="Blocks (awaiting chain)">
          {formatCount(s.blocks.total)}{" "}
          <span className="text-fg-3">({formatCount(s.blocks.pendingChain)})</span>
        </Tile>
        <Tile label="Escrow account">
          <XnmAmount value={s.ledger.escrow} decimals={2} />
        </Tile>
        <Tile label="Open lease escrow">
          <XnmAmount value={s.ledger.openLeaseEscrow} decimals={2} />
        </Tile>
        <Tile label="Treasury (fees)">
          <XnmAmount value={s.ledger.treasury} decimals={2} />
        </Tile>
        <Tile label="Chain">
          <span className="flex flex-wrap items-center gap-x-2 gap-y-1">
            <span className="font-mono text-xs">{s.chain.adapter}</span>
            <Badge tone={s.chain.reachable ? "success" : "danger"}>
              {s.chain.reachable ? "reachable" : "unreachable"}
            </Badge>
          </span>
        </Tile>
      </div>
    </section>
  );
}
