/** `wallet` (user): the caller's own workers over time — history, achievements, stats, share card. */
import { formatMoney } from "@xenblocks/core";
import { z } from "zod";
import { checksumAddress } from "../serialize.js";
import { router, userProcedure } from "../trpc.js";

export const wallet = router({
  history: userProcedure
    .input(
      z
        .strictObject({ period: z.enum(["24h", "7d", "30d", "all"]).default("30d") })
        .default({ period: "30d" }),
    )
    .query(async ({ ctx, input }) => {
      const h = await ctx.platform.queries.wallet.history(ctx.actor.address, input.period);
      return {
        period: input.period,
        bucketSec: h.bucketSec,
        points: h.points.map((p) => ({ ...p, earnings: formatMoney(p.earnings) })),
      };
    }),

  achievements: userProcedure.query(async ({ ctx }) => {
    const t = await ctx.platform.queries.wallet.totals(ctx.actor.address);
    return {
      currentHashrate: t.currentHashrate,
      onlineWorkers: t.onlineWorkers,
      totalWorkers: t.totalWorkers,
      peakHashrate: t.peakHashrate,
      leaseBlocks: t.leaseBlocks,
      selfBlocks: t.selfBlocks,
      totalBlocks: t.totalBlocks,
      totalEarnings: formatMoney(t.totalEarnings),
      leasesServed: t.leasesServed,
      miningDays: t.miningDays,
      firstSeen: t.firstSeen,
    };
  }),

  stats: userProcedure.query(async ({ ctx }) => {
    const t = await ctx.platform.queries.wallet.totals(ctx.actor.address);
    return {
      onlineWorkers: t.onlineWorkers,
      totalWorkers: t.totalWorkers,
      totalHashrate: t.currentHashrate,
      totalGpus: t.totalGpus,
      totalBlocks: t.totalBlocks,
      totalEarnings: formatMoney(t.totalEarnings),
    };
  }),

  /** A shareable summary card. */
  share: userProcedure.query(async ({ ctx }) => {
    const t = await ctx.platform.queries.wallet.totals(ctx.actor.address);
    const full = checksumAddress(ctx.actor.address);
    const short = `${full.slice(0, 6)}…${full.slice(-4)}`;
    const miningHours = Math.round(t.miningDays * 24 * 10) / 10;
    const earnings = formatMoney(t.totalEarnings);
    return {
      address: short,
      fullAddress: full,
      totalBlocks: t.totalBlocks,
      peakHashrate: t.peakHashrate,
      totalEarnings: earnings,
      miningHours,
      workerCount: t.workerCount,
      generatedAt: ctx.platform.clock.now(),
      text: `${short} mined ${t.totalBlocks} XenBlocks blocks with ${t.workerCount} workers (peak ${t.peakHashrate} H/s) and earned ${earnings} XNM on the XenBlocks hashpower marketplace.`,
    };
  }),
});
