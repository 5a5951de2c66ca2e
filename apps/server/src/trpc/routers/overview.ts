/** `overview` (public): the landing page's figures, activity feed and network panel. */
import { formatMoney, round2 } from "@xenblocks/core";
import { z } from "zod";
import { chainAdapterName } from "../serialize.js";
import { publicProcedure, router } from "../trpc.js";
import { cursorOf, cursorPage } from "./inputs.js";

export const overview = router({
  stats: publicProcedure.query(async ({ ctx }) => {
    const s = await ctx.views.get("overview.stats", () => ctx.platform.queries.market.overviewStats());
    return {
      ...s,
      settledVolume: formatMoney(s.settledVolume),
      settledVolume24h: formatMoney(s.settledVolume24h),
      platformRevenue: formatMoney(s.platformRevenue),
    };
  }),

  activity: publicProcedure
    .input(
      cursorPage
        // The feed's cursor is `<epoch ms>:<item id>`; anything else is refused, not read as "from the top".
        .extend({
          cursor: z
            .string()
            .max(128)
            .regex(/^\d{1,16}:.+$/, "not a cursor this feed gave")
            .nullish(),
        })
        .default({ limit: 20 }),
    )
    .query(({ ctx, input }) => ctx.platform.queries.market.activity(cursorOf(input))),

  network: publicProcedure.query(async ({ ctx }) => {
    const [chain, fleet, history] = await Promise.all([
      ctx.info.chain.stats(),
      ctx.platform.queries.fleet.stats(),
      ctx.platform.queries.fleet.hashrateHistory({ range: "24h" }),
    ]);
    // Hourly points from the 5-minute buckets: the mean of each hour's buckets.
    const hours = new Map<number, { sum: number; n: number }>();
    for (const p of history.points) {
      const ts = Math.floor(p.ts / 3_600_000) * 3_600_000;
      const h = hours.get(ts) ?? { sum: 0, n: 0 };
      h.sum += p.hashrate;
      h.n += 1;
      hours.set(ts, h);
    }
    return {
      difficulty: chain?.difficulty ?? null,
      chainBlocks: chain?.totalBlocks ?? null,
      chainAdapter: chainAdapterName(ctx.info.chain.adapter),
      totalWorkers: fleet.totalWorkers,
      totalBlocks: fleet.totalBlocks,
      fleetHashrate24h: [...hours].map(([ts, h]) => ({
        ts,
        hashrate: round2(h.sum / h.n),
      })),
    };
  }),
});
