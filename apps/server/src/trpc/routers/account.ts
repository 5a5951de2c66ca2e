/** `account` (user): balance, ledger lines, faucet deposits, withdrawals, API keys (signed-in). */
import { type Actor, formatMoney, type Transfer, userAccount } from "@xenblocks/core";
import { z } from "zod";
import { checksumAddress, ledgerEntryView, withdrawalView } from "../serialize.js";
import { router, signedInProcedure, userProcedure } from "../trpc.js";
import {
  addressInput,
  cursorOf,
  cursorPage,
  idempotencyKeyInput,
  moneyInput,
  units,
  unwrapResult,
} from "./inputs.js";

const transferType = z.enum([
  "deposit",
  "lease_escrow",
  "lease_payment",
  "lease_fee",
  "lease_refund",
  "withdrawal_hold",
  "withdrawal_paid",
  "withdrawal_returned",
]);

export const entryFor = (actor: Actor, t: Transfer) => ledgerEntryView(t, userAccount(actor.address));

const apiKeys = router({
  list: signedInProcedure.query(async ({ ctx }) => {
    const keys = unwrapResult(await ctx.platform.accounts.listApiKeys(ctx.actor));
    return keys.map((k) => ({
      id: k.id,
      name: k.name,
      last4: k.last4,
      createdAt: k.createdAt,
      lastUsedAt: k.lastUsedAt,
      revokedAt: k.revokedAt,
    }));
  }),
  /** The key is shown this once; only its hash is kept. */
  create: signedInProcedure
    .input(z.strictObject({ name: z.string().min(1).max(64) }))
    .mutation(async ({ ctx, input }) => {
      const { record, key } = unwrapResult(await ctx.platform.accounts.createApiKey(ctx.actor, input.name));
      return { id: record.id, name: record.name, key, createdAt: record.createdAt };
    }),
  revoke: signedInProcedure
    .input(z.strictObject({ id: z.string().min(1).max(128) }))
    .mutation(async ({ ctx, input }) =>
      unwrapResult(await ctx.platform.accounts.revokeApiKey(ctx.actor, input.id)),
    ),
});

export const account = router({
  balance: userProcedure.query(async ({ ctx }) => {
    const b = await ctx.platform.accounts.balance(ctx.actor.address);
    return {
      available: formatMoney(b.available),
      escrowed: formatMoney(b.escrowed),
      pendingWithdrawals: formatMoney(b.pendingWithdrawals),
    };
  }),

  transactions: userProcedure
    .input(cursorPage.extend({ type: transferType.optional() }).default({ limit: 20 }))
    .query(async ({ ctx, input }) => {
      const page = await ctx.platform.queries.market.transactions(ctx.actor, {
        ...cursorOf(input),
        ...(input.type !== undefined && { type: input.type }),
      });
      return { items: page.items.map((t) => entryFor(ctx.actor, t)), nextCursor: page.nextCursor };
    }),

  paymentOptions: userProcedure.query(async ({ ctx }) => {
    const f = await ctx.platform.queries.market.faucetAllowance(ctx.actor);
    return {
      faucet: {
        enabled: f.enabled,
        perRequest: formatMoney(f.perRequest),
        per24h: formatMoney(f.per24h),
        remaining24h: formatMoney(f.remaining24h),
      },
      manual: {
        instructions: `Ask an admin to credit ${checksumAddress(ctx.actor.address)} with your payment reference.`,
      },
    };
  }),

  /** A faucet deposit to the caller's own account (FAUCET_DISABLED, FAUCET_LIMIT). */
  deposit: userProcedure
    .input(z.strictObject({ amount: moneyInput, idempotencyKey: idempotencyKeyInput }))
    .mutation(async ({ ctx, input }) => {
      const answer = await ctx.platform.idempotency.run(
        ctx.actor,
        input.idempotencyKey,
        "account.deposit",
        JSON.stringify({ amount: input.amount }),
        async () => {
          const result = await ctx.platform.payments.faucet(ctx.actor, units(input.amount));
          if (!result.ok) return result;
          const b = await ctx.platform.accounts.balance(ctx.actor.address);
          return {
            ok: true,
            value: JSON.stringify({
              entry: entryFor(ctx.actor, result.value),
              available: formatMoney(b.available),
            }),
          };
        },
      );
      return JSON.parse(unwrapResult(answer)) as { entry: ReturnType<typeof entryFor>; available: string };
    }),

  withdraw: userProcedure
    .input(
      z.strictObject({
        amount: moneyInput,
        toAddress: addressInput.optional(),
        idempotencyKey: idempotencyKeyInput,
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const answer = await ctx.platform.idempotency.run(
        ctx.actor,
        input.idempotencyKey,
        "account.withdraw",
        JSON.stringify({ amount: input.amount, toAddress: input.toAddress?.toLowerCase() ?? null }),
        async () => {
          const result = await ctx.platform.payments.withdraw(
            ctx.actor,
            units(input.amount),
            input.toAddress,
          );
          return result.ok ? { ok: true, value: JSON.stringify(withdrawalView(result.value)) } : result;
        },
      );
      return JSON.parse(unwrapResult(answer)) as ReturnType<typeof withdrawalView>;
    }),

  withdrawals: userProcedure.input(cursorPage.default({ limit: 20 })).query(async ({ ctx, input }) => {
    const page = unwrapResult(await ctx.platform.queries.market.withdrawals(ctx.actor, cursorOf(input)));
    return { items: page.items.map(withdrawalView), nextCursor: page.nextCursor };
  }),

  cancelWithdrawal: userProcedure
    .input(z.strictObject({ id: z.string().min(1).max(128) }))
    .mutation(async ({ ctx, input }) =>
      withdrawalView(unwrapResult(await ctx.platform.payments.cancelWithdrawal(ctx.actor, input.id))),
    ),

  apiKeys,
});
