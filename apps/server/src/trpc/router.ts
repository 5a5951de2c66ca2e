/**
 * The API (api.md §2), growing router by router. `type AppRouter` is what the dashboard imports.
 */
import { z } from "zod";
import { blockView, checksumAddress } from "./serialize.js";
import { adminProcedure, publicProcedure, router, userProcedure } from "./trpc.js";

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

export const appRouter = router({ monitoring, auth, admin });
export type AppRouter = typeof appRouter;
