/**
 * My workers (ui.md §2 Provider): tabs All / Online / Offline / Listed / Unlisted / Leased sent to
 * `provider.workers` (the server filters and pages), grid or list, rows patched live. Per worker: state,
 * hashrate, GPUs, reputation, current lease, the inline price editor, List / Unlist, Control.
 */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { useLive } from "../../app/context.js";
import { StatusBadge } from "../../components/badges.js";
import { Pagination } from "../../components/Pagination.js";
import { Button, Card, cx, EmptyState, ErrorState, Segmented, Skeleton } from "../../components/ui.js";
import { DurationText, HashrateText, HashText, XnmAmount } from "../../components/values.js";
import { errorMessage } from "../../lib/errors.js";
import { formatPercent, middleTruncate } from "../../lib/format.js";
import { patchRow } from "../../live/patch.js";
import { useOpenDrawer } from "../../shell/GlobalDrawers.js";
import { useTRPC } from "../../trpc.js";
import { ControlMenu, type ControlTarget } from "./ControlDialog.js";
import { ListedSwitch } from "./ListedSwitch.js";
import { PriceEditor } from "./PriceEditor.js";
import { perHourFromPerSec } from "./pricing.js";
import { ReputationStars } from "./Reputation.js";
import type { ProviderWorker, WorkersFilter } from "./types.js";

const TABS: ReadonlyArray<{ value: WorkersFilter; label: string }> = [
  { value: "all", label: "All" },
  { value: "online", label: "Online" },
  { value: "offline", label: "Offline" },
  { value: "listed", label: "Listed" },
  { value: "unlisted", label: "Unlisted" },
  { value: "leased", label: "Leased" },
];

const VIEW_KEY = "xenblocks.provider.view";
type View = "grid" | "list";

function readView(): View {
  try {
    return window.localStorage.getItem(VIEW_KEY) === "list" ? "list" : "grid";
  } catch {
    return "grid";
  }
}

/** The worker's open lease: the live status event's id, else the provider's open leases. */
function useOpenLeases(): Map<string, string> {
  const trpc = useTRPC();
  const active = useQuery(trpc.rental.leases.queryOptions({ as: "provider", state: "active", limit: 100 }));
  const pending = useQuery(trpc.rental.leases.queryOptions({ as: "provider", state: "pending", limit: 100 }));
  return useMemo(() => {
    const out = new Map<string, string>();
    for (const l of [...(pending.data?.items ?? []), ...(active.data?.items ?? [])])
      out.set(l.workerId, l.leaseId);
    return out;
  }, [active.data, pending.data]);
}

type Row = ProviderWorker & { leaseId: string | null };

export function MyWorkers() {
  const trpc = useTRPC();
  const [filter, setFilter] = useState<WorkersFilter>("all");
  const [page, setPage] = useState(1);
  const [view, setView] = useState<View>(readView);
  const limit = view === "grid" ? 12 : 20;
  const workers = useQuery({
    ...trpc.provider.workers.queryOptions({ page, limit, filter, sortBy: "workerId", sortDir: "asc" }),
    placeholderData: keepPreviousData,
  });
  const patches = useLive((s) => s.data.workers);
  const leases = useOpenLeases();
  const rows: Row[] = useMemo(
    () =>
      (workers.data?.items ?? []).map((w) => {
        const patched = patchRow(w, patches[w.workerId]);
        const state = (patched.state ?? "").toUpperCase();
        const live = patches[w.workerId]?.leaseId;
        const leaseId =
          leases.get(w.workerId) ?? ((state === "LEASED" || state === "MINING" ? live : null) || null);
        return { ...patched, leaseId };
      }),
    [workers.data, patches, leases],
  );

  const changeView = (v: View) => {
    setView(v);
    setPage(1);
    try {
      window.localStorage.setItem(VIEW_KEY, v);
    } catch {
      // Not remembered; fine.
    }
  };

  return (
    <Card
      title="My workers"
      id="my-workers"
      bodyClassName="p-0"
      actions={
        <>
          <Segmented
            label="Worker filter"
            options={TABS}
            value={filter}
            onChange={(v) => {
              setFilter(v);
              setPage(1);
            }}
          />
          <Segmented
            label="View"
            options={[
              { value: "grid", label: "Grid" },
              { value: "list", label: "List" },
            ]}
            value={view}
            onChange={changeView}
          />
        </>
      }
    >
      {workers.isPending ? (
        <div
          role="status"
          aria-label="Loading workers"
          className="grid grid-cols-1 gap-4 p-4 md:grid-cols-2 xl:grid-cols-3"
        >
          {[0, 1, 2].map((i) => (
            <Skeleton key={i} className="h-56 w-full rounded-lg" />
          ))}
        </div>
      ) : workers.isError ? (
        <ErrorState message={errorMessage(workers.error)} onRetry={() => void workers.refetch()} />
      ) : rows.length === 0 ? (
        <EmptyState title="No workers here">
          {filter === "all"
            ? "None of your workers has registered yet."
            : `None of your workers is ${filter} now.`}
        </EmptyState>
      ) : view === "grid" ? (
        <div
          className={cx(
            "grid grid-cols-1 gap-4 p-4 md:grid-cols-2 xl:grid-cols-3",
            workers.isPlaceholderData && "opacity-60",
          )}
          data-testid="my-workers-grid"
        >
          {rows.map((w) => (
            <WorkerCard key={w.workerId} w={w} />
          ))}
        </div>
      ) : (
        <WorkerTable rows={rows} dimmed={workers.isPlaceholderData} />
      )}
      {workers.data && workers.data.total > limit && (
        <div className="border-t border-line px-4 py-2.5">
          <Pagination
            page={workers.data.page}
            totalPages={workers.data.totalPages}
            total={workers.data.total}
            limit={limit}
            onPage={setPage}
          />
        </div>
      )}
    </Card>
  );
}

