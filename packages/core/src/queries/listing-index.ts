/**
 * The marketplace listing read model: the listed workers (and which of them have an open lease) held in
 * memory, with every listing sort order and each worker's distinct GPU models precomputed, so a page of
 * listings with its facets is a walk over arrays instead of two SQL queries per request.
 *
 * Answers are exactly what `storage.workers.page` + `storage.workers.gpuModelCounts` give (with
 * `listed: true`) over the same rows: the filter is `matchesWorkerPage`'s (run on columns), the orders follow
 * `compareWorkers` (nulls last in both directions, ties by worker id ascending), the facets count each
 * matching worker's distinct GPU names, count descending then name ascending. The `reputation` order
 * is the score of `computeReputation` at the snapshot's load time.
 *
 * Freshness:
 * - `markStale()` (the host calls it on registry, status, lease and health changes) makes the next call
 *   wait for a snapshot loaded after the mark, so a change shows on the next request (read your writes,
 *   as the server's view cache promised before). Marks that arrive while a load runs are coalesced into
 *   one more load; concurrent callers share it.
 * - Heartbeat figures (hashrate, uptime, block counters) are refreshed by age: a call on a snapshot older
 *   than `maxAgeMs` (default 10 s, a third of the 30 s heartbeat period) starts one load in the
 *   background and is answered from the previous snapshot meanwhile; such loads start at most every
 *   `refreshMs` (default 1 s, also the retry interval after a failed load). A full load of 10,000 workers
 *   on libSQL blocks the event loop for ~100 ms, so these loads are kept rare.
 * - One load at a time (single flight). No timers: loads happen only on calls, timed by the Clock port.
 * - A load reads the listed workers in slices of `sliceRows` (default 1,000) and yields to the event loop
 *   between slices (`yieldToLoop`, default `setImmediate`), so a reload of 10,000 workers is ten short
 *   stalls instead of one of 150–300 ms. A fleet that fits one slice is read in one query, as before. If
 *   the listed set changes between slices (the page totals differ, or the ids do not add up), the load
 *   reads everything again in one query, so a snapshot is always one consistent read.
 * - The sort orders are built on first use per snapshot (both directions of a sort at once), not all
 *   twelve at load time.
 *
 * The returned `WorkerRecord`s are the snapshot's own objects, shared by every caller: read-only.
 */
import type { Context } from "../context.js";
import { computeReputation } from "../market/reputation.js";
import { workerSortKey } from "../market/worker-page.js";
import type { LeaseRepo, WorkerPageQuery, WorkerRepo } from "../ports.js";
import type { WorkerRecord } from "../types.js";

export type ListingSort = "value" | "price" | "hashrate" | "gpus" | "memory" | "reputation";
const LISTING_SORTS: readonly ListingSort[] = ["value", "price", "hashrate", "gpus", "memory", "reputation"];

/** The filters of a listing query; `listed: true` is implied (the index holds listed workers only). */
export type ListingFilter = Omit<
  WorkerPageQuery,
  "page" | "limit" | "sortBy" | "sortDir" | "listed" | "leased"
>;

export interface ListingQuery extends ListingFilter {
  page: number;
  limit: number;
  sortBy: ListingSort;
  sortDir: "asc" | "desc";
}

export interface GpuModelCount {
  model: string;
  count: number;
}

export interface ListingPage {
  /** The page's workers, in order. Shared snapshot objects: never mutate them. */
  items: readonly WorkerRecord[];
  total: number;
  /** GPU models among every worker the filters match (sort and paging ignored). */
  gpuModels: GpuModelCount[];
  /** Whether a worker of the snapshot has an open (pending or active) lease. */
  hasOpenLease(workerId: string): boolean;
  /** Clock time the snapshot was loaded at (its reputation order is computed for this time). */
  at: number;
}

export interface ListingIndexOptions {
  /** A snapshot older than this is reloaded in the background (heartbeat figures); default 10,000 ms. */
  maxAgeMs?: number;
  /** Background loads (by age, or retries after a failure) start at most this often; default 1000 ms. */
  refreshMs?: number;
  /** Distinct filter sets whose match (rows, total, facets) a snapshot keeps; default 256. */
  filterCacheSize?: number;
  /** Workers read per query of a load; default 1,000. */
  sliceRows?: number;
  /** Lets other work run between the slices of a load; default: a `setImmediate` turn. */
  yieldToLoop?: () => Promise<void>;
}

