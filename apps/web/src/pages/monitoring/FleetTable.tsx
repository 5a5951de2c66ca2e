/**
 * The worker fleet (ui.md §2): status tabs, search, sortable columns and page sizes, all sent to
 * `monitoring.fleet` (the server filters, sorts and pages); rows patched live in place; a pill offers
 * to refresh the order when live values moved the sort key.
 */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useNavigate, useSearch } from "@tanstack/react-router";
import { useEffect, useMemo, useState } from "react";
import type { FleetWorker } from "../../api-types.js";
import { useLive } from "../../app/context.js";
import { StatusBadge } from "../../components/badges.js";
import { IconArrowDown, IconArrowUp, IconClose, IconRefresh, IconSearch } from "../../components/icons.js";
import { Pagination } from "../../components/Pagination.js";
import { Card, cx, EmptyState, ErrorState, Segmented, Skeleton } from "../../components/ui.js";
import { AddressText, HashrateText, TimeAgo } from "../../components/values.js";
import { shortAddress } from "../../lib/address.js";
import { errorMessage } from "../../lib/errors.js";
import { formatPercent, middleTruncate } from "../../lib/format.js";
import { patchRow } from "../../live/patch.js";
import type { MonitoringSearch } from "../../router.js";
import { useOpenDrawer } from "../../shell/GlobalDrawers.js";
import { useTRPC } from "../../trpc.js";
import { pendingOrderChanges } from "./fleet-order.js";

type SortKey = NonNullable<MonitoringSearch["sort"]>;

const COLUMNS: Array<{ key: SortKey; label: string; align?: "right" }> = [
  { key: "workerId", label: "Worker" },
  { key: "owner", label: "Owner" },
  { key: "gpus", label: "GPUs", align: "right" },
  { key: "hashrate", label: "Hashrate" },
  { key: "state", label: "State" },
  { key: "activeGpus", label: "Active GPUs", align: "right" },
  { key: "blocks", label: "Blocks", align: "right" },
  { key: "uptime", label: "Uptime", align: "right" },
  { key: "lastSeen", label: "Last seen", align: "right" },
];