function targetOf(w: Row): ControlTarget {
  return { workerId: w.workerId, state: w.state, online: w.online, leaseId: w.leaseId, config: w.config };
}

function PriceText({ w }: { w: Row }) {
  const hourly = perHourFromPerSec(w.pricePerSec);
  return (
    <span className="inline-flex flex-col">
      <span data-testid="price-per-hour">
        <XnmAmount value={hourly} decimals={2} className="text-fg" />
        <span className="text-fg-3">/h</span>
      </span>
      <span className="font-mono text-2xs text-fg-3 tabular">{w.pricePerSec} XNM/s</span>
    </span>
  );
}

function LeaseLink({ leaseId }: { leaseId: string | null }) {
  const openDrawer = useOpenDrawer();
  if (!leaseId) return <span className="text-fg-3">none</span>;
  return (
    <button
      type="button"
      onClick={() => openDrawer("lease", leaseId)}
      className="font-mono text-xs text-accent hover:underline"
      title={`Open lease ${leaseId}`}
    >
      {middleTruncate(leaseId, 10, 4)}
    </button>
  );
}

function WorkerCard({ w }: { w: Row }) {
  const openDrawer = useOpenDrawer();
  const [editing, setEditing] = useState(false);
  const leased = w.leaseId !== null;
  return (
    <article
      aria-label={`Worker ${w.workerId}`}
      data-testid="my-worker"
      data-worker={w.workerId}
      className="flex flex-col gap-3 rounded-lg border border-line bg-surface-2/40 p-4"
    >
      <header className="flex items-start justify-between gap-2">
        <div className="min-w-0">
          <button
            type="button"
            onClick={() => openDrawer("worker", w.workerId)}
            className="block max-w-full truncate font-mono text-sm font-medium text-fg hover:text-accent"
            title={`Open worker ${w.workerId}`}
          >
            {middleTruncate(w.workerId, 14, 6)}
          </button>
          <div className="mt-1 flex flex-wrap items-center gap-2" data-testid="worker-state">
            <StatusBadge state={w.state} online={w.online} />
            {!w.listed && <span className="text-2xs text-fg-3">unlisted</span>}
          </div>
        </div>
        <ControlMenu target={targetOf(w)} />
      </header>
      <dl className="grid grid-cols-2 gap-x-4 gap-y-2 text-xs">
        <div>
          <dt className="text-2xs text-fg-3">Hashrate</dt>
          <dd>
            <HashrateText value={w.online ? w.hashrate : null} className="font-mono text-sm text-fg" />
          </dd>
        </div>
        <div>
          <dt className="text-2xs text-fg-3">Reputation</dt>
          <dd>
            <ReputationStars stars={w.reputation.stars} score={w.reputation.score} />
          </dd>
        </div>
        <div className="col-span-2">
          <dt className="text-2xs text-fg-3">GPUs</dt>
          <dd className="truncate" title={w.gpus.map((g) => `${g.name} (${g.memoryGb} GB)`).join(", ")}>
            <span className="text-fg">{w.gpuSummary ?? `${w.gpuCount} GPUs`}</span>{" "}
            <span className="text-fg-3 tabular">
              · {w.activeGpus}/{w.gpuCount} active · {w.totalMemoryGb} GB
            </span>
          </dd>
        </div>
        <div>
          <dt className="text-2xs text-fg-3">Uptime · blocks</dt>
          <dd className="tabular text-fg-2">
            {formatPercent(w.uptimePct)} · {w.leaseBlocks} lease / {w.selfBlocks} self
          </dd>
        </div>
        <div>
          <dt className="text-2xs text-fg-3">Current lease</dt>
          <dd data-testid="current-lease">
            <LeaseLink leaseId={w.leaseId} />
          </dd>
        </div>
      </dl>
      {editing ? (
        <PriceEditor worker={w} onDone={() => setEditing(false)} />
      ) : (
        <div className="flex items-end justify-between gap-2 rounded-md bg-surface-2 px-3 py-2 text-xs">
          <div className="flex flex-col gap-0.5">
            <span className="text-2xs text-fg-3">Price</span>
            <PriceText w={w} />
            <span className="text-2xs text-fg-3">
              <DurationText seconds={w.minDurationSec} /> – <DurationText seconds={w.maxDurationSec} />
            </span>
          </div>
          <Button size="sm" variant="secondary" onClick={() => setEditing(true)}>
            Edit price
          </Button>
        </div>
      )}
      <footer className="flex items-center justify-between gap-2 border-t border-line pt-3">
        <ListedSwitch workerId={w.workerId} listed={w.listed} pricePerSec={w.pricePerSec} leased={leased} />
        {w.online ? null : <span className="text-2xs text-fg-3">offline: controls wait for it</span>}
      </footer>
    </article>
  );
}

