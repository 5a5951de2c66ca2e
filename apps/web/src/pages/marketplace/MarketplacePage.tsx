/**
 * Marketplace `/marketplace` (ui.md §2): filters and sort in the URL, all applied by the server
 * (`marketplace.list`, 18 per page), grid or list (remembered), listing cards with live hashrate and
 * state, the Rent dialog, Auto-match, and My rentals (signed in).
 */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useNavigate, useSearch } from "@tanstack/react-router";
import { useMemo, useState } from "react";
import { useLive, useSession } from "../../app/context.js";
import { Select } from "../../components/form.js";
import { IconMarket, IconZap } from "../../components/icons.js";
import { Pagination } from "../../components/Pagination.js";
import {
  Button,
  Card,
  cx,
  EmptyState,
  ErrorState,
  PageHeader,
  Segmented,
  Skeleton,
  Tooltip,
} from "../../components/ui.js";
import { errorMessage } from "../../lib/errors.js";
import { patchRow } from "../../live/patch.js";
import { useOpenDrawer } from "../../shell/GlobalDrawers.js";
import { useTRPC } from "../../trpc.js";
import { FilterBar } from "./FilterBar.js";
import { ListingCard, ListingTable } from "./ListingCard.js";
import { MyRentals } from "./MyRentals.js";
import type { Listing } from "./parts.js";
import { RentDialog, type RentTarget } from "./RentDialog.js";
import {
  listInput,
  MARKET_PAGE_SIZE,
  MARKET_SORTS,
  type MarketplaceSearch,
  type MarketSort,
  perHourToPerSec,
  SORT_LABELS,
} from "./search.js";

const VIEW_KEY = "xenblocks.marketplace.view";
type View = "grid" | "list";

function useView(): [View, (v: View) => void] {
  const [view, setView] = useState<View>(() => {
    try {
      return window.localStorage.getItem(VIEW_KEY) === "list" ? "list" : "grid";
    } catch {
      return "grid";
    }
  });
  return [
    view,
    (v) => {
      setView(v);
      try {
        window.localStorage.setItem(VIEW_KEY, v);
      } catch {
        // Storage blocked: the choice lasts for this visit.
      }
    },
  ];
}

