/**
 * The filters and sort of a worker page as plain functions: the memory adapter runs them, and the
 * SQL adapters mirror them in queries (their contract tests compare the results).
 */
import type { WorkerPageQuery, WorkerSort } from "../ports.js";
import type { WorkerRecord } from "../types.js";

export function matchesWorkerPage(w: WorkerRecord, q: WorkerPageQuery, hasOpenLease: boolean): boolean {
  if (q.status === "online" && !w.online) return false;
  if (q.status === "offline" && w.online) return false;
  if (q.owner !== undefined && w.owner !== q.owner.toLowerCase()) return false;
  if (q.listed !== undefined && w.listed !== q.listed) return false;
  if (q.availableOnly) {
    const available =
      w.online && w.state === "AVAILABLE" && w.listed && !w.banned && !w.suspect && !hasOpenLease;
    if (!available) return false;
  }
  if (q.search !== undefined && q.search !== "") {
    const s = q.search.toLowerCase();
    const hit =
      w.workerId.toLowerCase().startsWith(s) ||
      w.owner.startsWith(s) ||
      w.gpus.some((g) => g.name.toLowerCase().includes(s));
    if (!hit) return false;
  }
  if (q.gpu !== undefined && !w.gpus.some((g) => g.name.toLowerCase().includes(q.gpu!.toLowerCase())))
    return false;
  if (q.minHashrate !== undefined && w.hashrate < q.minHashrate) return false;
  if (q.maxPricePerSec !== undefined && w.pricePerSec > q.maxPricePerSec) return false;
  if (q.minGpus !== undefined && w.gpuCount < q.minGpus) return false;
  if (q.minMemoryGb !== undefined && w.totalMemoryGb < q.minMemoryGb) return false;
  if (q.durationSec !== undefined && (q.durationSec < w.minDurationSec || q.durationSec > w.maxDurationSec))
    return false;
  return true;
}

/** The sort key of each column; `value` (price per H/s) is null without a hashrate and sorts last. */
export function workerSortKey(w: WorkerRecord, sortBy: WorkerSort): number | string | null {
  switch (sortBy) {
    case "value":
      return w.hashrate > 0 ? Number(w.pricePerSec) / w.hashrate : null;
    case "price":
      return Number(w.pricePerSec);
    case "hashrate":
      return w.hashrate;
    case "gpus":
      return w.gpuCount;
    case "memory":
      return w.totalMemoryGb;
    case "lastSeen":
      return w.lastSeenAt;
    case "workerId":
      return w.workerId;
    case "owner":
      return w.owner;
    case "state":
      return w.state ?? "";
    case "blocks":
      return w.leaseBlocks;
    case "activeGpus":
      return w.activeGpus;
    case "uptime":
      return w.onlineSec;
  }
}

/** Sorts by the column (nulls last in either direction), then by worker id ascending. */
export function compareWorkers(
  a: WorkerRecord,
  b: WorkerRecord,
  sortBy: WorkerSort,
  dir: "asc" | "desc",
): number {
  const ka = workerSortKey(a, sortBy);
  const kb = workerSortKey(b, sortBy);
  if (ka !== kb) {
    if (ka === null) return 1;
    if (kb === null) return -1;
    const order = ka < kb ? -1 : 1;
    return dir === "asc" ? order : -order;
  }
  return a.workerId < b.workerId ? -1 : a.workerId > b.workerId ? 1 : 0;
}
