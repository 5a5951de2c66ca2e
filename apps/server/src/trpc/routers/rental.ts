/** `rental`: rent, stop, and the caller's leases and blocks. */
import { formatMoney } from "@xenblocks/core";
import { z } from "zod";
import { blockView, leaseView, settlementView } from "../serialize.js";
import { publicProcedure, router, userProcedure } from "../trpc.js";
import {
  addressInput,
  cursorOf,
  cursorPage,
  idempotencyKeyInput,
  leaseIdInput,
  moneyInput,
  units,
  unwrapResult,
  workerIdInput,
} from "./inputs.js";

const leaseState = z.enum(["pending", "active", "completed", "cancelled", "interrupted"]);

const rentInput = z.strictObject({
  durationSec: z.number().int().positive(),
  workerId: workerIdInput.optional(),
  consumerAddress: addressInput.optional(),
  maxPricePerSec: moneyInput.optional(),
  minHashrate: z.number().nonnegative().optional(),
  gpu: z.string().max(64).optional(),
  idempotencyKey: idempotencyKeyInput,
});

export const rental = router({
  /** A pending lease with its escrow held; the worker is sent `assign_task`. */
  rent: userProcedure.input(rentInput).mutation(async ({ ctx, input }) => {
    const { idempotencyKey, ...request } = input;
    const answer = await ctx.platform.idempotency.run(
      ctx.actor,
      idempotencyKey,
      "rental.rent",
      // Canonical input: an address in another case is the same request.
      JSON.stringify({ ...request, consumerAddress: request.consumerAddress?.toLowerCase() }),
      async () => {
        const result = await ctx.platform.rental.rent(ctx.actor, {
          durationSec: input.durationSec,
          ...(input.workerId !== undefined && { workerId: input.workerId }),
          ...(input.consumerAddress !== undefined && { consumerAddress: input.consumerAddress }),
          ...(input.maxPricePerSec !== undefined && { maxPricePerSec: units(input.maxPricePerSec) }),
          ...(input.minHashrate !== undefined && { minHashrate: input.minHashrate }),
          ...(input.gpu !== undefined && { gpu: input.gpu }),
        });
        return result.ok ? { ok: true, value: JSON.stringify(leaseView(result.value, true)) } : result;
      },
    );
    return JSON.parse(unwrapResult(answer)) as ReturnType<typeof leaseView>;
  }),

  /** Renter or admin; settles at once. */
  stop: userProcedure.input(z.strictObject({ leaseId: leaseIdInput })).mutation(async ({ ctx, input }) => {
    const { lease, settlement } = unwrapResult(await ctx.platform.rental.stop(ctx.actor, input.leaseId));
    return { lease: leaseView(lease, true), settlement: settlementView(settlement) };
  }),

  leases: userProcedure
    .input(
      cursorPage
        .extend({ as: z.enum(["renter", "provider"]).default("renter"), state: leaseState.optional() })
        .default({ limit: 20, as: "renter" }),
    )
    .query(async ({ ctx, input }) => {
      const page = unwrapResult(
        await ctx.platform.queries.market.leases(ctx.actor, {
          ...cursorOf(input),
          as: input.as,
          ...(input.state !== undefined && { state: input.state }),
        }),
      );
      return { items: page.items.map((l) => leaseView(l, true)), nextCursor: page.nextCursor };
    }),

  /** One lease with its settlement (parties and admins). */
  lease: userProcedure.input(z.strictObject({ leaseId: leaseIdInput })).query(async ({ ctx, input }) => {
    const { lease, settlement } = unwrapResult(await ctx.platform.rental.getLease(ctx.actor, input.leaseId));
    return { ...leaseView(lease, true), ...(settlement && { settlement: settlementView(settlement) }) };
  }),

  /** A lease's blocks, oldest first (public). */
  blocks: publicProcedure
    .input(
      cursorPage.extend({
        leaseId: leaseIdInput,
        status: z.enum(["accepted", "rejected", "self"]).optional(),
      }),
    )
    .query(async ({ ctx, input }) => {
      const page = unwrapResult(
        await ctx.platform.queries.market.leaseBlocks(input.leaseId, {
          ...cursorOf(input),
          ...(input.status !== undefined && { status: input.status }),
        }),
      );
      return { items: page.items.map(blockView), nextCursor: page.nextCursor };
    }),

  renterStats: userProcedure.query(async ({ ctx }) => {
    const s = await ctx.platform.queries.market.renterStats(ctx.actor);
    return {
      ...s,
      totalSpent: formatMoney(s.totalSpent),
      totalRefunded: formatMoney(s.totalRefunded),
      avgCostPerLease: formatMoney(s.avgCostPerLease),
    };
  }),
});
