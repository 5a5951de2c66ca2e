/**
 * The API (api.md §2), growing router by router. `type AppRouter` is what the dashboard imports.
 */
import { DomainError, formatMoney, parseMoney, pricePerHour, type Result } from "@xenblocks/core";
import { z } from "zod";
import { blockView, checksumAddress } from "./serialize.js";
import { adminProcedure, publicProcedure, router, toTRPCError, userProcedure } from "./trpc.js";

/** A core result as the procedure's value, or the refusal as a tRPC error with its app code. */
function unwrapResult<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw toTRPCError(result.error);
}

/** A decimal amount string (api.md §1: XNM with up to 6 fraction digits) to units. */
function units(text: string): bigint {
  try {
    return parseMoney(text);
  } catch (e) {
    if (e instanceof DomainError) throw toTRPCError(e);
    throw e;
  }
}

const workerIdInput = z.string().min(1).max(128);

/** Cursor-style page input (api.md §1): the cursor is opaque; a bad one reads from the start. */
const cursorPage = z.strictObject({
  cursor: z.string().max(32).nullish(),
  limit: z.number().int().min(1).max(100).default(20),
});

const monitoring = router({
  /** The newest blocks, newest first. */
  recentBlocks: publicProcedure
    .input(z.strictObject({ limit: z.number().int().min(1).max(200).default(20) }).default({ limit: 20 }))
    .query(async ({ ctx, input }) => (await ctx.storage.blocks.recent(input.limit)).map(blockView)),

  /** Online/offline transitions, newest first, for the fleet or one worker. */
  health: publicProcedure
    .input(cursorPage.extend({ workerId: z.string().min(1).max(128).optional() }).default({ limit: 20 }))
    .query(async ({ ctx, input }) => {
      const page = await ctx.storage.health.list({
        cursor: input.cursor ?? null,
        limit: input.limit,
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

const provider = router({
  /** The owner's (or an admin's) price and duration bounds for one worker. */
  setPricing: userProcedure
    .input(
      z.strictObject({
        workerId: workerIdInput,
        pricePerSec: z.string().max(32),
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
});

const admin = router({
  /** What admins and owners did (bans, controls, credits…), newest first. */
  audit: adminProcedure.input(cursorPage.default({ limit: 20 })).query(async ({ ctx, input }) => {
    const page = await ctx.storage.audit.list({ cursor: input.cursor ?? null, limit: input.limit });
    return {
      items: page.items.map(({ id, at, actor, action, target, result }) => ({
        id,
        at,
        actor,
        action,
        target,
        result,
      })),
      nextCursor: page.nextCursor,
    };
  }),
});

const auth = router({
  /** Who is asking: `{address, isAdmin, isProvider, createdAt}`. */
  me: userProcedure.query(async ({ ctx }) => {
    const { address } = ctx.actor;
    const account = await ctx.storage.accounts.get(address);
    const workers = await ctx.storage.workers.listByOwner(address);
    return {
      address: checksumAddress(address),
      isAdmin: ctx.platform.accounts.isAdmin(address),
      isProvider: workers.length > 0,
      createdAt: account?.createdAt ?? null,
    };
  }),
});

export const appRouter = router({ monitoring, auth, provider, admin });
export type AppRouter = typeof appRouter;