export function FleetTable() {
  const trpc = useTRPC();
  const search = useSearch({ from: "/monitoring" });
  const navigate = useNavigate({ from: "/monitoring" });
  const openDrawer = useOpenDrawer();
  const status = search.status ?? "all";
  const sortBy = search.sort ?? "hashrate";
  const sortDir = search.dir ?? "desc";
  const page = search.page ?? 1;
  const limit = search.limit ?? 20;
  const [text, setText] = useState(search.q ?? "");

  const update = (patch: Partial<MonitoringSearch>, resetPage = true) =>
    void navigate({
      search: (prev) => ({ ...prev, ...(resetPage && { page: undefined }), ...patch }),
      replace: true,
    });

  // Debounced search box → URL → query.
  useEffect(() => {
    const q = text.trim();
    if (q === (search.q ?? "")) return;
    const t = setTimeout(() => update({ q: q === "" ? undefined : q }), 300);
    return () => clearTimeout(t);
  }, [text]);

  const input = {
    page,
    limit,
    status,
    sortBy,
    sortDir,
    ...(search.owner && { owner: search.owner }),
    ...(search.q && { search: search.q }),
  };
  const fleet = useQuery({ ...trpc.monitoring.fleet.queryOptions(input), placeholderData: keepPreviousData });
  const patches = useLive((s) => s.data.workers);
  const rows = useMemo(
    () => (fleet.data?.items ?? []).map((w) => patchRow(w, patches[w.workerId])),
    [fleet.data, patches],
  );
  const maxHashrate = Math.max(1, ...rows.map((r) => r.hashrate));
  const pending = useMemo(
    () => pendingOrderChanges(fleet.data?.items ?? [], patches, sortBy, sortDir),
    [fleet.data, patches, sortBy, sortDir],
  );

  const sortOn = (key: SortKey) =>
    update({ sort: key, dir: key === sortBy ? (sortDir === "desc" ? "asc" : "desc") : "desc" });

  return (
    <Card
      title="Worker fleet"
      actions={
        <>
          <Segmented
            label="Status"
            value={status}
            onChange={(v) => update({ status: v === "all" ? undefined : v })}
            options={[
              { value: "all", label: "All" },
              { value: "online", label: "Online" },
              { value: "offline", label: "Offline" },
            ]}
          />
          <div className="relative">
            <IconSearch
              size={14}
              className="pointer-events-none absolute top-1/2 left-2.5 -translate-y-1/2 text-fg-3"
            />
            <input
              type="search"
              value={text}
              onChange={(e) => setText(e.target.value)}
              aria-label="Search the fleet by worker id, owner address or GPU"
              placeholder="Search id, owner, GPU"
              maxLength={64}
              className="h-8 w-56 rounded-md border border-line bg-surface-2 pr-2 pl-8 text-xs text-fg placeholder:text-fg-3 focus:border-accent focus:outline-none"
            />
          </div>
        </>
      }
      bodyClassName="p-0"
    >
      {(search.owner || pending > 0) && (
        <div className="flex flex-wrap items-center gap-2 border-b border-line px-4 py-2">
          {search.owner && (
            <span className="inline-flex items-center gap-1.5 rounded-full bg-accent-muted py-0.5 pr-1 pl-2.5 text-xs text-accent">
              Owner {shortAddress(search.owner)}
              <button
                type="button"
                aria-label="Clear owner filter"
                onClick={() => update({ owner: undefined })}
                className="inline-flex h-5 w-5 items-center justify-center rounded-full hover:bg-accent-glow"
              >
                <IconClose size={12} />
              </button>
            </span>
          )}
          {pending > 0 && (
            <button
              type="button"
              onClick={() => void fleet.refetch()}
              data-testid="refresh-order"
              className="ml-auto inline-flex items-center gap-1.5 rounded-full border border-accent/40 bg-accent-muted px-3 py-0.5 text-xs font-medium text-accent hover:bg-accent-glow"
            >
              <IconRefresh size={12} />
              {pending} {pending === 1 ? "update" : "updates"} — refresh order
            </button>
          )}
        </div>
      )}
      {fleet.isPending ? (
        <div role="status" aria-label="Loading fleet" className="flex flex-col gap-3 p-4">
          {Array.from({ length: 6 }, (_, i) => (
            <Skeleton key={i} className="h-6 w-full" />
          ))}
        </div>
      ) : fleet.isError ? (
        <ErrorState message={errorMessage(fleet.error)} onRetry={() => void fleet.refetch()} />
      ) : rows.length === 0 ? (
        <EmptyState title="No workers match">
          {search.q || search.owner || status !== "all"
            ? "Try another status, search or owner."
            : "No worker has connected yet. Workers appear here as soon as they register."}
        </EmptyState>
      ) : (
        <div className={cx("max-h-[800px] overflow-auto", fleet.isPlaceholderData && "opacity-60")}>
          <table
            className="w-full min-w-[960px] text-xs"
            data-testid="fleet-table"
            aria-busy={fleet.isFetching}
          >
            <thead className="sticky top-0 z-10 bg-surface-1">
              <tr className="border-b border-line text-2xs text-fg-3">
                {COLUMNS.map((c) => {
                  const active = c.key === sortBy;
                  return (
                    <th
                      key={c.key}
                      scope="col"
                      aria-sort={active ? (sortDir === "asc" ? "ascending" : "descending") : "none"}
                      className={cx(
                        "px-3 py-2 font-medium first:pl-4 last:pr-4",
                        c.align === "right" ? "text-right" : "text-left",
                      )}
                    >
                      <button
                        type="button"
                        onClick={() => sortOn(c.key)}
                        className={cx(
                          "inline-flex items-center gap-1 rounded-sm hover:text-fg",
                          active && "text-accent",
                        )}
                        data-testid={`sort-${c.key}`}
                      >
                        {c.label}
                        {active &&
                          (sortDir === "asc" ? <IconArrowUp size={11} /> : <IconArrowDown size={11} />)}
                      </button>
                    </th>
                  );
                })}
              </tr>
            </thead>
            <tbody>
              {rows.map((w) => (
                <FleetRow
                  key={w.workerId}
                  w={w}
                  max={maxHashrate}
                  onOpen={() => openDrawer("worker", w.workerId)}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {fleet.data && fleet.data.total > 0 && (
        <div className="border-t border-line px-4 py-2.5">
          <Pagination
            page={fleet.data.page}
            totalPages={fleet.data.totalPages}
            total={fleet.data.total}
            limit={limit}
            onPage={(p) => update({ page: p > 1 ? p : undefined }, false)}
            onLimit={(l) => update({ limit: l === 20 ? undefined : (l as 50 | 100) })}
          />
        </div>
      )}
    </Card>
  );
}

function FleetRow({ w, max, onOpen }: { w: FleetWorker; max: number; onOpen: () => void }) {
  return (
    <tr
      tabIndex={0}
      onClick={onOpen}
      onKeyDown={(e) => {
        if (e.key === "Enter" || e.key === " ") {
          e.preventDefault();
          onOpen();
        }
      }}
      aria-label={`Worker ${w.workerId}`}
      data-testid="fleet-row"
      data-worker={w.workerId}
      className="cursor-pointer border-b border-line last:border-b-0 hover:bg-hover focus:bg-hover focus:outline-none"
    >
      <td className="px-3 py-2 pl-4 font-mono text-fg" title={w.workerId}>
        {middleTruncate(w.workerId, 10, 4)}
      </td>
      <td className="px-3 py-2">
        <AddressText address={w.owner} copy={false} className="text-fg-2" />
      </td>
      <td className="px-3 py-2 text-right tabular" title={w.gpuSummary ?? undefined}>
        {w.gpuCount}
      </td>
      <td className="px-3 py-2">
        <div className="flex items-center gap-2">
          <div className="h-1.5 w-20 overflow-hidden rounded-full bg-surface-3" aria-hidden="true">
            <div
              className="h-full rounded-full bg-accent"
              style={{ width: `${Math.min(100, (w.hashrate / max) * 100)}%` }}
            />
          </div>
          <HashrateText value={w.hashrate} className="font-mono" />
        </div>
      </td>
      <td className="px-3 py-2">
        <StatusBadge state={w.state} online={w.online} />
      </td>
      <td className="px-3 py-2 text-right tabular">
        {w.activeGpus} / {w.gpuCount}
      </td>
      <td className="px-3 py-2 text-right tabular" title={`${w.leaseBlocks} lease, ${w.selfBlocks} self`}>
        {w.leaseBlocks + w.selfBlocks}
      </td>
      <td className="px-3 py-2 text-right tabular">{formatPercent(w.uptimePct)}</td>
      <td className="px-3 py-2 pr-4 text-right">
        <TimeAgo at={w.lastSeenAt} className="text-fg-2" />
      </td>
    </tr>
  );
}
