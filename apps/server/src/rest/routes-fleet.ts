/** REST §4: the fleet (monitoring cards and table, hashrate history, recent blocks) and one worker's figures. */
import { formatMoney, suggestPrice, type WorkerSort } from "@xenblocks/core";
import { z } from "zod";
import { BARE_ARRAY_CAP, workerRowOf } from "./loaders.js";
import { address, int, num, numbered, numberedPageOf } from "./params.js";
import { type RestRoute, route } from "./route.js";
import { blockRow, perMin, reputationRow, sec } from "./rows.js";

/** The earlier `sort_by` names (and the tRPC ones) → the fleet's sort keys. */
const FLEET_SORT: Record<string, WorkerSort> = {
  hashrate: "hashrate",
  last_heartbeat: "lastSeen",
  last_seen: "lastSeen",
  lastSeen: "lastSeen",
  gpus: "gpus",
  gpu_count: "gpus",
  active_gpus: "activeGpus",
  activeGpus: "activeGpus",
  blocks: "blocks",
  worker_id: "workerId",
  workerId: "workerId",
  eth_address: "owner",
  owner: "owner",
  state: "state",
  uptime: "uptime",
};

const HOUR_MS = 3_600_000;

/** The narrowest history range that covers `hours`. */
const rangeFor = (hours: number) =>
  hours <= 1 ? "1h" : hours <= 6 ? "6h" : hours <= 24 ? "24h" : hours <= 168 ? "7d" : "30d";

export const fleetRoutes: RestRoute[] = [
  route({
    method: "GET",
    path: "/api/monitoring/fleet",
    auth: "public",
    tag: "monitoring",
    summary: "The fleet table",
    returns: "page style of WorkerRow + total_online_sec",
    query: z.object({
      ...numbered(100, 20),
      sort: z.enum(["asc", "desc"]).default("desc"),
      sort_by: z
        .enum(Object.keys(FLEET_SORT) as [string, ...string[]])
        .default("hashrate")
        .describe("column to sort by"),
      status: z.enum(["all", "online", "offline"]).default("all"),
      eth_address: address().optional().describe("only this owner's workers"),
    }),
    async run({ ctx, query }) {
      const { items, total } = await ctx.platform.queries.fleet.page({
        page: query.page,
        limit: query.limit,
        sortBy: FLEET_SORT[query.sort_by] ?? "hashrate",
        sortDir: query.sort,
        status: query.status,
        ...(query.eth_address !== undefined && { owner: query.eth_address.toLowerCase() }),
      });
      const rows = items.map((w) => ({ ...workerRowOf(ctx, w), total_online_sec: Math.floor(w.onlineSec) }));
      return numberedPageOf(rows, total, query.page, query.limit);
    },
  }),
  route({
    method: "GET",
    path: "/api/monitoring/stats",
    auth: "public",
    tag: "monitoring",
    summary: "The fleet's cards",
    returns:
      "{total_workers, online, offline, total_hashrate, total_gpus, active_gpus, total_blocks, blocks_last_hour}",
    async run({ api }) {
      const s = await api.monitoring.stats();
      return {
        total_workers: s.totalWorkers,
        online: s.online,
        offline: s.offline,
        total_hashrate: s.totalHashrate,
        total_gpus: s.totalGpus,
        active_gpus: s.activeGpus,
        total_blocks: s.totalBlocks,
        blocks_last_hour: s.blocksLastHour,
      };
    },
  }),
  route({
    method: "GET",
    path: "/api/monitoring/hashrate-history",
    auth: "public",
    tag: "monitoring",
    summary: "Hashrate over the last hours (the fleet's, or one worker's), oldest first",
    returns: "bare array [{worker_id, hashrate, active_gpus, timestamp}]",
    query: z.object({
      worker_id: z.string().min(1).max(128).optional(),
      hours: num().min(0.0167).max(720).default(1).describe("how far back (0.0167..720)"),
    }),
    async run({ ctx, api, query }) {
      const h = await api.monitoring.hashrateHistory({
        range: rangeFor(query.hours),
        ...(query.worker_id !== undefined && { workerId: query.worker_id }),
      });
      const from = ctx.platform.clock.now() - query.hours * HOUR_MS;
      return h.points
        .filter((p) => p.ts + h.bucketSec * 1000 > from)
        .map((p) => ({
          worker_id: query.worker_id ?? null,
          hashrate: p.hashrate,
          active_gpus: p.activeGpus,
          timestamp: sec(p.ts),
        }));
    },
  }),
  route({
    method: "GET",
    path: "/api/monitoring/blocks/recent",
    auth: "public",
    tag: "monitoring",
    summary: "The newest blocks, newest first",
    returns: "bare array of BlockRow",
    query: z.object({ limit: int().min(1).max(200).default(20) }),
    async run({ api, query }) {
      const blocks = await api.monitoring.recentBlocks({ limit: query.limit });
      return blocks.map(blockRow);
    },
  }),
  route({
    method: "GET",
    path: "/api/workers",
    auth: "public",
    tag: "workers",
    summary: "Every worker",
    returns: "bare array of WorkerRow",
    async run({ ctx }) {
      const all = await ctx.platform.queries.fleet.all();
      return all.slice(0, BARE_ARRAY_CAP).map((w) => workerRowOf(ctx, w));
    },
  }),
  route({
    method: "GET",
    path: "/api/workers/{id}/pricing",
    auth: "public",
    tag: "workers",
    summary: "A worker's price and duration bounds",
    returns:
      "{worker_id, price_per_min, price_per_sec, min_duration_sec, max_duration_sec, gpu_count, total_memory_gb, hashrate}",
    errors: [404],
    async run({ api, param }) {
      const w = await api.monitoring.worker({ workerId: param("id") });
      return {
        worker_id: w.workerId,
        price_per_min: perMin(w.pricePerSec),
        price_per_sec: w.pricePerSec,
        min_duration_sec: w.minDurationSec,
        max_duration_sec: w.maxDurationSec,
        gpu_count: w.gpuCount,
        total_memory_gb: w.totalMemoryGb,
        hashrate: w.hashrate,
      };
    },
  }),
  route({
    method: "GET",
    path: "/api/workers/{id}/pricing/suggest",
    auth: "public",
    tag: "workers",
    summary: "The table price for a worker's GPUs (platform-rules §3)",
    returns:
      "{worker_id, suggested_price_per_min, suggested_price_per_sec, gpu_count, total_memory_gb, current_price_per_min}",
    errors: [404],
    async run({ api, param }) {
      const w = await api.monitoring.worker({ workerId: param("id") });
      const s = suggestPrice({ gpus: w.gpus, gpuCount: w.gpuCount, totalMemoryGb: w.totalMemoryGb });
      return {
        worker_id: w.workerId,
        suggested_price_per_min: formatMoney(s.pricePerMin),
        suggested_price_per_sec: formatMoney(s.pricePerSec),
        gpu_count: w.gpuCount,
        total_memory_gb: w.totalMemoryGb,
        current_price_per_min: perMin(w.pricePerSec),
      };
    },
  }),
  route({
    method: "GET",
    path: "/api/workers/{id}/reputation",
    auth: "public",
    tag: "workers",
    summary: "A worker's reputation with its breakdown",
    returns: "{worker_id, score, stars, breakdown}",
    errors: [404],
    async run({ api, param }) {
      const w = await api.monitoring.worker({ workerId: param("id") });
      return { worker_id: w.workerId, ...reputationRow(w.reputation) };
    },
  }),
];