function WorkerTable({ rows, dimmed }: { rows: Row[]; dimmed: boolean }) {
  return (
    <div className={cx("overflow-x-auto", dimmed && "opacity-60")}>
      <table className="w-full min-w-[1000px] text-xs" data-testid="my-workers-table">
        <thead>
          <tr className="border-b border-line text-left text-2xs text-fg-3">
            {["Worker", "State", "Hashrate", "GPUs", "Reputation", "Lease", "Price", "Listed", ""].map(
              (h) => (
                <th key={h} scope="col" className="px-3 py-2 font-medium first:pl-4 last:pr-4">
                  {h}
                </th>
              ),
            )}
          </tr>
        </thead>
        <tbody>
          {rows.map((w) => (
            <WorkerRow key={w.workerId} w={w} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function WorkerRow({ w }: { w: Row }) {
  const openDrawer = useOpenDrawer();
  const [editing, setEditing] = useState(false);
  return (
    <>
      <tr
        className="border-b border-line last:border-b-0 hover:bg-hover/40"
        data-testid="my-worker"
        data-worker={w.workerId}
      >
        <td className="px-3 py-2 pl-4">
          <button
            type="button"
            onClick={() => openDrawer("worker", w.workerId)}
            className="font-mono text-fg hover:text-accent"
            title={`Open worker ${w.workerId}`}
          >
            {middleTruncate(w.workerId, 12, 4)}
          </button>
        </td>
        <td className="px-3 py-2" data-testid="worker-state">
          <StatusBadge state={w.state} online={w.online} />
        </td>
        <td className="px-3 py-2 font-mono">
          <HashrateText value={w.online ? w.hashrate : null} />
        </td>
        <td className="px-3 py-2" title={w.gpus.map((g) => `${g.name} (${g.memoryGb} GB)`).join(", ")}>
          <span className="tabular">{w.gpuCount}</span>{" "}
          <span className="text-fg-2">{w.gpuSummary ?? ""}</span>
        </td>
        <td className="px-3 py-2">
          <ReputationStars stars={w.reputation.stars} score={w.reputation.score} />
        </td>
        <td className="px-3 py-2" data-testid="current-lease">
          {w.leaseId ? (
            <HashText value={w.leaseId} head={8} tail={4} />
          ) : (
            <span className="text-fg-3">none</span>
          )}
        </td>
        <td className="px-3 py-2">
          <PriceText w={w} />
        </td>
        <td className="px-3 py-2">
          <ListedSwitch
            workerId={w.workerId}
            listed={w.listed}
            pricePerSec={w.pricePerSec}
            leased={w.leaseId !== null}
            compact
          />
        </td>
        <td className="px-3 py-2 pr-4">
          <div className="flex items-center justify-end gap-2">
            <Button size="sm" variant="ghost" onClick={() => setEditing(!editing)} aria-expanded={editing}>
              Edit price
            </Button>
            <ControlMenu target={targetOf(w)} />
          </div>
        </td>
      </tr>
      {editing && (
        <tr className="border-b border-line">
          <td colSpan={9} className="px-4 py-3">
            <div className="max-w-xl">
              <PriceEditor worker={w} onDone={() => setEditing(false)} />
            </div>
          </td>
        </tr>
      )}
    </>
  );
}