/** What the index reads: one page query for the listed workers and the open leases. */
export interface ListingIndexSource {
  storage: { workers: Pick<WorkerRepo, "page">; leases: Pick<LeaseRepo, "listOpen"> };
  clock: Context["clock"];
  /** Failed loads are counted here (`listing_index_load_failed_total`), so /metrics shows them. */
  counters?: Pick<Context["counters"], "inc">;
}

/** The most workers one load reads (as `FleetQueries.all`). */
const LOAD_LIMIT = 100_000;

/** A turn of the host's event loop (`setImmediate`), or just a microtask where there is none. */
function nextTurn(): Promise<void> {
  const host = globalThis as { setImmediate?: (callback: () => void) => unknown };
  return new Promise<void>((resolve) => (host.setImmediate ? host.setImmediate(resolve) : resolve()));
}

const listedPage = (page: number, limit: number): WorkerPageQuery => ({
  page,
  limit,
  sortBy: "workerId",
  sortDir: "asc",
  listed: true,
});

interface Match {
  /** 1 where the worker at that index matches. */
  matched: Uint8Array;
  total: number;
  gpuModels: GpuModelCount[];
}

/**
 * One load of the listed workers with everything a query needs precomputed: the sort orders, each
 * worker's distinct GPU models, and the filtered fields as columns, so a filter pass over 10,000 workers
 * is a tight loop over arrays rather than `matchesWorkerPage` on each record (which lower-cases every
 * GPU name of every worker per query: 1–2 ms at 10,000 workers, half the server's time in the benchmark).
 */
class ListingSnapshot {
  /** Listed workers by worker id ascending (so an index comparison is the id tie-break). */
  private readonly workers: WorkerRecord[];
  private readonly leasedIds: ReadonlySet<string>;
  /** Distinct GPU names, ascending; a model's id is its position, so id order is name order. */
  private readonly models: string[];
  private readonly modelsLower: string[];
  /** Each worker's distinct model ids: the first (−1 without GPUs), and any others (most rigs have one). */
  private readonly firstModel: Int32Array;
  private readonly moreModels: (Int32Array | undefined)[];
  // The fields `matchesWorkerPage` reads, one column each.
  private readonly online: Uint8Array;
  /** Online, AVAILABLE, listed, not banned or suspect, no open lease (`availableOnly`). */
  private readonly available: Uint8Array;
  private readonly owner: string[];
  private readonly idLower: string[];
  private readonly hashrate: Float64Array;
  private readonly price: bigint[];
  private readonly gpuCount: Float64Array;
  private readonly memoryGb: Float64Array;
  private readonly minDurationSec: Float64Array;
  private readonly maxDurationSec: Float64Array;
  /** `"<sort> asc"` / `"<sort> desc"`, built on first use (`order`). */
  private readonly orders = new Map<string, Int32Array>();
  private readonly matches = new Map<string, Match>();

  constructor(
    rows: readonly WorkerRecord[],
    openLeaseWorkerIds: ReadonlySet<string>,
    readonly at: number,
    readonly generation: number,
    private readonly filterCacheSize: number,
  ) {
    this.workers = rows
      .filter((w) => w.listed === true)
      .sort((a, b) => (a.workerId < b.workerId ? -1 : a.workerId > b.workerId ? 1 : 0));
    const workers = this.workers;
    const n = workers.length;
    this.leasedIds = openLeaseWorkerIds;

    const names = new Set<string>();
    for (const w of workers) for (const g of w.gpus) names.add(g.name);
    this.models = [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    this.modelsLower = this.models.map((m) => m.toLowerCase());
    const modelId = new Map(this.models.map((m, i) => [m, i]));
    this.firstModel = new Int32Array(n).fill(-1);
    this.moreModels = new Array<Int32Array | undefined>(n);
    for (let i = 0; i < n; i++) {
      const ids = new Set<number>();
      for (const g of workers[i]!.gpus) ids.add(modelId.get(g.name)!);
      const [first, ...more] = ids;
      if (first !== undefined) this.firstModel[i] = first;
      if (more.length > 0) this.moreModels[i] = Int32Array.from(more);
    }

    this.online = new Uint8Array(n);
    this.available = new Uint8Array(n);
    this.owner = new Array<string>(n);
    this.idLower = new Array<string>(n);
    this.hashrate = new Float64Array(n);
    this.price = new Array<bigint>(n);
    this.gpuCount = new Float64Array(n);
    this.memoryGb = new Float64Array(n);
    this.minDurationSec = new Float64Array(n);
    this.maxDurationSec = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const w = workers[i]!;
      const leased = openLeaseWorkerIds.has(w.workerId);
      this.online[i] = w.online ? 1 : 0;
      this.available[i] =
        w.online && w.state === "AVAILABLE" && w.listed && !w.banned && !w.suspect && !leased ? 1 : 0;
      this.owner[i] = w.owner;
      this.idLower[i] = w.workerId.toLowerCase();
      this.hashrate[i] = w.hashrate;
      this.price[i] = w.pricePerSec;
      this.gpuCount[i] = w.gpuCount;
      this.memoryGb[i] = w.totalMemoryGb;
      this.minDurationSec[i] = w.minDurationSec;
      this.maxDurationSec[i] = w.maxDurationSec;
    }
  }

