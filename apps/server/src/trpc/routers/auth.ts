/**
 * `auth` (api.md §2): Sign-In with Ethereum → JWT, logout, and who is asking.
 */
import { DomainError } from "@xenblocks/core";
import { z } from "zod";
import { checksumAddress } from "../serialize.js";
import {
  type Context,
  router,
  signedInProcedure,
  signInProcedure,
  toTRPCError,
  userProcedure,
} from "../trpc.js";

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "address must be 0x followed by 40 hex digits");

/** Domain refusals (bad signature, used nonce…) as tRPC errors with their app code. */
async function domain<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (e instanceof DomainError) throw toTRPCError(e);
    throw e;
  }
}

/** `me = {address, isAdmin, isProvider, createdAt}` of an address. */
async function meOf(ctx: Pick<Context, "platform" | "storage">, who: string) {
  const account = await ctx.storage.accounts.get(who);
  const workers = await ctx.storage.workers.listByOwner(who);
  return {
    address: checksumAddress(who),
    isAdmin: ctx.platform.accounts.isAdmin(who),
    isProvider: workers.length > 0,
    createdAt: account?.createdAt ?? null,
  };
}

export const auth = router({
  /** A fresh nonce and the EIP-4361 message to sign with the wallet. */
  nonce: signInProcedure
    .input(z.strictObject({ address, chainId: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER) }))
    .mutation(({ ctx, input }) => domain(() => ctx.auth.issueNonce(input))),

  /** The signed message → a session token (24 h) and who signed in. */
  verify: signInProcedure
    .input(
      z.strictObject({
        message: z.string().min(1).max(4096),
        signature: z
          .string()
          .regex(/^0x[0-9a-fA-F]{130}$/, "signature must be 0x followed by 130 hex digits"),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const signedIn = await domain(() => ctx.auth.verify(input));
      return {
        token: signedIn.token,
        expiresAt: signedIn.expiresAt,
        me: await meOf(ctx, signedIn.address.toLowerCase()),
      };
    }),

  /** Revokes this session's token. */
  logout: signedInProcedure.mutation(async ({ ctx }) => {
    await ctx.auth.logout(ctx.session);
    return { ok: true as const };
  }),

  /** Who is asking: `{address, isAdmin, isProvider, createdAt}`. */
  me: userProcedure.query(({ ctx }) => meOf(ctx, ctx.actor.address)),
});
