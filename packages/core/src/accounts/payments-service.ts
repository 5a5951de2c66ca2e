/**
 * Deposits and withdrawals (platform-rules §12). There is never an unauthenticated credit: the
 * faucet credits only the signed-in caller, within limits; manual credits need an admin and a
 * unique external reference.
 */

import type { Context } from "../context.js";
import { isAdmin } from "../context.js";
import { attempt, fail, type Result } from "../errors.js";
import { checkActor, checkId, checkText } from "../identifiers.js";
import {
  applyTransfers,
  ESCROW,
  type Transfer,
  type TransferInput,
  transferIds,
  userAccount,
  WORLD,
} from "../ledger.js";
import { assertAmount, type Units } from "../money.js";
import { HEX_ADDRESS_PATTERN } from "../protocol/index.js";
import type { Actor, WithdrawalRecord } from "../types.js";

const DAY_MS = 86_400_000;

export class PaymentsService {
  constructor(private readonly ctx: Context) {}

  /** Faucet deposit to the caller's own account (development; off by default). */
  faucet(actor: Actor, amount: Units): Promise<Result<Transfer>> {
    return attempt(async () => {
      const { ctx } = this;
      const { enabled, perRequest, per24h } = ctx.config.faucet;
      if (!enabled) fail("FAUCET_DISABLED", "the faucet is disabled on this platform");
      assertAmount(amount);
      if (amount > perRequest) fail("FAUCET_LIMIT", `at most ${perRequest} units per faucet request`);
      const address = checkActor(actor);
      const account = userAccount(address);
      const now = ctx.clock.now();
      await ctx.storage.accounts.ensure(address, now);
      return this.post(async (tx) => {
        await tx.accounts.lock(address);
        const used = await tx.ledger.sumCredits({
          type: "deposit",
          to: account,
          since: now - DAY_MS,
          idPrefix: "deposit:faucet:",
        });
        if (used + amount > per24h) {
          fail("FAUCET_LIMIT", `faucet limit reached: ${per24h - used} units left in the last 24 h`, {
            remaining: String(per24h - used),
          });
        }
        return {
          id: transferIds.faucetDeposit(ctx.ids.uuidv7()),
          type: "deposit",
          from: WORLD,
          to: account,
          amount,
          reference: { kind: "deposit", id: "faucet" },
        };
      });
    });
  }

  /** Admin credit with an external reference; repeating a reference returns the first transfer. */
  credit(actor: Actor, address: string, amount: Units, reference: string): Promise<Result<Transfer>> {
    return attempt(async () => {
      const { ctx } = this;
      if (!isAdmin(ctx, actor.address)) fail("FORBIDDEN", "only admins may credit accounts");
      if (!HEX_ADDRESS_PATTERN.test(address))
        fail("VALIDATION", "address must be 0x followed by 40 hex digits");
      assertAmount(amount);
      const ref = checkText(typeof reference === "string" ? reference.trim() : reference, "a reference");
      const id = transferIds.manualDeposit(ref);
      const existing = await ctx.storage.ledger.getTransfer(id);
      if (existing) return existing;
      const now = ctx.clock.now();
      await ctx.storage.accounts.ensure(address.toLowerCase(), now);
      const transfer = await this.post(async (tx) => {
        // Locked before the check: a concurrent credit with the same reference waits here, then sees
        // the transfer the first one committed, instead of failing on the unique transfer id.
        await tx.accounts.lock(address.toLowerCase());
        if (await tx.ledger.getTransfer(id)) return null;
        return {
          id,
          type: "deposit",
          from: WORLD,
          to: userAccount(address),
          amount,
          reference: { kind: "deposit", id: ref },
        };
      });
      // A replay audits nothing: the first credit did.
      if (!transfer) return (await ctx.storage.ledger.getTransfer(id))!;
      await ctx.storage.audit.append({
        at: now,
        actor: actor.address.toLowerCase(),
        action: "credit",
        target: address.toLowerCase(),
        result: `${amount} units, reference ${ref}`,
      });
      return transfer;
    });
  }

  /** Holds `amount` of the caller's balance in escrow until an admin pays or rejects it. */
  withdraw(actor: Actor, amount: Units, toAddress?: string): Promise<Result<WithdrawalRecord>> {
    return attempt(async () => {
      const { ctx } = this;
      const address = checkActor(actor);
      const to = (toAddress ?? address).toLowerCase();
      if (!HEX_ADDRESS_PATTERN.test(to)) fail("VALIDATION", "toAddress must be 0x followed by 40 hex digits");
      assertAmount(amount);
      const now = ctx.clock.now();
      const withdrawal: WithdrawalRecord = {
        id: `wd-${ctx.ids.uuidv7()}`,
        address,
        amount,
        toAddress: to,
        state: "requested",
        reference: null,
        reason: null,
        createdAt: now,
        resolvedAt: null,
      };
      await this.post(async (tx) => {
        await tx.withdrawals.insert(withdrawal);
        return {
          id: transferIds.withdrawalHold(withdrawal.id),
          type: "withdrawal_hold",
          from: userAccount(address),
          to: ESCROW,
          amount,
          reference: { kind: "withdrawal", id: withdrawal.id },
        };
      });
      return withdrawal;
    });
  }