  /** One sort order; both directions of the sort are built (and kept) on first use. */
  private order(sort: ListingSort, dir: "asc" | "desc"): Int32Array {
    const found = this.orders.get(`${sort} ${dir}`);
    if (found) return found;
    if (!LISTING_SORTS.includes(sort) || (dir !== "asc" && dir !== "desc"))
      throw new Error(`unknown listing sort ${sort} ${dir}`);
    const keys: (number | null)[] =
      sort === "reputation"
        ? this.workers.map((w) => computeReputation(w, this.at).score)
        : this.workers.map((w) => workerSortKey(w, sort) as number | null);
    const [asc, desc] = sortOrders(keys);
    this.orders.set(`${sort} asc`, asc);
    this.orders.set(`${sort} desc`, desc);
    return dir === "asc" ? asc : desc;
  }

  query(q: ListingQuery): ListingPage {
    const order = this.order(q.sortBy, q.sortDir);
    const { matched, total, gpuModels } = this.match(q);
    const start = (q.page - 1) * q.limit;
    const end = start + q.limit;
    const items: WorkerRecord[] = [];
    if (start < total) {
      let rank = 0;
      for (let k = 0; k < order.length && rank < end; k++) {
        const i = order[k]!;
        if (matched[i] === 0) continue;
        if (rank >= start) items.push(this.workers[i]!);
        rank++;
      }
    }
    const leasedIds = this.leasedIds;
    return {
      items,
      total,
      gpuModels: gpuModels.map((f) => ({ ...f })),
      hasOpenLease: (workerId) => leasedIds.has(workerId),
      at: this.at,
    };
  }

