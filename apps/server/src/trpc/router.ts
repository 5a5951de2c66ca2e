/**
 * The API (api.md §2), growing router by router. `type AppRouter` is what the dashboard imports.
 */
import { z } from "zod";
import { blockView, checksumAddress } from "./serialize.js";
import { publicProcedure, router, userProcedure } from "./trpc.js";

const monitoring = router({
  /** The newest blocks, newest first. */
  recentBlocks: publicProcedure
    .input(z.strictObject({ limit: z.number().int().min(1).max(200).default(20) }).default({ limit: 20 }))
    .query(async ({ ctx, input }) => (await ctx.storage.blocks.recent(input.limit)).map(blockView)),
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

export const appRouter = router({ monitoring, auth });
export type AppRouter = typeof appRouter;
