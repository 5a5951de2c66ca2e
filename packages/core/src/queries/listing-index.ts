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
 * - A load reads the listed workers in slices of `sliceRows` (default 400) and yields to the event loop
 *   between slices (`yieldToLoop`, default `setImmediate`), so a reload of 10,000 workers is some 25
 *   short stalls (~10 ms each on libSQL) instead of one of 150–300 ms. A fleet that fits one slice is
 *   read in one query, as before. If the listed set may have changed between slices (the page totals
 *   differ, the ids do not add up, or `markStale` was called meanwhile), the load reads everything again
 *   in one query. Left open: a change whose event is published after the last slice was read and
 *   that shifts the pages without changing the total; its event marks the index stale, so the next
 *   call reloads.
 * - The sort orders (both directions of a sort at once), the threshold columns by value and the
 *   candidate lists are built by the load before the snapshot is used (for a sliced load, one step per
 *   turn of the loop: `yieldToLoop` again); built on first use they were 3–12 ms stalls of the first requests after each
 *   reload. (The query path still builds whatever is missing on first use.)
 * - A filter pass visits only candidates: the smallest of the available workers (`availableOnly`), the
 *   workers of the models a GPU filter matches, and the workers a threshold admits (`minHashrate`,
 *   `minGpus`, `minMemoryGb`, `maxPricePerSec`, from the columns by value), then tests every condition
 *   on each; prices compare as doubles (`Number` is monotonic in the bigint) and as bigints on a tie.
 *
 * The returned `WorkerRecord`s are the snapshot's own objects, shared by every caller: read-only.
 */
import type { Context } from "../context.js";
import { computeReputation } from "../market/reputation.js";
import { workerSortKey } from "../market/worker-page.js";
import { nextTurn } from "../next-turn.js";
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
  /** Workers read per query of a load; default 400. */
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

const listedPage = (page: number, limit: number): WorkerPageQuery => ({
  page,
  limit,
  sortBy: "workerId",
  sortDir: "asc",
  listed: true,
});

/** The numeric columns a threshold filter can take candidates from. */
type RangeColumn = "hashrate" | "gpuCount" | "memoryGb" | "priceNum";
const RANGE_COLUMNS: readonly RangeColumn[] = ["hashrate", "gpuCount", "memoryGb", "priceNum"];

interface SortedColumn {
  /** Worker indexes by value ascending. */
  order: Int32Array;
  /** The values in that order. */
  values: Float64Array;
}

interface Match {
  /**
   * Bit i (word i >>> 5, bit i & 31) set where the worker at index i matches: a bitset, so the 256
   * filter sets a snapshot keeps cost ~1.2 KB each at 10,000 workers rather than 10 KB (each lives for
   * hundreds of queries, long enough to be promoted and left to the major GC).
   */
  matched: Uint32Array;
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
  readonly firstModel: Int32Array;
  readonly moreModels: (Int32Array | undefined)[];
  // The fields `matchesWorkerPage` reads, one column each.
  readonly online: Uint8Array;
  /** Online, AVAILABLE, listed, not banned or suspect, no open lease (`availableOnly`). */
  readonly available: Uint8Array;
  readonly owner: string[];
  readonly idLower: string[];
  readonly hashrate: Float64Array;
  readonly price: bigint[];
  /** `Number(price)`: monotonic in the price, so it orders and bounds exactly; ties are settled on `price`. */
  readonly priceNum: Float64Array;
  readonly gpuCount: Float64Array;
  readonly memoryGb: Float64Array;
  readonly minDurationSec: Float64Array;
  readonly maxDurationSec: Float64Array;
  /** `"<sort> asc"` / `"<sort> desc"`, built on first use (`order`). */
  private readonly orders = new Map<string, Int32Array>();
  private readonly matches = new Map<string, Match>();
  // Candidate lists, built on first use: a filter pass visits only the smallest list that holds every
  // worker its most selective condition admits, and tests all conditions on those (same answers).
  /** Indexes of the `available` workers, ascending. */
  private availableList: Int32Array | null = null;
  /** Per model id: the workers with a GPU of that model, ascending. */
  private modelLists: Int32Array[] | null = null;
  /** Per numeric column: worker indexes by value ascending with the values, or null (a NaN value). */
  private readonly ranges = new Map<RangeColumn, SortedColumn | null>();

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
    // Each worker's distinct model ids in the order its GPUs first name them (most rigs: one model).
    let lastName: string | undefined;
    let lastId = -1;
    for (let i = 0; i < n; i++) {
      const gpus = workers[i]!.gpus;
      let first = -1;
      let more: number[] | undefined;
      for (let k = 0; k < gpus.length; k++) {
        const name = gpus[k]!.name;
        if (name !== lastName) {
          lastName = name;
          lastId = modelId.get(name)!;
        }
        if (first < 0) first = lastId;
        else if (lastId !== first && !more?.includes(lastId)) {
          more ??= [];
          more.push(lastId);
        }
      }
      this.firstModel[i] = first;
      if (more !== undefined) this.moreModels[i] = Int32Array.from(more);
    }