  /** The rows, total and facets of a filter set; kept per snapshot for the sorts and pages after it. */
  private match(q: ListingQuery): Match {
    const filter: WorkerPageQuery = {
      page: 1,
      limit: 1,
      sortBy: "workerId",
      sortDir: "asc",
      status: q.status,
      owner: q.owner,
      search: q.search,
      availableOnly: q.availableOnly,
      gpu: q.gpu,
      minHashrate: q.minHashrate,
      maxPricePerSec: q.maxPricePerSec,
      minGpus: q.minGpus,
      minMemoryGb: q.minMemoryGb,
      durationSec: q.durationSec,
      listed: true,
    };
    for (const key of Object.keys(filter) as (keyof WorkerPageQuery)[])
      if (filter[key] === undefined) delete filter[key];
    const cacheKey = JSON.stringify(filter, (_, v) => (typeof v === "bigint" ? `${v}n` : v));
    const cached = this.matches.get(cacheKey);
    if (cached) {
      // Most recently used last.
      this.matches.delete(cacheKey);
      this.matches.set(cacheKey, cached);
      return cached;
    }
    const n = this.workers.length;
    const matched = new Uint8Array(n);
    const counts = new Int32Array(this.models.length);
    // `matchesWorkerPage`, field by field (tests compare the two, and the storage queries, over random fleets).
    const { online, available, owner, idLower, hashrate, price, gpuCount, memoryGb } = this;
    const { minDurationSec, maxDurationSec, firstModel, moreModels } = this;
    const status = filter.status;
    const ownerIs = filter.owner?.toLowerCase();
    const search =
      filter.search !== undefined && filter.search !== "" ? filter.search.toLowerCase() : undefined;
    // Per model: does its name contain the search / the GPU filter (what `gpus.some(…)` asks of a worker).
    const modelsWith = (text: string) => Uint8Array.from(this.modelsLower, (m) => (m.includes(text) ? 1 : 0));
    const searchModel = search === undefined ? new Uint8Array(0) : modelsWith(search);
    const gpu = filter.gpu?.toLowerCase();
    const gpuModel = gpu === undefined ? null : modelsWith(gpu);
    const availableOnly = Boolean(filter.availableOnly);
    const { minHashrate, maxPricePerSec, minGpus, minMemoryGb, durationSec } = filter;
    const anyModel = (i: number, ok: Uint8Array) => {
      const first = firstModel[i]!;
      if (first < 0) return false;
      if (ok[first] === 1) return true;
      const more = moreModels[i];
      if (more !== undefined) for (let k = 0; k < more.length; k++) if (ok[more[k]!] === 1) return true;
      return false;
    };
    let total = 0;
    for (let i = 0; i < n; i++) {
      if (status === "online" && online[i] === 0) continue;
      if (status === "offline" && online[i] === 1) continue;
      if (ownerIs !== undefined && owner[i] !== ownerIs) continue;
      if (availableOnly && available[i] === 0) continue;
      if (
        search !== undefined &&
        !(idLower[i]!.startsWith(search) || owner[i]!.startsWith(search) || anyModel(i, searchModel))
      )
        continue;
      if (gpuModel !== null && !anyModel(i, gpuModel)) continue;
      if (minHashrate !== undefined && hashrate[i]! < minHashrate) continue;
      if (maxPricePerSec !== undefined && price[i]! > maxPricePerSec) continue;
      if (minGpus !== undefined && gpuCount[i]! < minGpus) continue;
      if (minMemoryGb !== undefined && memoryGb[i]! < minMemoryGb) continue;
      if (durationSec !== undefined && (durationSec < minDurationSec[i]! || durationSec > maxDurationSec[i]!))
        continue;
      matched[i] = 1;
      total++;
      const first = firstModel[i]!;
      if (first >= 0) {
        counts[first] = counts[first]! + 1;
        const more = moreModels[i];
        if (more !== undefined)
          for (let k = 0; k < more.length; k++) counts[more[k]!] = counts[more[k]!]! + 1;
      }
    }
    const gpuModels: GpuModelCount[] = [];
    for (let m = 0; m < counts.length; m++)
      if (counts[m]! > 0) gpuModels.push({ model: this.models[m]!, count: counts[m]! });
    // Count descending, then name ascending (the names are in ascending order already; the sort is stable).
    gpuModels.sort((a, b) => b.count - a.count);
    const result = { matched, total, gpuModels };
    this.matches.set(cacheKey, result);
    if (this.matches.size > this.filterCacheSize) {
      const oldest = this.matches.keys().next().value;
      if (oldest !== undefined) this.matches.delete(oldest);
    }
    return result;
  }
}

/**
 * Both directions of one sort key over workers already in id order, as `compareWorkers` orders them:
 * by key (ascending or descending), nulls last either way, ties by id (index) ascending.
 */
function sortOrders(keys: readonly (number | null)[]): [asc: Int32Array, desc: Int32Array] {
  const present: number[] = [];
  const nulls: number[] = [];
  for (let i = 0; i < keys.length; i++) (keys[i] === null ? nulls : present).push(i);
  present.sort((a, b) => {
    const ka = keys[a] as number;
    const kb = keys[b] as number;
    return ka < kb ? -1 : ka > kb ? 1 : a - b;
  });
  const asc = new Int32Array(keys.length);
  asc.set(present);
  asc.set(nulls, present.length);
  // Descending: the runs of equal keys in reverse order, each run still by id ascending.
  const desc = new Int32Array(keys.length);
  let out = 0;
  let runEnd = present.length;
  while (runEnd > 0) {
    let runStart = runEnd - 1;
    const key = keys[present[runStart]!];
    while (runStart > 0 && keys[present[runStart - 1]!] === key) runStart--;
    for (let k = runStart; k < runEnd; k++) desc[out++] = present[k]!;
    runEnd = runStart;
  }
  desc.set(nulls, out);
  return [asc, desc];
}

export class ListingIndex {
  private snapshot: ListingSnapshot | null = null;
  private loading: Promise<ListingSnapshot> | null = null;
  /** Bumped by `markStale`; a snapshot remembers the generation its load started at. */
  private generation = 0;
  /** When the last load started (a failed background reload is retried after `refreshMs`). */
  private lastLoadAt = Number.NEGATIVE_INFINITY;
  private readonly refreshMs: number;
  private readonly maxAgeMs: number;
  private readonly filterCacheSize: number;
  private readonly sliceRows: number;
  private readonly yieldToLoop: () => Promise<void>;
  /** Loads started so far. */
  loads = 0;
  /** The last load's failure, if it failed (cleared by a successful load). */
  lastError: unknown = null;

