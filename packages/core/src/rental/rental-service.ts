/**
 * Renting (platform-rules §4.2), stopping, and the timers of §4.4 (expiry, assignment timeout).
 */

import type { Context } from "../context.js";
import { isAdmin } from "../context.js";
import { attempt, DomainError, fail, type Result } from "../errors.js";
import { sendToWorker } from "../fleet/outbound.js";
import { checkActor, checkId, checkText } from "../identifiers.js";
import { applyTransfers, ESCROW, type Transfer, transferIds, userAccount } from "../ledger.js";
import { compareBestValue, computeReputation, MAX_PRICE_PER_SEC } from "../market/index.js";
import { type CandidateQuery, UniqueViolation } from "../ports.js";
import { assignTask, HEX_ADDRESS_PATTERN } from "../protocol/index.js";
import type { Actor, LeaseRecord, SettlementRecord, WorkerRecord } from "../types.js";
import { type EndedLease, endLeaseAndRelease } from "./end-lease.js";
import { whyNotCandidate } from "./matching.js";
import { endByAssignTimeout, endByExpiry, endByStop } from "./transitions.js";

/** How many best-value candidates the adapter returns; reputation breaks exact ties among them. */
const CANDIDATE_WINDOW = 50;

export interface RentInput {
  durationSec: number;
  workerId?: string;
  consumerAddress?: string;
  maxPricePerSec?: bigint;
  minHashrate?: number;
  gpu?: string;
}

/** The optional filters of a rent request, checked (and the price bound clamped) before any query. */
function checkFilters(input: RentInput): RentInput {
  const out: RentInput = { durationSec: input.durationSec };
  if (input.workerId !== undefined) out.workerId = checkId(input.workerId, `worker ${input.workerId}`);
  if (input.consumerAddress !== undefined) out.consumerAddress = input.consumerAddress;
  if (input.maxPricePerSec !== undefined) {
    if (typeof input.maxPricePerSec !== "bigint" || input.maxPricePerSec < 0n) {
      fail("VALIDATION", "maxPricePerSec must be a non-negative amount in micro-units per second");
    }
    // "At most X" above the highest allowed price filters nothing: clamp it to stay in 64 bits.
    out.maxPricePerSec = input.maxPricePerSec;
    if (out.maxPricePerSec > MAX_PRICE_PER_SEC) out.maxPricePerSec = MAX_PRICE_PER_SEC;
  }
  if (input.minHashrate !== undefined) {
    if (!Number.isFinite(input.minHashrate) || input.minHashrate < 0) {
      fail("VALIDATION", "minHashrate must be a non-negative number of H/s");
    }
    out.minHashrate = input.minHashrate;
  }
  if (input.gpu !== undefined) out.gpu = checkText(input.gpu, "gpu", 64);
  return out;
}

export class RentalService {
  constructor(private readonly ctx: Context) {}

  /** Creates a pending lease with its escrow in one transaction, then sends `assign_task`. */
  rent(actor: Actor, input: RentInput): Promise<Result<LeaseRecord>> {
    return attempt(async () => {
      const { ctx } = this;
      const renter = checkActor(actor);
      if (!Number.isSafeInteger(input.durationSec) || input.durationSec < 1) {
        fail("VALIDATION", "durationSec must be a positive integer");
      }
      const consumerAddress = (input.consumerAddress ?? renter).toLowerCase();
      if (!HEX_ADDRESS_PATTERN.test(consumerAddress))
        fail("VALIDATION", "consumerAddress must be 0x followed by 40 hex digits");
      const { lease, transfers } = await this.createLease(renter, consumerAddress, checkFilters(input));
      ctx.events.publish({ type: "LeaseChanged", at: lease.createdAt, lease, settlement: null });
      if (transfers.length > 0) ctx.events.publish({ type: "LedgerChanged", at: lease.createdAt, transfers });
      await sendToWorker(ctx, lease.workerId, {
        topic: "task",
        payload: assignTask({
          leaseId: lease.leaseId,
          consumerId: renter,
          consumerAddress,
          prefix: lease.prefix,
          durationSec: lease.durationSec,
        }),
      });
      return lease;
    });
  }

