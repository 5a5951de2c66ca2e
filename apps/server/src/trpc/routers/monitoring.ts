/** `monitoring` (public): fleet cards, the fleet table, one worker, hashrate history, blocks, health. */
import { z } from "zod";
import { blockView, fleetWorker, workerDetail } from "../serialize.js";
import { publicProcedure, router } from "../trpc.js";
import {
  addressInput,
  cursorOf,
  cursorPage,
  numberedPage,
  pageOf,
  sortDirInput,
  unwrapResult,
  workerIdInput,
} from "./inputs.js";

const fleetSort = z
  .enum(["hashrate", "lastSeen", "gpus", "activeGpus", "blocks", "workerId", "owner", "state", "uptime"])
  .default("hashrate");

export const monitoring = router({
  stats: publicProcedure.query(({ ctx }) =>
    ctx.views.get("monitoring.stats", () => ctx.platform.queries.fleet.stats()),
  ),

  fleet: publicProcedure
    .input(
      numberedPage
        .extend({
          status: z.enum(["all", "online", "offline"]).default("all"),
          sortBy: fleetSort,
          sortDir: sortDirInput,
          owner: addressInput.optional(),
          search: z.string().max(64).optional(),
        })
        .default({ page: 1, limit: 20, status: "all", sortBy: "hashrate", sortDir: "desc" }),
    )
    .query(async ({ ctx, input }) => {
      const { items, total } = await ctx.platform.queries.fleet.page({
        page: input.page,
        limit: input.limit,
        sortBy: input.sortBy,
        sortDir: input.sortDir,
        status: input.status,
        ...(input.owner !== undefined && { owner: input.owner.toLowerCase() }),
        ...(input.search !== undefined && input.search.trim() !== "" && { search: input.search.trim() }),
      });
      const now = ctx.platform.clock.now();
      return pageOf(
        items.map((w) => fleetWorker(w, now)),
        total,
        input.page,
        input.limit,
      );
    }),

  worker: publicProcedure.input(z.strictObject({ workerId: workerIdInput })).query(async ({ ctx, input }) => {
    const found = unwrapResult(
      await ctx.platform.queries.fleet.worker(input.workerId, ctx.actor?.address ?? null),
    );
    return workerDetail(found.worker, ctx.platform.clock.now(), found.openLeaseId, found.showLease);
  }),

  hashrateHistory: publicProcedure
    .input(
      z
        .strictObject({
          workerId: workerIdInput.optional(),
          owner: addressInput.optional(),
          range: z.enum(["1h", "6h", "24h", "7d", "30d"]).default("24h"),
        })
        .default({ range: "24h" }),
    )
    .query(({ ctx, input }) =>
      ctx.platform.queries.fleet.hashrateHistory({
        range: input.range,
        ...(input.workerId !== undefined && { workerId: input.workerId }),
        ...(input.owner !== undefined && { owner: input.owner }),
      }),
    ),

  /** The newest blocks, newest first. */
  recentBlocks: publicProcedure
    .input(
      z
        .strictObject({
          limit: z.number().int().min(1).max(200).default(20),
          /** One worker's blocks (the worker drawer); an extension of api.md's `{limit}`. */
          workerId: workerIdInput.optional(),
        })
        .default({ limit: 20 }),
    )
    .query(async ({ ctx, input }) => {
      const page = await ctx.platform.queries.market.blocks({
        limit: input.limit,
        ...(input.workerId !== undefined && { workerId: input.workerId }),
      });
      return page.items.map(blockView);
    }),

  /** Online/offline transitions, newest first, for the fleet or one worker. */
  health: publicProcedure
    .input(cursorPage.extend({ workerId: workerIdInput.optional() }).default({ limit: 20 }))
    .query(async ({ ctx, input }) => {
      const page = await ctx.platform.queries.fleet.health({
        ...cursorOf(input),
        ...(input.workerId !== undefined && { workerId: input.workerId }),
      });
      return {
        items: page.items.map((e) => ({
          id: e.id,
          at: e.at,
          workerId: e.workerId,
          kind: e.kind,
          ...(e.reason !== null && { reason: e.reason }),
          ...(e.offlineForSec !== null && { offlineForSec: e.offlineForSec }),
        })),
        nextCursor: page.nextCursor,
      };
    }),
});