  /** The requester cancels while the withdrawal is still `requested`. */
  cancelWithdrawal(actor: Actor, id: string): Promise<Result<WithdrawalRecord>> {
    return this.resolve(id, (w) => {
      if (w.address !== checkActor(actor)) fail("NOT_FOUND", `withdrawal ${id} not found`);
      return { state: "cancelled", reference: null, reason: "cancelled by the requester" };
    });
  }

  /** Admin: `complete` pays it out (with a payout reference), `reject` returns it (with a reason). */
  resolveWithdrawal(
    actor: Actor,
    id: string,
    action: "complete" | "reject",
    detail: { reference?: string; reason?: string },
  ): Promise<Result<WithdrawalRecord>> {
    if (!isAdmin(this.ctx, actor.address)) {
      return attempt(async () => fail("FORBIDDEN", "only admins may resolve withdrawals"));
    }
    return this.resolve(
      id,
      () => {
        if (action === "complete") {
          if (!detail.reference) fail("VALIDATION", "a completed withdrawal needs its payout reference");
          return {
            state: "completed",
            reference: checkText(detail.reference, "a payout reference"),
            reason: null,
          };
        }
        if (!detail.reason) fail("VALIDATION", "a rejected withdrawal needs a reason");
        return { state: "rejected", reference: null, reason: checkText(detail.reason, "a reason") };
      },
      actor,
    );
  }

  private resolve(
    id: string,
    decide: (w: WithdrawalRecord) => Pick<WithdrawalRecord, "state" | "reference" | "reason">,
    admin?: Actor,
  ): Promise<Result<WithdrawalRecord>> {
    return attempt(async () => {
      const { ctx } = this;
      const now = ctx.clock.now();
      const resolved = await ctx.storage.transaction(async (tx) => {
        const w = await tx.withdrawals.getForUpdate(checkId(id, `withdrawal ${id}`));
        if (!w) fail("NOT_FOUND", `withdrawal ${id} not found`);
        const outcome = decide(w);
        if (w.state !== "requested") fail("VALIDATION", `withdrawal ${id} is already ${w.state}`);
        const transfer: TransferInput =
          outcome.state === "completed"
            ? {
                id: transferIds.withdrawalPaid(id),
                type: "withdrawal_paid",
                from: ESCROW,
                to: WORLD,
                amount: w.amount,
                reference: { kind: "withdrawal", id },
              }
            : {
                id: transferIds.withdrawalReturned(id),
                type: "withdrawal_returned",
                from: ESCROW,
                to: userAccount(w.address),
                amount: w.amount,
                reference: { kind: "withdrawal", id },
              };
        const balances = await tx.ledger.balances([transfer.from, transfer.to]);
        const { balances: after, posted } = applyTransfers(balances, [transfer], now);
        await tx.ledger.post(posted, after);
        const next = { ...w, ...outcome, resolvedAt: now };
        await tx.withdrawals.update(id, { ...outcome, resolvedAt: now });
        return { next, posted };
      });
      ctx.events.publish({ type: "LedgerChanged", at: now, transfers: resolved.posted });
      if (admin) {
        await ctx.storage.audit.append({
          at: now,
          actor: admin.address.toLowerCase(),
          action: `withdrawal_${resolved.next.state}`,
          target: id,
          result: resolved.next.reference ?? resolved.next.reason ?? "",
        });
      }
      return resolved.next;
    });
  }

  /** Posts one transfer built inside the transaction (null = nothing to post). */
  private async post(
    build: (
      tx: Parameters<Parameters<Context["storage"]["transaction"]>[0]>[0],
    ) => Promise<TransferInput | null>,
  ) {
    const { ctx } = this;
    const now = ctx.clock.now();
    const posted = await ctx.storage.transaction(async (tx) => {
      const transfer = await build(tx);
      if (!transfer) return null;
      const balances = await tx.ledger.balances([transfer.from, transfer.to]);
      const { balances: after, posted } = applyTransfers(balances, [transfer], now);
      await tx.ledger.post(posted, after);
      return posted[0]!;
    });
    if (posted) ctx.events.publish({ type: "LedgerChanged", at: now, transfers: [posted] });
    return posted as Transfer;
  }
}
