/**
 * Whether live patches would reorder the fleet page as sorted (the "N updates — refresh order" pill):
 * the page keeps the server's order; this counts the rows whose place the live values would move.
 */
import type { FleetWorker } from "../../api-types.js";
import type { WorkerPatch } from "../../live/patch.js";

type SortKey =
  | "hashrate"
  | "lastSeen"
  | "gpus"
  | "activeGpus"
  | "blocks"
  | "workerId"
  | "owner"
  | "state"
  | "uptime";

/** The live value of a numeric sort key, or null when live events never change that key. */
const LIVE_NUMBER: Partial<Record<SortKey, (row: FleetWorker, patch: WorkerPatch | undefined) => number>> = {
  hashrate: (row, p) => p?.hashrate ?? row.hashrate,
  lastSeen: (row, p) => Math.max(p?.lastSeenAt ?? 0, row.lastSeenAt),
  activeGpus: (row, p) => p?.activeGpus ?? row.activeGpus,
};

function fresh(row: FleetWorker, patch: WorkerPatch | undefined): WorkerPatch | undefined {
  // A heartbeat older than the fetched row changes nothing.
  if (patch?.lastSeenAt !== undefined && patch.lastSeenAt < row.lastSeenAt) return undefined;
  return patch;
}

export function pendingOrderChanges(
  rows: readonly FleetWorker[],
  patches: Readonly<Record<string, WorkerPatch>>,
  sortBy: SortKey,
  sortDir: "asc" | "desc" = "desc",
): number {
  if (sortBy === "state") {
    // The server's state order is its own; any changed state may move its row.
    return rows.filter((r) => {
      const p = patches[r.workerId];
      return p?.state !== undefined && p.state !== r.state;
    }).length;
  }
  const value = LIVE_NUMBER[sortBy];
  if (!value) return 0;
  const ranked = rows
    .map((row, index) => ({ index, v: value(row, fresh(row, patches[row.workerId])) }))
    .sort((a, b) => (sortDir === "desc" ? b.v - a.v : a.v - b.v) || a.index - b.index);
  return ranked.filter((r, position) => r.index !== position).length;
}