    this.online = new Uint8Array(n);
    this.available = new Uint8Array(n);
    this.owner = new Array<string>(n);
    this.idLower = new Array<string>(n);
    this.hashrate = new Float64Array(n);
    this.price = new Array<bigint>(n);
    this.priceNum = new Float64Array(n);
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
      this.priceNum[i] = Number(w.pricePerSec);
      this.gpuCount[i] = w.gpuCount;
      this.memoryGb[i] = w.totalMemoryGb;
      this.minDurationSec[i] = w.minDurationSec;
      this.maxDurationSec[i] = w.maxDurationSec;
    }
  }

  /**
   * What queries would otherwise build on first use, as separate steps (the loader yields between
   * them): each sort's two orders, the threshold columns by value, the candidate lists.
   */
  prebuildSteps(): (() => void)[] {
    return [
      ...LISTING_SORTS.map((sort) => () => void this.order(sort, "asc")),
      ...RANGE_COLUMNS.map((column) => () => void this.sortedColumn(column)),
      () => {
        this.availableWorkers();
        this.modelWorkers();
      },
    ];
  }

  /** One sort order; both directions of the sort are built (and kept) on first use. */
  private order(sort: ListingSort, dir: "asc" | "desc"): Int32Array {
    const found = this.orders.get(`${sort} ${dir}`);
    if (found) return found;
    if (!LISTING_SORTS.includes(sort) || (dir !== "asc" && dir !== "desc"))
      throw new Error(`unknown listing sort ${sort} ${dir}`);
    const n = this.workers.length;
    const keys = new Float64Array(n);
    const isNull = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const w = this.workers[i]!;
      const key =
        sort === "reputation"
          ? computeReputation(w, this.at).score
          : (workerSortKey(w, sort) as number | null);
      if (key === null) isNull[i] = 1;
      else keys[i] = key;
    }
    const [asc, desc] = sortOrders(keys, isNull);
    this.orders.set(`${sort} asc`, asc);
    this.orders.set(`${sort} desc`, desc);
    return dir === "asc" ? asc : desc;
  }

  /** The available workers (`availableOnly`), by index. */
  private availableWorkers(): Int32Array {
    if (this.availableList === null) {
      const list: number[] = [];
      for (let i = 0; i < this.available.length; i++) if (this.available[i] === 1) list.push(i);
      this.availableList = Int32Array.from(list);
    }
    return this.availableList;
  }

  /** Per model id, the workers having a GPU of that model, by index. */
  private modelWorkers(): Int32Array[] {
    if (this.modelLists === null) {
      const lists: number[][] = this.models.map(() => []);
      for (let i = 0; i < this.firstModel.length; i++) {
        const first = this.firstModel[i]!;
        if (first < 0) continue;
        lists[first]!.push(i);
        const more = this.moreModels[i];
        if (more !== undefined) for (let k = 0; k < more.length; k++) lists[more[k]!]!.push(i);
      }
      this.modelLists = lists.map((l) => Int32Array.from(l));
    }
    return this.modelLists;
  }

  /** A numeric column's workers by value ascending; null if a value is NaN (ranges would miss it). */
  private sortedColumn(column: RangeColumn): SortedColumn | null {
    let found = this.ranges.get(column);
    if (found === undefined) {
      const values = this[column];
      found = null;
      if (!values.some(Number.isNaN)) {
        const order = Array.from({ length: values.length }, (_, i) => i).sort((a, b) =>
          values[a]! < values[b]! ? -1 : values[a]! > values[b]! ? 1 : a - b,
        );
        found = { order: Int32Array.from(order), values: Float64Array.from(order, (i) => values[i]!) };
      }
      this.ranges.set(column, found);
    }
    return found;
  }

  /** The workers whose `column` is at least `min` (exactly those), or null. */
  private atLeast(column: RangeColumn, min: number): Int32Array | null {
    const sorted = Number.isNaN(min) ? null : this.sortedColumn(column);
    if (sorted === null) return null;
    // The first position holding a value ≥ min.
    let lo = 0;
    let hi = sorted.values.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted.values[mid]! < min) lo = mid + 1;
      else hi = mid;
    }
    return sorted.order.subarray(lo);
  }

  /** Every worker whose price may be at most the price `max` maps to (`Number(price) ≤ max`), or null. */
  private atMostPrice(max: number): Int32Array | null {
    const sorted = Number.isNaN(max) ? null : this.sortedColumn("priceNum");
    if (sorted === null) return null;
    // The first position holding a value > max.
    let lo = 0;
    let hi = sorted.values.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted.values[mid]! <= max) lo = mid + 1;
      else hi = mid;
    }
    return sorted.order.subarray(0, lo);
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
        if ((matched[i >>> 5]! & (1 << (i & 31))) === 0) continue;
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
    const matched = new Uint32Array((n + 31) >>> 5);
    const counts = new Int32Array(this.models.length);
    const search =
      filter.search !== undefined && filter.search !== "" ? filter.search.toLowerCase() : undefined;
    // Per model: does its name contain the search / the GPU filter (what `gpus.some(…)` asks of a worker).
    const modelsWith = (text: string) => Uint8Array.from(this.modelsLower, (m) => (m.includes(text) ? 1 : 0));
    const gpu = filter.gpu?.toLowerCase();
    const { minHashrate, maxPricePerSec, minGpus, minMemoryGb, durationSec } = filter;
    const f: PassFilter = {
      status: filter.status,
      ownerIs: filter.owner?.toLowerCase(),
      availableOnly: Boolean(filter.availableOnly),
      search,
      searchModel: search === undefined ? new Uint8Array(0) : modelsWith(search),
      gpuModel: gpu === undefined ? null : modelsWith(gpu),
      minHashrate,
      maxPricePerSec,
      maxPriceNum: maxPricePerSec === undefined ? 0 : Number(maxPricePerSec),
      minGpus,
      minMemoryGb,
      durationSec,
    };
    // The candidates: every worker, or the smallest list that holds all the workers one condition admits.
    let candidates: Int32Array | null = null;
    let candidateCount = n;
    /** Whether a worker may be listed twice (the lists of several GPU models merged). */
    let mayRepeat = false;
    const consider = (list: Int32Array | null) => {
      if (list !== null && list.length < candidateCount) {
        candidates = list;
        candidateCount = list.length;
      }
    };
    if (f.availableOnly) consider(this.availableWorkers());
    if (minHashrate !== undefined) consider(this.atLeast("hashrate", minHashrate));
    if (minGpus !== undefined) consider(this.atLeast("gpuCount", minGpus));
    if (minMemoryGb !== undefined) consider(this.atLeast("memoryGb", minMemoryGb));
    if (maxPricePerSec !== undefined) consider(this.atMostPrice(f.maxPriceNum));
    const gpuModel = f.gpuModel;
    if (gpuModel !== null) {
      // The workers of the models the GPU filter matches (one list, or the lists merged).
      const lists = this.modelWorkers();
      let size = 0;
      let models = 0;
      let only = -1;
      for (let m = 0; m < gpuModel.length; m++) {
        if (gpuModel[m] !== 1) continue;
        size += lists[m]!.length;
        models++;
        only = m;
      }
      if (size < candidateCount && models === 1) {
        candidates = lists[only]!;
        candidateCount = size;
      } else if (size < candidateCount) {
        const merged = new Int32Array(size);
        let at = 0;
        for (let m = 0; m < gpuModel.length; m++) {
          if (gpuModel[m] !== 1) continue;
          merged.set(lists[m]!, at);
          at += lists[m]!.length;
        }
        candidates = merged;
        candidateCount = size;
        mayRepeat = true;
      }
    }
    const list = candidates as Int32Array | null;
    // Walking the available workers, `availableOnly` holds for each of them.
    if (list !== null && list === this.availableList) f.availableOnly = false;
    const total = filterPass(this, f, list, candidateCount, mayRepeat, matched, counts);
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

