/** Test data for the live layer's unit tests. */
import type { Block, LiveEvent, LiveSnapshot, MonitoringStats } from "../api-types.js";

export function stats(over: Partial<MonitoringStats> = {}): MonitoringStats {
  return {
    totalWorkers: 3,
    online: 2,
    offline: 1,
    totalHashrate: 1500,
    totalGpus: 6,
    activeGpus: 4,
    totalBlocks: 10,
    blocksLastHour: 2,
    hashrateHourAgo: 1200,
    ...over,
  } as MonitoringStats;
}

export function block(id: number, over: Partial<Block> = {}): Block {
  return {
    id,
    key: `k${id}`,
    workerId: "w1",
    leaseId: null,
    hash: "h",
    account: "0xabc",
    attempts: 1,
    hashrate: "100.0",
    blockType: "normal",
    difficulty: 8,
    status: "self",
    chainStatus: "pending",
    receivedAt: 1000 + id,
    ...over,
  } as Block;
}

export function snapshot(over: Partial<LiveSnapshot> = {}): LiveSnapshot {
  return { eventId: "5", serverTime: 5000, stats: stats(), recentBlocks: [block(2), block(1)], ...over };
}

/** A `stats` event: the figures spread on the event and under `stats` (api.md §3). */
export function statsEvent(at: number, over: Partial<MonitoringStats> = {}): LiveEvent {
  const s = stats(over);
  return { ...s, type: "stats", at, stats: s } as LiveEvent;
}
