/**
 * The live state and how events change it (ui.md §6.3), as a pure function of (state, batch of events).
 * The store applies one batch per animation frame; pages read the slices they show.
 */
import type {
  ActivityItem,
  Block,
  FleetWorker,
  LiveEvent,
  LiveSnapshot,
  MonitoringStats,
} from "../api-types.js";

export const LIVE_BLOCKS_CAP = 20;
export const LIVE_HEALTH_CAP = 50;
export const LIVE_ACTIVITY_CAP = 100;

/** A block as the live list shows it: the snapshot's blocks and `block` events share this shape. */
export interface LiveBlock {
  id: number;
  workerId: string;
  leaseId: string | null;
  blockType: Block["blockType"];
  status: Block["status"];
  rejectReason?: string | undefined;
  /** null until the server has said (a `block` event carries none; `block_chain` fills it in). */
  chainStatus: Block["chainStatus"] | null;
  chainBlockId?: number | undefined;
  receivedAt: number;
}

/** What live events say about one worker since its row was fetched. */
export interface WorkerPatch {
  hashrate?: number;
  activeGpus?: number;
  lastSeenAt?: number;
  online?: boolean;
  state?: FleetWorker["state"];
  leaseId?: string | null;
}

export interface LiveHealth {
  id: string;
  at: number;
  workerId: string;
  kind: "online" | "offline";
  reason?: string | undefined;
  offlineForSec?: number | undefined;
}

export interface LiveData {
  /** The id of the last event applied (the resume point). */
  eventId: string | null;
  stats: MonitoringStats | null;
  /** Server time of the stats shown. */
  statsAt: number | null;
  /** Newest first, at most 20. */
  blocks: LiveBlock[];
  workers: Readonly<Record<string, WorkerPatch>>;
  /** Health transitions received live, newest first. */
  health: LiveHealth[];
  /** Activity items received live, newest first. */
  activity: ActivityItem[];
  /** Bumped by each `snapshot` event: every query is stale. */
  resyncs: number;
  /** Bumped by each `worker` event: fleet and marketplace pages are stale. */
  workerChanges: number;
}

export const EMPTY_LIVE: LiveData = {
  eventId: null,
  stats: null,
  statsAt: null,
  blocks: [],
  workers: {},
  health: [],
  activity: [],
  resyncs: 0,
  workerChanges: 0,
};

export function blockFromSnapshot(b: Block): LiveBlock {
  return {
    id: b.id,
    workerId: b.workerId,
    leaseId: b.leaseId,
    blockType: b.blockType,
    status: b.status,
    rejectReason: b.rejectReason,
    chainStatus: b.chainStatus,
    chainBlockId: b.chainBlockId,
    receivedAt: b.receivedAt,
  };
}

/** The state a snapshot describes (on load, and on a `snapshot` event); worker patches start over. */
export function fromSnapshot(prev: LiveData, snapshot: LiveSnapshot): LiveData {
  return {
    ...prev,
    eventId: snapshot.eventId,
    stats: snapshot.stats,
    statsAt: snapshot.serverTime,
    blocks: snapshot.recentBlocks.slice(0, LIVE_BLOCKS_CAP).map(blockFromSnapshot),
    workers: {},
  };
}

export interface Delivered {
  id: string;
  event: LiveEvent;
}