/** A filter set prepared for `filterPass`. */
interface PassFilter {
  status: WorkerPageQuery["status"];
  ownerIs: string | undefined;
  availableOnly: boolean;
  /** Lower-cased; undefined for none or "". */
  search: string | undefined;
  /** Per model id: 1 where the model's name contains `search`. */
  searchModel: Uint8Array;
  /** Per model id: 1 where the model's name contains the GPU filter; null without one. */
  gpuModel: Uint8Array | null;
  minHashrate: number | undefined;
  maxPricePerSec: bigint | undefined;
  /** `Number(maxPricePerSec)`. */
  maxPriceNum: number;
  minGpus: number | undefined;
  minMemoryGb: number | undefined;
  durationSec: number | undefined;
}

/** The columns `filterPass` reads. */
interface PassColumns {
  readonly online: Uint8Array;
  readonly available: Uint8Array;
  readonly owner: string[];
  readonly idLower: string[];
  readonly hashrate: Float64Array;
  readonly price: bigint[];
  readonly priceNum: Float64Array;
  readonly gpuCount: Float64Array;
  readonly memoryGb: Float64Array;
  readonly minDurationSec: Float64Array;
  readonly maxDurationSec: Float64Array;
  readonly firstModel: Int32Array;
  readonly moreModels: (Int32Array | undefined)[];
}

