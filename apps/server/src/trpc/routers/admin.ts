/** `admin` (admins from config, checked on every call): status, accounts, money, bans, broadcast, audit. */
import { formatMoney, userAccount } from "@xenblocks/core";
import { z } from "zod";
import {
  chainAdapterName,
  checksumAddress,
  displayAddress,
  ledgerEntryView,
  settlementView,
  withdrawalView,
} from "../serialize.js";
import { adminProcedure, router } from "../trpc.js";
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
import { controlInput } from "./provider.js";

export const admin = router({
  status: adminProcedure.query(async ({ ctx }) => {
    const [s, chain] = await Promise.all([ctx.platform.queries.admin.status(), ctx.info.chain.stats()]);
    return {
      version: ctx.info.version,
      uptimeSec: Math.floor((Date.now() - ctx.info.startedAt) / 1000),
      mqttClients: ctx.info.mqttClients().length,
      workers: s.workers,
      leases: s.leases,
      blocks: s.blocks,
      ledger: {
        sum: formatMoney(s.ledger.sum),
        escrow: formatMoney(s.ledger.escrow),
        openLeaseEscrow: formatMoney(s.ledger.openLeaseEscrow),
        treasury: formatMoney(s.ledger.treasury),
      },
      chain: {
        adapter: chainAdapterName(ctx.info.chain.adapter),
        reachable: ctx.info.chain.adapter === "none" ? false : chain !== null,
      },
    };
  }),

  accounts: adminProcedure
    .input(cursorPage.extend({ search: z.string().max(42).optional() }).default({ limit: 20 }))
    .query(async ({ ctx, input }) => {
      const page = await ctx.platform.queries.admin.accounts({
        ...cursorOf(input),
        ...(input.search !== undefined && { search: input.search }),
      });
      return {
        items: page.items.map((a) => ({
          address: checksumAddress(a.address),
          isAdmin: ctx.platform.accounts.isAdmin(a.address),
          isProvider: a.workerCount > 0,
          available: formatMoney(a.available),
          escrowed: formatMoney(a.escrowed),
          workerCount: a.workerCount,
          createdAt: a.createdAt,
        })),
        nextCursor: page.nextCursor,
      };
    }),

  settlements: adminProcedure
    .input(
      cursorPage
        .extend({ leaseId: leaseIdInput.optional(), address: addressInput.optional() })
        .default({ limit: 20 }),
    )
    .query(async ({ ctx, input }) => {
      const { page } = unwrapResult(
        await ctx.platform.queries.market.settlementsFor(ctx.actor, {
          ...cursorOf(input),
          ...(input.leaseId !== undefined && { leaseId: input.leaseId }),
          ...(input.address !== undefined && { address: input.address }),
        }),
      );
      return { items: page.items.map(settlementView), nextCursor: page.nextCursor };
    }),

  workerControl: adminProcedure.input(controlInput).mutation(async ({ ctx, input }) =>
    unwrapResult(
      await ctx.platform.workers.control(ctx.actor, {
        workerId: input.workerId,
        action: input.action,
        ...(input.config !== undefined && { config: input.config }),
        ...(input.confirm !== undefined && { confirm: input.confirm }),
      }),
    ),
  ),

  broadcast: adminProcedure
    .input(
      z.strictObject({
        action: z.enum(["pause", "resume", "shutdown", "set_config"]),
        config: z.record(z.string(), z.unknown()).optional(),
        onlineOnly: z.boolean().default(true),
        owner: addressInput.optional(),
        confirm: z.boolean().optional(),
      }),
    )
    .mutation(async ({ ctx, input }) =>
      unwrapResult(
        await ctx.platform.workers.broadcast(ctx.actor, {
          action: input.action,
          onlineOnly: input.onlineOnly,
          ...(input.config !== undefined && { config: input.config }),
          ...(input.owner !== undefined && { owner: input.owner }),
          ...(input.confirm !== undefined && { confirm: input.confirm }),
        }),
      ),
    ),

  setBanned: adminProcedure
    .input(
      z.strictObject({
        workerId: workerIdInput,
        banned: z.boolean(),
        reason: z.string().min(1).max(200).optional(),
      }),
    )
    .mutation(async ({ ctx, input }) =>
      unwrapResult(
        await ctx.platform.workers.setBanned(ctx.actor, input.workerId, input.banned, input.reason),
      ),
    ),

  /** A manual deposit to an account, with the payment's reference (idempotent by reference). */
  credit: adminProcedure
    .input(
      z.strictObject({
        address: addressInput,
        amount: moneyInput,
        reference: z.string().min(1).max(128),
        idempotencyKey: idempotencyKeyInput,
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const { idempotencyKey, ...request } = input;
      const answer = await ctx.platform.idempotency.run(
        ctx.actor,
        idempotencyKey,
        "admin.credit",
        JSON.stringify({ ...request, address: request.address.toLowerCase() }),
        async () => {
          const result = await ctx.platform.payments.credit(
            ctx.actor,
            input.address,
            units(input.amount),
            input.reference,
          );
          return result.ok
            ? { ok: true, value: JSON.stringify(ledgerEntryView(result.value, userAccount(input.address))) }
            : result;
        },
      );
      return JSON.parse(unwrapResult(answer)) as ReturnType<typeof ledgerEntryView>;
    }),

  withdrawals: adminProcedure
    .input(
      cursorPage
        .extend({ state: z.enum(["requested", "completed", "rejected", "cancelled"]).optional() })
        .default({ limit: 20 }),
    )
    .query(async ({ ctx, input }) => {
      const page = unwrapResult(
        await ctx.platform.queries.market.withdrawals(ctx.actor, {
          ...cursorOf(input),
          all: true,
          ...(input.state !== undefined && { state: input.state }),
        }),
      );
      return {
        items: page.items.map((w) => ({ ...withdrawalView(w), account: checksumAddress(w.address) })),
        nextCursor: page.nextCursor,
      };
    }),

  resolveWithdrawal: adminProcedure
    .input(
      z.strictObject({
        id: z.string().min(1).max(128),
        action: z.enum(["complete", "reject"]),
        reference: z.string().min(1).max(128).optional(),
        reason: z.string().min(1).max(200).optional(),
      }),
    )
    .mutation(async ({ ctx, input }) =>
      withdrawalView(
        unwrapResult(
          await ctx.platform.payments.resolveWithdrawal(ctx.actor, input.id, input.action, {
            ...(input.reference !== undefined && { reference: input.reference }),
            ...(input.reason !== undefined && { reason: input.reason }),
          }),
        ),
      ),
    ),

  /** What admins and owners did (bans, controls, credits…), newest first. */
  audit: adminProcedure.input(cursorPage.default({ limit: 20 })).query(async ({ ctx, input }) => {
    const page = await ctx.platform.queries.admin.audit(cursorOf(input));
    return {
      items: page.items.map(({ id, at, actor, action, target, result }) => ({
        id,
        at,
        actor: displayAddress(actor),
        action,
        target: displayAddress(target),
        result,
      })),
      nextCursor: page.nextCursor,
    };
  }),
});