/** Applies a batch of events in order; returns the same object when nothing changed. */
export function applyEvents(state: LiveData, batch: readonly Delivered[]): LiveData {
  if (batch.length === 0) return state;
  let next: LiveData = { ...state };
  let workers: Record<string, WorkerPatch> | null = null;
  const patchWorker = (workerId: string, patch: WorkerPatch) => {
    workers ??= { ...next.workers };
    workers[workerId] = { ...workers[workerId], ...patch };
  };
  const newBlocks: LiveBlock[] = [];
  const newHealth: LiveHealth[] = [];
  const newActivity: ActivityItem[] = [];

  for (const { id, event } of batch) {
    next.eventId = id;
    switch (event.type) {
      case "snapshot": {
        // Replayed history was too old: start over from this picture.
        next = fromSnapshot(next, event);
        next.eventId = id;
        next.resyncs += 1;
        workers = null;
        newBlocks.length = 0;
        break;
      }
      case "heartbeat":
        patchWorker(event.workerId, {
          hashrate: event.hashrate,
          activeGpus: event.activeGpus,
          lastSeenAt: event.lastSeenAt,
        });
        break;
      case "status":
        patchWorker(event.workerId, { state: event.state, leaseId: event.leaseId });
        break;
      case "health":
        patchWorker(event.workerId, { online: event.kind === "online" });
        newHealth.push({
          id: `live-${id}`,
          at: event.at,
          workerId: event.workerId,
          kind: event.kind,
          reason: event.reason,
          offlineForSec: event.offlineForSec,
        });
        break;
      case "block":
        newBlocks.push({
          id: event.id,
          workerId: event.workerId,
          leaseId: event.leaseId,
          blockType: event.blockType,
          status: event.status,
          rejectReason: event.rejectReason,
          chainStatus: event.chainStatus,
          receivedAt: event.at,
        });
        break;
      case "block_chain": {
        const patch = (b: LiveBlock): LiveBlock =>
          b.id === event.id ? { ...b, chainStatus: event.chainStatus, chainBlockId: event.chainBlockId } : b;
        for (let i = 0; i < newBlocks.length; i++) newBlocks[i] = patch(newBlocks[i] as LiveBlock);
        if (next.blocks.some((b) => b.id === event.id)) next.blocks = next.blocks.map(patch);
        break;
      }
      case "worker":
        next.workerChanges += 1;
        break;
      case "activity":
        newActivity.push(event.item);
        break;
      case "stats":
        next.stats = event.stats;
        next.statsAt = event.at;
        break;
    }
  }

  if (workers) next.workers = workers;
  if (newBlocks.length > 0) {
    const seen = new Set(newBlocks.map((b) => b.id));
    next.blocks = [...newBlocks.reverse(), ...next.blocks.filter((b) => !seen.has(b.id))].slice(
      0,
      LIVE_BLOCKS_CAP,
    );
  }
  if (newHealth.length > 0) next.health = [...newHealth.reverse(), ...next.health].slice(0, LIVE_HEALTH_CAP);
  if (newActivity.length > 0) {
    const seen = new Set(newActivity.map((a) => a.id));
    next.activity = [...newActivity.reverse(), ...next.activity.filter((a) => !seen.has(a.id))].slice(
      0,
      LIVE_ACTIVITY_CAP,
    );
  }
  return next;
}

/** A fetched row with the live patches of its worker laid over it (the row keeps its place). */
export function patchRow<T extends { workerId: string }>(row: T, patch: WorkerPatch | undefined): T {
  if (!patch) return row;
  const out = { ...row } as T & WorkerPatch;
  // A row fetched after the last heartbeat is newer than the patch.
  const rowSeen = (row as { lastSeenAt?: unknown }).lastSeenAt;
  const stale = patch.lastSeenAt !== undefined && typeof rowSeen === "number" && rowSeen > patch.lastSeenAt;
  if (stale) {
    if (patch.online !== undefined && "online" in row) out.online = patch.online;
    if (patch.state !== undefined && "state" in row) out.state = patch.state;
    return out;
  }
  if (patch.hashrate !== undefined && "hashrate" in row) out.hashrate = patch.hashrate;
  if (patch.activeGpus !== undefined && "activeGpus" in row) out.activeGpus = patch.activeGpus;
  if (patch.lastSeenAt !== undefined && "lastSeenAt" in row) out.lastSeenAt = patch.lastSeenAt;
  if (patch.online !== undefined && "online" in row) out.online = patch.online;
  if (patch.state !== undefined && "state" in row) out.state = patch.state;
  return out;
}