  /** Renter or admin stop; ownership is checked before anything changes. */
  stop(actor: Actor, leaseId: string): Promise<Result<{ lease: LeaseRecord; settlement: SettlementRecord }>> {
    return attempt(async () => {
      const { ctx } = this;
      const lease = await ctx.storage.leases.get(checkId(leaseId, "lease"));
      if (!lease) fail("NOT_FOUND", `lease ${leaseId} not found`);
      if (lease.renter !== checkActor(actor) && !isAdmin(ctx, actor.address)) {
        fail("FORBIDDEN", "only the renter or an admin may stop this lease");
      }
      if (lease.state !== "pending" && lease.state !== "active") {
        fail("LEASE_NOT_ACTIVE", `lease ${leaseId} is already ${lease.state}`);
      }
      const now = ctx.clock.now();
      const ended = await endLeaseAndRelease(ctx, leaseId, (open) => endByStop(open, now));
      if (!ended) fail("LEASE_NOT_ACTIVE", `lease ${leaseId} has just ended`);
      return { lease: ended.lease, settlement: ended.settlement };
    });
  }

  /** Completes active leases whose contracted end has passed (every second; also after downtime). */
  async sweepExpiry(limit = 500): Promise<EndedLease[]> {
    const due = await this.ctx.storage.leases.dueForExpiry(this.ctx.clock.now(), limit);
    const ended: EndedLease[] = [];
    for (const lease of due) {
      const done = await endLeaseAndRelease(this.ctx, lease.leaseId, (open) =>
        open.state === "active" ? endByExpiry(open) : null,
      );
      if (done) ended.push(done);
    }
    return ended;
  }

  /** Cancels pending leases not confirmed in time and marks their workers suspect. */
  async sweepAssignTimeouts(limit = 500): Promise<EndedLease[]> {
    const { ctx } = this;
    const now = ctx.clock.now();
    const due = await ctx.storage.leases.pendingCreatedBefore(
      now - ctx.config.lease.assignTimeoutSec * 1000,
      limit,
    );
    const ended: EndedLease[] = [];
    for (const lease of due) {
      const done = await endLeaseAndRelease(ctx, lease.leaseId, (open) =>
        open.state === "pending" ? endByAssignTimeout(now) : null,
      );
      if (!done) continue;
      await ctx.storage.workers.update(lease.workerId, { suspect: true });
      ctx.counters.inc("assign_timeout_total");
      ended.push(done);
    }
    return ended;
  }

  /** The lease, visible to its renter, the worker's owner (provider) and admins. */
  async getLease(
    actor: Actor,
    leaseId: string,
  ): Promise<Result<{ lease: LeaseRecord; settlement: SettlementRecord | null }>> {
    return attempt(async () => {
      const lease = await this.ctx.storage.leases.get(checkId(leaseId, "lease"));
      if (!lease) fail("NOT_FOUND", `lease ${leaseId} not found`);
      const me = checkActor(actor);
      if (lease.renter !== me && lease.provider !== me && !isAdmin(this.ctx, me)) {
        fail("FORBIDDEN", "only the lease's parties may see it");
      }
      return { lease, settlement: await this.ctx.storage.settlements.get(leaseId) };
    });
  }

  // ------------------------------------------------------------------ internals

  /**
   * What renting now would pick and cost, without renting (`marketplace.estimate`): the same
   * matching as `rent`, refusals included. `renter` (null for the public) excludes own workers.
   */
  estimate(
    renter: string | null,
    input: RentInput,
  ): Promise<Result<{ worker: WorkerRecord; durationSec: number; total: bigint }>> {
    return attempt(async () => {
      if (!Number.isSafeInteger(input.durationSec) || input.durationSec < 1) {
        fail("VALIDATION", "durationSec must be a positive integer");
      }
      const candidates = await this.candidates(renter ?? "", checkFilters(input));
      const worker = candidates[0];
      if (!worker) fail("NO_WORKER_AVAILABLE", "no worker matches this request right now");
      return {
        worker,
        durationSec: input.durationSec,
        total: worker.pricePerSec * BigInt(input.durationSec),
      };
    });
  }

  /** Matching workers, best first: the named worker (or its refusal), else best value (§5). */
  private async candidates(renter: string, input: RentInput): Promise<WorkerRecord[]> {
    const { ctx } = this;
    const now = ctx.clock.now();
    const query: CandidateQuery = {
      now,
      durationSec: input.durationSec,
      settleGapMs: ctx.config.worker.settleGapSec * 1000,
      releaseWaitMs: ctx.config.lease.releaseWaitSec * 1000,
      renter,
      requireHashrate: input.workerId === undefined,
      limit: CANDIDATE_WINDOW,
      ...(input.workerId !== undefined && { workerId: input.workerId }),
      ...(input.maxPricePerSec !== undefined && { maxPricePerSec: input.maxPricePerSec }),
      ...(input.minHashrate !== undefined && { minHashrate: input.minHashrate }),
      ...(input.gpu !== undefined && { gpu: input.gpu }),
    };
    const candidates =
      input.workerId === undefined
        ? this.byBestValue(await ctx.storage.workers.findCandidates(query), now)
        : [];
    if (input.workerId !== undefined) candidates.push(await this.explicitCandidate(input.workerId, query));
    return candidates;
  }

