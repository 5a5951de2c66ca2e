/**
 * Block reports (platform-rules §6): stored before they are acknowledged, checked in the spec's
 * order, and then verified against the chain on a back-off schedule.
 */
import type { Context } from "../context.js";
import type { Inbound } from "../fleet/inbound.js";
import { accepted, refused } from "../fleet/inbound.js";
import { UniqueViolation } from "../ports.js";
import type { BlockMessage } from "../protocol/index.js";
import type { BlockRecord, BlockRejectReason } from "../types.js";
import { checkFormat, checkLeaseBlock, nextChainCheckAt } from "./checks.js";

export class BlockService {
  constructor(private readonly ctx: Context) {}

  async onBlock(msg: BlockMessage): Promise<Inbound & { block?: BlockRecord }> {
    const { ctx } = this;
    const now = ctx.clock.now();
    const worker = await ctx.storage.workers.get(msg.worker_id);
    if (!worker) {
      ctx.counters.inc("blocks_dropped_total", "unknown_worker");
      return refused("unknown_worker");
    }
    if (await ctx.storage.blocks.getByKey(msg.key)) return this.duplicate();

    const facts = { key: msg.key, hash: msg.hash, account: msg.account, leaseId: msg.lease_id };
    const format = checkFormat(facts, ctx.config.blocks.marker);
    let reject: BlockRejectReason | null = format.ok ? null : format.reason;
    if (format.ok && ctx.config.blocks.verifyArgon2 && ctx.argon2) {
      const genuine = await ctx.argon2.verify({
        key: msg.key,
        account: msg.account,
        memoryKiB: format.memoryKiB,
        hashedPure: format.hashedPure,
      });
      if (!genuine) reject = "argon2_mismatch";
    }
    const selfMined = msg.lease_id === "";
    const lease = selfMined ? null : await ctx.storage.leases.get(msg.lease_id);
    if (reject === null && !selfMined) {
      reject = checkLeaseBlock(facts, msg.worker_id, lease, now, ctx.config.lease.graceAfterEndSec * 1000);
    }
    const status = reject !== null ? "rejected" : selfMined ? "self" : "accepted";
    const chainChecked = status !== "rejected";
    const chainStatus = !chainChecked ? null : ctx.chain ? "pending" : "skipped";
    const record: Omit<BlockRecord, "id"> = {
      key: msg.key,
      workerId: msg.worker_id,
      leaseId: selfMined ? null : msg.lease_id,
      hash: msg.hash,
      account: msg.account,
      attempts: msg.attempts,
      hashrate: msg.hashrate,
      blockType: format.blockType,
      difficulty: format.memoryKiB,
      status,
      rejectReason: reject,
      chainStatus,
      chainBlockId: null,
      chainChecks: 0,
      nextChainCheckAt:
        chainStatus === "pending" ? nextChainCheckAt(now, 0, ctx.config.chain.checkScheduleSec) : null,
      receivedAt: now,
    };
    let block: BlockRecord;
    try {
      block = await ctx.storage.transaction(async (tx) => {
        const stored = await tx.blocks.insert(record);
        // Counters move only for the lease's own worker: a foreign report must not touch them.
        if (lease && lease.workerId === msg.worker_id) {
          await tx.leases.addBlockCounts(
            lease.leaseId,
            status === "accepted" ? { accepted: 1 } : { rejected: 1 },
          );
        }
        if (status === "accepted") {
          await tx.workers.addCounters(msg.worker_id, {
            leaseBlocks: 1,
            // Without a chain adapter, accepted lease blocks count as verified (platform-rules §7).
            verifiedLeaseBlocks: chainStatus === "skipped" ? 1 : 0,
          });
        }
        // Self-mined blocks count only once the chain verified them, so never without a chain.
        return stored;
      });
    } catch (error) {
      if (error instanceof UniqueViolation && error.constraint === "block_key") return this.duplicate();
      throw error;
    }
    ctx.counters.inc("blocks_total", status);
    if (reject) ctx.counters.inc("blocks_rejected_total", reject);
    ctx.events.publish({ type: "BlockRecorded", at: now, block });
    return reject ? { accepted: false, reason: reject, block } : { ...accepted, block };
  }

  /**
   * Asks the chain about every block whose check is due: found with a matching account → verified,
   * not found after the last scheduled try → not_found. An unreachable chain counts as not found yet.
   */
  async runChainChecks(limit = 200): Promise<number> {
    const { ctx } = this;
    const chain = ctx.chain;
    if (!chain) return 0;
    const due = await ctx.storage.blocks.dueChainChecks(ctx.clock.now(), limit);
    for (const block of due) {
      let found = false;
      let chainBlockId: number | null = null;
      try {
        const answer = await chain.lookup(block.key);
        found =
          answer.found && (answer.account ?? block.account).toLowerCase() === block.account.toLowerCase();
        // A key the chain holds under another account is not this block: keep no id for it.
        chainBlockId = found ? (answer.blockId ?? null) : null;
      } catch {
        ctx.counters.inc("chain_lookup_failed_total");
      }
      await this.recordChainAnswer(block, found, chainBlockId);
    }
    return due.length;
  }

  private async recordChainAnswer(block: BlockRecord, found: boolean, chainBlockId: number | null) {
    const { ctx } = this;
    const now = ctx.clock.now();
    const checks = block.chainChecks + 1;
    const next = found ? null : nextChainCheckAt(block.receivedAt, checks, ctx.config.chain.checkScheduleSec);
    const chainStatus = found ? "verified" : next === null ? "not_found" : "pending";
    await ctx.storage.transaction(async (tx) => {
      await tx.blocks.update(block.id, {
        chainStatus,
        chainChecks: checks,
        nextChainCheckAt: next,
        chainBlockId,
      });
      if (chainStatus !== "verified") return;
      if (block.status === "accepted")
        await tx.workers.addCounters(block.workerId, { verifiedLeaseBlocks: 1 });
      if (block.status === "self") {
        const worker = await tx.workers.get(block.workerId);
        if (worker && this.countsAsOwnSelfBlock(worker, block.account)) {
          await tx.workers.addCounters(block.workerId, { selfBlocks: 1 });
        }
      }
    });
    if (chainStatus !== "pending") {
      ctx.events.publish({ type: "BlockChainStatus", at: now, blockId: block.id, chainStatus, chainBlockId });
    }
  }

  /** Self-mined blocks count for the owner's or the payout address only (never dev-fee blocks). */
  private countsAsOwnSelfBlock(worker: { owner: string; config: { address: string } }, account: string) {
    const a = account.toLowerCase();
    return a === worker.owner || (worker.config.address !== "" && a === worker.config.address.toLowerCase());
  }

  private duplicate(): Inbound {
    this.ctx.counters.inc("blocks_duplicate_total");
    return refused("duplicate");
  }
}