/** Whether worker `i` has a GPU of a model marked in `ok`. */
function anyModel(firstModel: Int32Array, moreModels: (Int32Array | undefined)[], i: number, ok: Uint8Array) {
  const first = firstModel[i]!;
  if (first < 0) return false;
  if (ok[first] === 1) return true;
  const more = moreModels[i];
  if (more !== undefined) for (let k = 0; k < more.length; k++) if (ok[more[k]!] === 1) return true;
  return false;
}

/**
 * `matchesWorkerPage`, field by field, over the candidates (the first `count` of `list`, or workers
 * 0…count−1 without a list; `mayRepeat` if the list may hold a worker twice): marks the matches in `matched`, counts their distinct models in `counts`,
 * and returns how many matched. Tests compare it, and the storage queries, over random fleets.
 */
function filterPass(
  c: PassColumns,
  f: PassFilter,
  list: Int32Array | null,
  count: number,
  mayRepeat: boolean,
  matched: Uint32Array,
  counts: Int32Array,
): number {
  const { online, available, owner, idLower, hashrate, price, priceNum, gpuCount, memoryGb } = c;
  const { minDurationSec, maxDurationSec, firstModel, moreModels } = c;
  const { status, ownerIs, availableOnly, search, searchModel, gpuModel } = f;
  const { minHashrate, maxPricePerSec, maxPriceNum, minGpus, minMemoryGb, durationSec } = f;
  const online1 = status === "online";
  const offline1 = status === "offline";
  let total = 0;
  for (let k = 0; k < count; k++) {
    const i = list === null ? k : list[k]!;
    // A worker with GPUs of two matching models is listed twice: its first visit decided.
    if (mayRepeat && (matched[i >>> 5]! & (1 << (i & 31))) !== 0) continue;
    if (online1 && online[i] === 0) continue;
    if (offline1 && online[i] === 1) continue;
    if (ownerIs !== undefined && owner[i] !== ownerIs) continue;
    if (availableOnly && available[i] === 0) continue;
    if (
      search !== undefined &&
      !(
        idLower[i]!.startsWith(search) ||
        owner[i]!.startsWith(search) ||
        anyModel(firstModel, moreModels, i, searchModel)
      )
    )
      continue;
    if (gpuModel !== null && !anyModel(firstModel, moreModels, i, gpuModel)) continue;
    if (minHashrate !== undefined && hashrate[i]! < minHashrate) continue;
    // `Number` is monotonic in the bigint: only equal images need the exact comparison.
    if (
      maxPricePerSec !== undefined &&
      (priceNum[i]! > maxPriceNum || (priceNum[i] === maxPriceNum && price[i]! > maxPricePerSec))
    )
      continue;
    if (minGpus !== undefined && gpuCount[i]! < minGpus) continue;
    if (minMemoryGb !== undefined && memoryGb[i]! < minMemoryGb) continue;
    if (durationSec !== undefined && (durationSec < minDurationSec[i]! || durationSec > maxDurationSec[i]!))
      continue;
    matched[i >>> 5]! |= 1 << (i & 31);
    total++;
    const first = firstModel[i]!;
    if (first >= 0) {
      counts[first] = counts[first]! + 1;
      const more = moreModels[i];
      if (more !== undefined) for (let m = 0; m < more.length; m++) counts[more[m]!] = counts[more[m]!]! + 1;
    }
  }
  return total;
}

/**
 * Both directions of one sort key over workers already in id order, as `compareWorkers` orders them:
 * by key (ascending or descending), nulls last either way, ties by id (index) ascending.
 */
function sortOrders(keys: Float64Array, isNull: Uint8Array): [asc: Int32Array, desc: Int32Array] {
  const present: number[] = [];
  const nulls: number[] = [];
  for (let i = 0; i < keys.length; i++) (isNull[i] === 1 ? nulls : present).push(i);
  present.sort((a, b) => {
    const ka = keys[a]!;
    const kb = keys[b]!;
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
    this.sliceRows = Math.max(1, Math.floor(options.sliceRows ?? 400));
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
    const startedAt = this.generation;
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
    // A change marked while reading (one worker unlisted before the read position and another listed
    // after it keeps the total and shifts the pages) may have made the slices disagree: read it whole.
    if (this.generation !== startedAt) consistent = false;
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
      const snapshot = new ListingSnapshot(
        rows,
        new Set(open.map((l) => l.workerId)),
        at,
        generation,
        this.filterCacheSize,
      );
      // The sort orders and candidate lists, before any caller sees the snapshot: built on a request
      // instead, each was a 3–12 ms stall after every reload of 10,000 workers. One step per turn of the
      // loop when the fleet was read in slices; a fleet that fits one slice is built at once.
      const sliced = rows.length > this.sliceRows;
      for (const step of snapshot.prebuildSteps()) {
        if (sliced) await this.yieldToLoop();
        step();
      }
      return snapshot;
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