export function MarketplacePage() {
  const trpc = useTRPC();
  const session = useSession();
  const me = session?.me.address ?? null;
  const search = useSearch({ from: "/marketplace" });
  const navigate = useNavigate({ from: "/marketplace" });
  const openDrawer = useOpenDrawer();
  const [view, setView] = useView();
  const [target, setTarget] = useState<RentTarget | null>(null);
  const [recent, setRecent] = useState<string[]>([]);

  const update = (patch: Partial<MarketplaceSearch>, resetPage = true) =>
    void navigate({
      search: (prev) => ({ ...prev, ...(resetPage && { page: undefined }), ...patch }),
      replace: true,
    });

  const list = useQuery({
    ...trpc.marketplace.list.queryOptions(listInput(search)),
    placeholderData: keepPreviousData,
  });
  const patches = useLive((s) => s.data.workers);
  const listings = useMemo(
    () => (list.data?.items ?? []).map((l) => patchRow(l, patches[l.workerId])),
    [list.data, patches],
  );
  const gpuModels = list.data?.facets.gpuModels ?? [];

  const autoMatch = (): RentTarget => {
    const maxPricePerSec = search.maxPrice ? perHourToPerSec(search.maxPrice) : null;
    const ignored = [
      search.minGpus !== undefined && "minimum GPUs",
      search.minMem !== undefined && "minimum memory",
      search.q !== undefined && "the search text",
    ].filter((x): x is string => typeof x === "string");
    return {
      kind: "auto",
      filters: {
        ...(search.gpu !== undefined && { gpu: search.gpu }),
        ...(search.minHash !== undefined && { minHashrate: search.minHash }),
        ...(maxPricePerSec !== null && { maxPricePerSec }),
      },
      ignored,
    };
  };

  const rent = (l: Listing) => setTarget({ kind: "worker", listing: l });

  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title="Marketplace"
        description="Rent hashpower by the second. Unused time is refunded."
        actions={
          me === null ? (
            <Tooltip content="Connect your wallet to rent">
              <span className="inline-flex">
                <Button variant="primary" disabled>
                  <IconZap size={16} /> Auto-match
                </Button>
              </span>
            </Tooltip>
          ) : (
            <Button variant="primary" onClick={() => setTarget(autoMatch())} data-testid="auto-match">
              <IconZap size={16} /> Auto-match
            </Button>
          )
        }
      />
      <FilterBar search={search} update={update} gpuModels={gpuModels} />
      <div className={cx("grid grid-cols-1 gap-6", me !== null && "xl:grid-cols-[minmax(0,1fr)_320px]")}>
        {me !== null && (
          <div className="xl:order-2">
            <MyRentals recent={recent} onDismiss={(id) => setRecent((r) => r.filter((x) => x !== id))} />
          </div>
        )}
        <Card
          className="min-w-0 xl:order-1"
          title={
            <span>
              Listings
              {list.data && (
                <span className="ml-2 font-normal text-fg-3 tabular" data-testid="listing-total">
                  {list.data.total} {list.data.total === 1 ? "worker" : "workers"}
                </span>
              )}
            </span>
          }
          actions={
            <>
              <Select<MarketSort>
                aria-label="Sort"
                value={search.sort ?? "value"}
                onChange={(v) => update({ sort: v === "value" ? undefined : v })}
                options={MARKET_SORTS.map((s) => ({ value: s, label: SORT_LABELS[s] }))}
                className="h-8 w-40 text-xs"
              />
              <Segmented<View>
                label="View"
                value={view}
                onChange={setView}
                options={[
                  { value: "grid", label: "Grid" },
                  { value: "list", label: "List" },
                ]}
              />
            </>
          }
          bodyClassName={view === "list" && listings.length > 0 ? "p-0" : "p-4"}
        >
          {list.isPending ? (
            <div
              role="status"
              aria-label="Loading listings"
              className="grid grid-cols-[repeat(auto-fill,minmax(280px,1fr))] gap-4"
            >
              {Array.from({ length: 6 }, (_, i) => (
                <Skeleton key={i} className="h-52 w-full rounded-lg" />
              ))}
            </div>
          ) : list.isError ? (
            <ErrorState
              title="Listings could not be loaded"
              message={errorMessage(list.error)}
              onRetry={() => void list.refetch()}
            />
          ) : listings.length === 0 ? (
            <EmptyState title="No worker matches" icon={<IconMarket size={28} />}>
              {search.avail !== false
                ? "No available worker fits these filters right now. Widen them, or switch off “Available only” to see leased and offline workers."
                : "No listed worker fits these filters. Try wider ones."}
            </EmptyState>
          ) : view === "grid" ? (
            <div
              className={cx(
                "grid grid-cols-[repeat(auto-fill,minmax(280px,1fr))] gap-4",
                list.isPlaceholderData && "opacity-60",
              )}
              data-testid="listing-grid"
              aria-busy={list.isFetching}
            >
              {listings.map((l) => (
                <ListingCard
                  key={l.workerId}
                  listing={l}
                  me={me}
                  onRent={rent}
                  onOpen={(id) => openDrawer("worker", id)}
                />
              ))}
            </div>
          ) : (
            <ListingTable
              listings={listings}
              me={me}
              onRent={rent}
              onOpen={(id) => openDrawer("worker", id)}
              dim={list.isPlaceholderData}
            />
          )}
          {list.data && list.data.total > MARKET_PAGE_SIZE && (
            <div className={cx("pt-4", view === "list" && "border-t border-line px-4 pb-3")}>
              <Pagination
                page={list.data.page}
                totalPages={list.data.totalPages}
                total={list.data.total}
                limit={MARKET_PAGE_SIZE}
                onPage={(p) => update({ page: p > 1 ? p : undefined }, false)}
              />
            </div>
          )}
        </Card>
      </div>
      {target && (
        <RentDialog
          target={target}
          defaultDurationSec={search.dur}
          onClose={() => setTarget(null)}
          onRented={(lease) => setRecent((r) => [lease.leaseId, ...r.filter((x) => x !== lease.leaseId)])}
        />
      )}
    </div>
  );
}