  constructor(
    private readonly source: ListingIndexSource,
    options: ListingIndexOptions = {},
  ) {
    this.refreshMs = options.refreshMs ?? 1000;
    this.maxAgeMs = options.maxAgeMs ?? 10_000;
    this.filterCacheSize = options.filterCacheSize ?? 256;
    this.sliceRows = Math.max(1, Math.floor(options.sliceRows ?? 1000));
    this.yieldToLoop = options.yieldToLoop ?? nextTurn;
  }

  /** The listed workers changed (registry, status, lease, health): the next call reads them again. */
  markStale(): void {
    this.generation++;
  }

  /** A page of listings with the facets of its filters. */
  async page(q: ListingQuery): Promise<ListingPage> {
    return (await this.current()).query(q);
  }

  /** A snapshot good for a call made now (see the freshness rules above). */
  private current(): ListingSnapshot | Promise<ListingSnapshot> {
    const snapshot = this.snapshot;
    if (snapshot === null || snapshot.generation !== this.generation) return this.fresh();
    const now = this.source.clock.now();
    if (now - snapshot.at >= this.maxAgeMs && now - this.lastLoadAt >= this.refreshMs && !this.loading) {
      // Heartbeat figures aged: reload in the background, answer from the snapshot meanwhile. A
      // failure is kept in `lastError` and counted; the next call after `refreshMs` tries again.
      this.load().catch(() => {});
    }
    return snapshot;
  }

  /** A snapshot loaded after the latest mark: the running load if it started after it, else the next. */
  private async fresh(): Promise<ListingSnapshot> {
    const wanted = this.generation;
    for (;;) {
      const running = this.loading;
      if (!running) return this.load();
      const got = await running.catch(() => null);
      if (got !== null && got.generation >= wanted && this.snapshot === got) return got;
      if (this.snapshot !== null && this.snapshot.generation >= wanted) return this.snapshot;
    }
  }

  /**
   * The listed workers (at most `LOAD_LIMIT`), by worker id: in slices of `sliceRows` with a turn of the
   * event loop between them. Should the listed set change between slices (another total, a worker seen
   * twice or missed), everything is read again in one query.
   */
  private async readListed(): Promise<WorkerRecord[]> {
    const workers = this.source.storage.workers;
    const size = this.sliceRows;
    if (size >= LOAD_LIMIT) return (await workers.page(listedPage(1, LOAD_LIMIT))).items;
    const first = await workers.page(listedPage(1, size));
    const wanted = Math.min(first.total, LOAD_LIMIT);
    if (first.items.length >= first.total) return first.items;
    const rows = [...first.items];
    const ids = new Set(rows.map((w) => w.workerId));
    let consistent = first.items.length === size;
    for (let page = 2; consistent && (page - 1) * size < wanted; page++) {
      await this.yieldToLoop();
      const next = await workers.page(listedPage(page, size));
      if (next.total !== first.total) consistent = false;
      for (const w of next.items) {
        if (ids.has(w.workerId)) consistent = false;
        ids.add(w.workerId);
        rows.push(w);
      }
    }
    // Every listed worker once (past `LOAD_LIMIT`, the first ones by id, as one query would give).
    const complete = first.total <= LOAD_LIMIT ? rows.length === first.total : rows.length >= LOAD_LIMIT;
    if (consistent && complete) return rows.length > wanted ? rows.slice(0, wanted) : rows;
    return (await workers.page(listedPage(1, LOAD_LIMIT))).items;
  }

  /** Starts one load (the caller made sure none runs). */
  private load(): Promise<ListingSnapshot> {
    const generation = this.generation;
    const at = this.source.clock.now();
    this.lastLoadAt = at;
    this.loads++;
    const loading = (async () => {
      const rows = await this.readListed();
      const open = await this.source.storage.leases.listOpen();
      return new ListingSnapshot(
        rows,
        new Set(open.map((l) => l.workerId)),
        at,
        generation,
        this.filterCacheSize,
      );
    })();
    this.loading = loading;
    loading.then(
      (snapshot) => {
        if (this.loading === loading) this.loading = null;
        // A slower older load never replaces a newer snapshot.
        if (this.snapshot === null || this.snapshot.generation <= snapshot.generation)
          this.snapshot = snapshot;
        this.lastError = null;
      },
      (error: unknown) => {
        if (this.loading === loading) this.loading = null;
        this.lastError = error;
        this.source.counters?.inc("listing_index_load_failed_total");
      },
    );
    return loading;
  }
}
