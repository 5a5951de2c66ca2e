/**
 * The live events of api.md §3 and how domain events become them. Public events carry public fields
 * only (no lease prefix, no addresses); lease events keep the records and are serialized per caller by
 * `live.leases`, which only ever sends them to the lease's parties.
 */

import {
  type ActivityItem,
  type BlockRecord,
  blockActivity,
  type DomainEvent,
  type FleetStats,
  type LeaseRecord,
  leaseActivity,
  round2,
  type SettlementRecord,
  type WorkerState,
} from "@xenblocks/core";
import type { blockView } from "../trpc/serialize.js";

export const LIVE_TOPICS = [
  "heartbeat",
  "status",
  "block",
  "block_chain",
  "health",
  "worker",
  "activity",
  "stats",
] as const;
export type LiveTopic = (typeof LIVE_TOPICS)[number];

/** `monitoring.stats`. */
export type MonitoringStats = FleetStats;
export type BlockView = ReturnType<typeof blockView>;

/** What `live.snapshot` answers and the `snapshot` event carries. */
export interface LiveSnapshot {
  /** Resume point: events after this id are not reflected in the snapshot. */
  eventId: string;
  serverTime: number;
  stats: MonitoringStats;
  recentBlocks: BlockView[];
}

export type PublicLiveEvent =
  | {
      type: "heartbeat";
      at: number;
      workerId: string;
      hashrate: number;
      activeGpus: number;
      lastSeenAt: number;
    }
  | { type: "status"; at: number; workerId: string; state: WorkerState; leaseId: string | null }
  | {
      type: "block";
      at: number;
      id: number;
      workerId: string;
      leaseId: string | null;
      key: string;
      blockType: BlockRecord["blockType"];
      status: BlockRecord["status"];
      rejectReason?: NonNullable<BlockRecord["rejectReason"]>;
      /** Where chain verification stands when the block is stored (then `block_chain` events). */
      chainStatus: NonNullable<BlockRecord["chainStatus"]>;
    }
  | {
      type: "block_chain";
      at: number;
      id: number;
      chainStatus: NonNullable<BlockRecord["chainStatus"]>;
      chainBlockId?: number;
    }
  | {
      type: "health";
      at: number;
      workerId: string;
      kind: "offline" | "online";
      reason?: string;
      offlineForSec?: number;
    }
  | { type: "worker"; at: number; workerId: string; change: WorkerChange }
  | { type: "activity"; at: number; item: ActivityItem }
  | StatsLiveEvent;

/**
 * `stats`: the payload is `monitoring.stats` (api.md §3), spread on the event like every other
 * payload; the same figures stay under `stats` too for clients that read them as one object.
 */
export type StatsLiveEvent = { type: "stats"; at: number; stats: MonitoringStats } & MonitoringStats;

export function statsEvent(stats: MonitoringStats, at: number): StatsLiveEvent {
  return { ...stats, type: "stats", at, stats };
}

export type WorkerChange = "registered" | "updated" | "listed" | "unlisted" | "banned" | "unbanned";

/** Private: only `live.leases` sends these, to the renter and the provider. */
export interface LeaseLiveEvent {
  type: "lease";
  at: number;
  lease: LeaseRecord;
  settlement: SettlementRecord | null;
}

export type SnapshotLiveEvent = { type: "snapshot"; at: number } & LiveSnapshot;

/** Everything the hub sequences and buffers. */
export type HubEvent = PublicLiveEvent | LeaseLiveEvent;

export function isPublicEvent(event: HubEvent): event is PublicLiveEvent {
  return event.type !== "lease";
}

/** The live events one domain event gives, stamped `at` (the hub's clock). */
export function toLiveEvents(e: DomainEvent, at: number): HubEvent[] {
  switch (e.type) {
    case "WorkerRegistered":
      return [{ type: "worker", at, workerId: e.workerId, change: e.isNew ? "registered" : "updated" }];
    case "WorkerChanged":
      return [
        { type: "worker", at, workerId: e.workerId, change: e.change === "pricing" ? "updated" : e.change },
      ];
    case "Heartbeat":
      return [
        {
          type: "heartbeat",
          at,
          workerId: e.workerId,
          // H/s with 2 dp, as everywhere in the API (api.md §1).
          hashrate: round2(e.hashrate),
          activeGpus: e.activeGpus,
          lastSeenAt: e.at,
        },
      ];
    case "WorkerStatusChanged":
      return [{ type: "status", at, workerId: e.workerId, state: e.state, leaseId: e.leaseId }];
    case "WorkerHealthChanged":
      return [
        {
          type: "health",
          at,
          workerId: e.workerId,
          kind: e.kind,
          ...(e.reason !== null && { reason: e.reason }),
          ...(e.offlineForSec !== null && { offlineForSec: e.offlineForSec }),
        },
      ];
    case "BlockRecorded": {
      const b = e.block;
      return [
        {
          type: "block",
          at,
          id: b.id,
          workerId: b.workerId,
          leaseId: b.leaseId,
          key: b.key,
          blockType: b.blockType,
          status: b.status,
          ...(b.rejectReason !== null && { rejectReason: b.rejectReason }),
          chainStatus: b.chainStatus ?? "skipped",
        },
        { type: "activity", at, item: blockActivity(b) },
      ];
    }
    case "BlockChainStatus":
      return [
        {
          type: "block_chain",
          at,
          id: e.blockId,
          chainStatus: e.chainStatus,
          ...(e.chainBlockId !== null && { chainBlockId: e.chainBlockId }),
        },
      ];
    case "LeaseChanged": {
      const out: HubEvent[] = [{ type: "lease", at, lease: e.lease, settlement: e.settlement }];
      const item = leaseItem(e.lease);
      if (item) out.push({ type: "activity", at, item });
      return out;
    }
    case "LedgerChanged":
      return [];
  }
}

/**
 * A lease enters the feed when it is confirmed (the pending → active change) and when it reaches its
 * final state; creation and other updates are not feed items.
 */
function leaseItem(lease: LeaseRecord): ActivityItem | null {
  if (lease.state === "active") return leaseActivity(lease, "started");
  if (lease.state === "pending") return null;
  return leaseActivity(lease, "ended");
}

/**
 * An entry's event as JSON, once for all clients. Lease records hold bigint money: their JSON (only used
 * for the byte bound; `live.leases` serializes lease events per caller) has it as strings.
 */
export function eventJson(entry: { event: HubEvent; json?: string }): string {
  if (entry.json === undefined) {
    entry.json =
      entry.event.type === "lease"
        ? JSON.stringify(entry.event, (_k, v) => (typeof v === "bigint" ? v.toString() : v))
        : JSON.stringify(entry.event);
  }
  return entry.json;
}

/** Serialized size, for the per-client byte bound (records hold bigint money). */
export function serializedBytes(event: unknown): number {
  return Buffer.byteLength(JSON.stringify(event, (_k, v) => (typeof v === "bigint" ? v.toString() : v)));
}
