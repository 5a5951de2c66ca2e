/** REST §4: the platform's status, the landing page's figures and feed, and the retired dashboard paths. */
import type { ActivityItem } from "@xenblocks/core";
import { z } from "zod";
import type { Context } from "../trpc/trpc.js";
import { numbered, numberedPageOf } from "./params.js";
import { Reply, type RestRoute, route } from "./route.js";
import { sec } from "./rows.js";

/** Feed items `[offset, offset + limit)`, newest first, following the feed's cursor. */
async function activitySlice(ctx: Context, offset: number, limit: number): Promise<ActivityItem[]> {
  const items: ActivityItem[] = [];
  let cursor: string | null = null;
  do {
    const page = await ctx.platform.queries.market.activity({
      limit: 500,
      ...(cursor !== null && { cursor }),
    });
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null && items.length < offset + limit);
  return items.slice(offset, offset + limit);
}

const activityRow = (i: ActivityItem) => ({
  type: i.type,
  timestamp: sec(i.at),
  data: {
    worker_id: i.workerId,
    ...(i.leaseId !== undefined && { lease_id: i.leaseId }),
    ...(i.blockType !== undefined && { block_type: i.blockType }),
    ...(i.durationSec !== undefined && { duration_sec: i.durationSec }),
    ...(i.blocksAccepted !== undefined && { blocks_found: i.blocksAccepted }),
  },
});

export const overviewRoutes: RestRoute[] = [
  route({
    method: "GET",
    path: "/api/status",
    auth: "public",
    tag: "overview",
    summary: "Platform status: connected MQTT clients and counts",
    returns: "{mqtt_clients, workers, active_leases, total_blocks, self_mined_blocks, total_settlements}",
    async run({ ctx, api }) {
      const market = ctx.platform.queries.market;
      const [stats, self, settled] = await Promise.all([
        api.overview.stats(),
        market.countBlocks({ selfOnly: true }),
        market.settlementTotals(),
      ]);
      return {
        mqtt_clients: ctx.info.mqttClients(),
        workers: stats.totalWorkers,
        active_leases: stats.activeLeases,
        total_blocks: stats.totalBlocks,
        self_mined_blocks: self,
        total_settlements: settled.count,
      };
    },
  }),
  route({
    method: "GET",
    path: "/api/overview/stats",
    auth: "public",
    tag: "overview",
    summary: "Landing page figures",
    returns:
      "{total_users, total_providers, total_consumers, total_workers, online_workers, total_hashrate, total_blocks, blocks_24h, total_leases, active_leases, total_settled, platform_revenue}",
    async run({ api }) {
      const s = await api.overview.stats();
      return {
        total_users: s.accounts,
        total_providers: s.providers,
        total_consumers: s.renters,
        total_workers: s.totalWorkers,
        online_workers: s.onlineWorkers,
        total_hashrate: s.totalHashrate,
        total_blocks: s.totalBlocks,
        blocks_24h: s.blocks24h,
        total_leases: s.totalLeases,
        active_leases: s.activeLeases,
        total_settled: s.settledVolume,
        platform_revenue: s.platformRevenue,
      };
    },
  }),
  route({
    method: "GET",
    path: "/api/overview/activity",
    auth: "public",
    tag: "overview",
    summary: "Activity feed (blocks, lease starts and ends), newest first",
    returns: "page style; items {type, timestamp, data}",
    query: z.object(numbered(200, 50)),
    async run({ ctx, query }) {
      const market = ctx.platform.queries.market;
      const [items, blocks, settled, stats] = await Promise.all([
        activitySlice(ctx, (query.page - 1) * query.limit, query.limit),
        market.countBlocks(),
        market.settlementTotals(),
        market.overviewStats(),
      ]);
      // Blocks + ended leases (each has a settlement) + started ones (ended after confirmation, or open).
      const total = blocks + settled.count + settled.completed + settled.interrupted + stats.activeLeases;
      return numberedPageOf(items.map(activityRow), total, query.page, query.limit);
    },
  }),
  route({
    method: "GET",
    path: "/api/overview/network",
    auth: "public",
    tag: "overview",
    summary: "Chain and fleet figures",
    returns: "{difficulty, total_workers, total_blocks, chain_blocks}",
    async run({ api }) {
      const n = await api.overview.network();
      return {
        difficulty: n.difficulty,
        total_workers: n.totalWorkers,
        total_blocks: n.totalBlocks,
        chain_blocks: n.chainBlocks,
      };
    },
  }),
  route({
    method: "GET",
    path: "/dashboard",
    auth: "public",
    tag: "overview",
    summary: "The earlier dashboard: redirects to /monitoring",
    returns: "302 to /monitoring",
    errors: [302],
    async run() {
      return new Reply(302, { detail: "Moved to /monitoring" }, { location: "/monitoring" });
    },
  }),
  route({
    method: "GET",
    path: "/ws/dashboard",
    auth: "public",
    tag: "overview",
    summary: "The earlier dashboard socket: gone (replaced by tRPC subscriptions)",
    returns: "404",
    errors: [404],
    only: 404,
    async run() {
      return new Reply(404, {
        detail: "Removed: subscribe to live.events over tRPC at /trpc",
        code: "NOT_FOUND",
      });
    },
  }),
];