  private async createLease(
    renter: string,
    consumerAddress: string,
    input: RentInput,
  ): Promise<{ lease: LeaseRecord; transfers: Transfer[] }> {
    const { ctx } = this;
    const now = ctx.clock.now();
    const candidates = await this.candidates(renter, input);
    if (candidates.length === 0) fail("NO_WORKER_AVAILABLE", "no worker matches this request right now");
    for (const worker of candidates) {
      const prefix = await this.newPrefix();
      const lease: LeaseRecord = {
        leaseId: `lease-${ctx.ids.uuidv7()}`,
        workerId: worker.workerId,
        renter,
        provider: worker.owner,
        consumerAddress,
        prefix,
        durationSec: input.durationSec,
        pricePerSec: worker.pricePerSec,
        escrow: worker.pricePerSec * BigInt(input.durationSec),
        state: "pending",
        reason: null,
        createdAt: now,
        confirmedAt: null,
        expiresAt: null,
        endedAt: null,
        lastGoodHeartbeatAt: null,
        billedSec: null,
        blocksAccepted: 0,
        blocksRejected: 0,
        hashrateSum: 0,
        hashrateSamples: 0,
      };
      try {
        const transfers = await ctx.storage.transaction(async (tx) => {
          const renterAccount = userAccount(renter);
          const balances = await tx.ledger.balances([renterAccount, ESCROW]);
          const escrow =
            lease.escrow > 0n
              ? applyTransfers(
                  balances,
                  [
                    {
                      id: transferIds.leaseEscrow(lease.leaseId),
                      type: "lease_escrow",
                      from: renterAccount,
                      to: ESCROW,
                      amount: lease.escrow,
                      reference: { kind: "lease", id: lease.leaseId },
                    },
                  ],
                  now,
                )
              : null;
          await tx.leases.insert(lease);
          if (escrow) await tx.ledger.post(escrow.posted, escrow.balances);
          return escrow?.posted ?? [];
        });
        return { lease, transfers };
      } catch (error) {
        // Another renter took this worker between the query and the insert: try the next one.
        if (error instanceof UniqueViolation && error.constraint === "open_lease_per_worker") continue;
        if (error instanceof DomainError && error.code === "INSUFFICIENT_BALANCE") {
          fail(
            "INSUFFICIENT_BALANCE",
            `this lease needs ${lease.escrow} units in your balance`,
            error.details,
          );
        }
        throw error;
      }
    }
    fail(
      input.workerId === undefined ? "NO_WORKER_AVAILABLE" : "WORKER_BUSY",
      "the worker was just rented by someone else",
    );
  }

  private async explicitCandidate(workerId: string, query: CandidateQuery): Promise<WorkerRecord> {
    const worker = await this.ctx.storage.workers.get(checkId(workerId, "worker"));
    if (!worker) fail("NOT_FOUND", `worker ${workerId} not found`);
    const open = await this.ctx.storage.leases.openForWorker(workerId);
    const refusal = whyNotCandidate(worker, open !== null, query);
    if (refusal) fail(refusal.code, refusal.message);
    return worker;
  }

  /** Exact best-value order: price per hash, then reputation, then id (platform-rules §5). */
  private byBestValue(workers: WorkerRecord[], now: number): WorkerRecord[] {
    const ranked = workers.map((w) => ({
      worker: w,
      key: {
        workerId: w.workerId,
        pricePerSec: w.pricePerSec,
        hashrate: w.hashrate,
        reputationScore: computeReputation(w, now).score,
      },
    }));
    ranked.sort((a, b) => compareBestValue(a.key, b.key));
    return ranked.map((r) => r.worker);
  }

  /** 16 lowercase hex, unique across all leases, never a dev-fee prefix (worker-protocol §8). */
  private async newPrefix(): Promise<string> {
    for (;;) {
      const prefix = this.ctx.ids.randomHex(8);
      if (prefix.startsWith("ffffffff") || prefix.startsWith("eeeeeeee")) continue;
      if (!(await this.ctx.storage.leases.prefixExists(prefix))) return prefix;
    }
  }
}
