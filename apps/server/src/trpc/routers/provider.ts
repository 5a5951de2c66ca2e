/** `provider` (user; owner where a worker is named): the provider's fleet, prices, control, earnings. */
import { formatMoney, pricePerHour, pricePerMin, suggestPrice } from "@xenblocks/core";
import { z } from "zod";
import { fleetWorker, settlementView } from "../serialize.js";
import { router, userProcedure } from "../trpc.js";
import {
  cursorOf,
  cursorPage,
  moneyInput,
  numberedPage,
  pageOf,
  sortDirInput,
  units,
  unwrapResult,
  workerIdInput,
} from "./inputs.js";

export const controlInput = z.strictObject({
  workerId: workerIdInput,
  action: z.enum(["pause", "resume", "shutdown", "set_config"]),
  config: z.record(z.string(), z.unknown()).optional(),
  confirm: z.boolean().optional(),
});

export const provider = router({
  dashboard: userProcedure.query(async ({ ctx }) => {
    const d = await ctx.platform.queries.market.providerDashboard(ctx.actor.address);
    return { ...d, totalEarned: formatMoney(d.totalEarned), earned24h: formatMoney(d.earned24h) };
  }),

  workers: userProcedure
    .input(
      numberedPage
        .extend({
          filter: z.enum(["all", "online", "offline", "listed", "unlisted", "leased"]).default("all"),
          sortBy: z
            .enum([
              "hashrate",
              "lastSeen",
              "gpus",
              "activeGpus",
              "blocks",
              "workerId",
              "state",
              "uptime",
              "price",
            ])
            .default("workerId"),
          sortDir: sortDirInput,
        })
        .default({ page: 1, limit: 20, filter: "all", sortBy: "workerId", sortDir: "desc" }),
    )
    .query(async ({ ctx, input }) => {
      const f = input.filter;
      const { items, total } = await ctx.platform.queries.fleet.page({
        page: input.page,
        limit: input.limit,
        sortBy: input.sortBy,
        sortDir: input.sortDir,
        owner: ctx.actor.address.toLowerCase(),
        ...(f === "online" || f === "offline" ? { status: f } : {}),
        ...(f === "listed" ? { listed: true } : f === "unlisted" ? { listed: false } : {}),
        ...(f === "leased" && { leased: true }),
      });
      const now = ctx.platform.clock.now();
      return pageOf(
        items.map((w) => ({
          ...fleetWorker(w, now),
          pricePerSec: formatMoney(w.pricePerSec),
          minDurationSec: w.minDurationSec,
          maxDurationSec: w.maxDurationSec,
          config: { ...w.config },
        })),
        total,
        input.page,
        input.limit,
      );
    }),

  /** The owner's (or an admin's) price and duration bounds for one worker. */
  setPricing: userProcedure
    .input(
      z.strictObject({
        workerId: workerIdInput,
        pricePerSec: moneyInput,
        minDurationSec: z.number().int(),
        maxDurationSec: z.number().int(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const worker = unwrapResult(
        await ctx.platform.workers.setPricing(ctx.actor, input.workerId, {
          pricePerSec: units(input.pricePerSec),
          minDurationSec: input.minDurationSec,
          maxDurationSec: input.maxDurationSec,
        }),
      );
      return {
        workerId: worker.workerId,
        pricePerSec: formatMoney(worker.pricePerSec),
        pricePerHour: formatMoney(pricePerHour(worker.pricePerSec)),
        minDurationSec: worker.minDurationSec,
        maxDurationSec: worker.maxDurationSec,
      };
    }),

  /** Listed workers can be rented; unlisting stops new rentals only. */
  setListed: userProcedure
    .input(z.strictObject({ workerId: workerIdInput, listed: z.boolean() }))
    .mutation(async ({ ctx, input }) =>
      unwrapResult(await ctx.platform.workers.setListed(ctx.actor, input.workerId, input.listed)),
    ),

  /** The table price for the worker's GPUs (platform-rules §3); the owner's or an admin's. */
  suggestPrice: userProcedure
    .input(z.strictObject({ workerId: workerIdInput }))
    .query(async ({ ctx, input }) => {
      const found = unwrapResult(await ctx.platform.queries.fleet.owned(ctx.actor, input.workerId));
      const s = suggestPrice(found);
      return {
        pricePerSec: formatMoney(s.pricePerSec),
        pricePerMin: formatMoney(pricePerMin(s.pricePerSec)),
        lines: s.lines.map((l) => ({ gpu: l.gpu, ratePerMin: formatMoney(l.ratePerMin), source: l.source })),
      };
    }),

  /** pause / resume / shutdown (confirm) / set_config, with the worker's sequencing. */
  control: userProcedure.input(controlInput).mutation(async ({ ctx, input }) =>
    unwrapResult(
      await ctx.platform.workers.control(ctx.actor, {
        workerId: input.workerId,
        action: input.action,
        ...(input.config !== undefined && { config: input.config }),
        ...(input.confirm !== undefined && { confirm: input.confirm }),
      }),
    ),
  ),

  earnings: userProcedure.input(cursorPage.default({ limit: 20 })).query(async ({ ctx, input }) => {
    const page = await ctx.platform.queries.market.earnings(ctx.actor, cursorOf(input));
    return { items: page.items.map(settlementView), nextCursor: page.nextCursor };
  }),
});
