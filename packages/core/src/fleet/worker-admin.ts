/**
 * What owners and admins do to workers (platform-rules §3, §11): pricing, listing, control actions
 * with the sequencing of worker-protocol H4/H13, bans. Ownership is checked before any change.
 */

import type { Context } from "../context.js";
import { isAdmin } from "../context.js";
import { attempt, fail, type Result } from "../errors.js";
import { checkActor, checkId, checkText } from "../identifiers.js";
import { type Pricing, validatePricing } from "../market/index.js";
import { control as controlMessage, validateSetConfig } from "../protocol/index.js";
import { endLeaseAndRelease } from "../rental/end-lease.js";
import { endByWorker } from "../rental/transitions.js";
import type { Actor, ControlAction, PendingControl, WorkerRecord } from "../types.js";
import { sendToWorker } from "./outbound.js";

const ACTIONS: readonly ControlAction[] = ["pause", "resume", "shutdown", "set_config"];
/** Actions a worker may have waiting (the one due next included); more are refused WORKER_BUSY. */
const MAX_QUEUED_CONTROLS = 10;
/** Offline workers read per page by a broadcast that reports them. */
const OFFLINE_PAGE = 1000;

export interface ControlRequest {
  workerId: string;
  action: string;
  config?: Record<string, unknown>;
  confirm?: boolean;
}

export interface ControlResult {
  status: "sent" | "queued";
  workerId: string;
  action: ControlAction;
  endedLeaseId?: string;
}

export class WorkerAdminService {
  constructor(private readonly ctx: Context) {}

  setPricing(actor: Actor, workerId: string, input: Pricing): Promise<Result<WorkerRecord>> {
    return attempt(async () => {
      const worker = await this.ownedWorker(actor, workerId);
      const pricing = validatePricing(input);
      await this.ctx.storage.workers.update(workerId, { ...pricing, updatedAt: this.ctx.clock.now() });
      await this.audit(actor, worker, "set_pricing");
      this.changed(workerId, "pricing");
      return (await this.ctx.storage.workers.get(workerId))!;
    });
  }

  /** Unlisting stops new rentals only; a running lease goes on. */
  setListed(
    actor: Actor,
    workerId: string,
    listed: boolean,
  ): Promise<Result<{ workerId: string; listed: boolean }>> {
    return attempt(async () => {
      const worker = await this.ownedWorker(actor, workerId);
      await this.ctx.storage.workers.update(workerId, { listed, updatedAt: this.ctx.clock.now() });
      await this.audit(actor, worker, listed ? "list" : "unlist");
      this.changed(workerId, listed ? "listed" : "unlisted");
      return { workerId, listed };
    });
  }

  /**
   * Sends a control action, or queues it: a worker with an open lease first has the lease ended
   * (interrupted, `provider_action`) and released, and gets the action once it reports AVAILABLE
   * (or the release wait passes); `pause` never goes out within 10 s of a lease end.
   */
  control(actor: Actor, req: ControlRequest): Promise<Result<ControlResult>> {
    return attempt(async () => {
      const { ctx } = this;
      if (!ACTIONS.includes(req.action as ControlAction)) {
        fail("VALIDATION", `unknown action "${req.action}"; use ${ACTIONS.join(", ")}`);
      }
      const action = req.action as ControlAction;
      const config = action === "set_config" ? validateSetConfig(req.config ?? {}) : {};
      if (action !== "set_config" && req.config && Object.keys(req.config).length > 0) {
        fail("VALIDATION", `${action} takes no config`);
      }
      if (action === "shutdown" && req.confirm !== true) {
        fail(
          "CONFIRMATION_REQUIRED",
          "shutdown cannot be undone remotely: the worker must be restarted on its machine; send confirm: true",
        );
      }
      const worker = await this.ownedWorker(actor, req.workerId);
      return ctx.workerLocks.run(worker.workerId, async () => {
        const current = (await ctx.storage.workers.get(worker.workerId))!;
        if (!current.online) fail("WORKER_OFFLINE", `worker ${worker.workerId} is offline`);
        if (action === "resume" && current.state !== "IDLE") {
          fail(
            "WORKER_BUSY",
            `worker ${worker.workerId} is not paused (state ${current.state ?? "unknown"})`,
          );
        }
        // Refusals come before anything changes: a refused action never ends a lease.
        const queued = current.pendingControl;
        const waiting = queued ? [queued, ...(queued.later ?? [])] : [];
        if (waiting.some((p) => p.action === "shutdown")) {
          fail("WORKER_BUSY", `worker ${worker.workerId} has a shutdown queued: nothing can follow it`);
        }
        if (waiting.length >= MAX_QUEUED_CONTROLS) {
          fail(
            "WORKER_BUSY",
            `worker ${worker.workerId} already has ${MAX_QUEUED_CONTROLS} actions waiting; try again once they are sent`,
          );
        }
        const now = ctx.clock.now();
        const open = await ctx.storage.leases.openForWorker(worker.workerId);
        const ended = open
          ? await endLeaseAndRelease(ctx, open.leaseId, (lease) => endByWorker(lease, "provider", now))
          : null;
        const endedAt = ended ? now : current.lastLeaseEndedAt;
        const pending: PendingControl = {
          action,
          config,
          queuedAt: now,
          notBefore:
            action === "pause" && endedAt !== null
              ? endedAt + ctx.config.worker.pauseAfterLeaseEndSec * 1000
              : now,
        };
        const result: ControlResult = { status: "queued", workerId: worker.workerId, action };
        if (ended) result.endedLeaseId = ended.lease.leaseId;
        await this.audit(actor, worker, `control:${action}`);
        if (queued) {
          // Behind actions still waiting: in order, never in place of them.
          await ctx.storage.workers.update(worker.workerId, {
            pendingControl: { ...queued, later: [...(queued.later ?? []), pending] },
          });
          return result;
        }
        // Queue it; it goes out now if the worker is ready (no lease, no release, 2 s since the last send).
        await ctx.storage.workers.update(worker.workerId, { pendingControl: pending });
        return (await this.sendPendingControl(worker.workerId)) ? { ...result, status: "sent" } : result;
      });
    });
  }

  /**
   * Broadcast (admin, platform-rules §11): the action to every worker in scope, each with the
   * sequencing of `control`. Online workers only by default; leased, banned and offline ones are
   * skipped with the reason, never interrupted.
   */
  broadcast(
    actor: Actor,
    req: {
      action: string;
      config?: Record<string, unknown>;
      onlineOnly?: boolean;
      owner?: string;
      confirm?: boolean;
    },
  ): Promise<Result<{ status: "sent"; workers: string[]; skipped: { workerId: string; reason: string }[] }>> {
    return attempt(async () => {
      const { ctx } = this;
      if (!isAdmin(ctx, checkActor(actor))) fail("FORBIDDEN", "only admins may broadcast");
      const onlineOnly = req.onlineOnly ?? true;
      const owner = req.owner?.toLowerCase();
      if (req.action === "shutdown" && req.confirm !== true) {
        fail("CONFIRMATION_REQUIRED", "a shutdown broadcast needs confirm: true");
      }
      // Offline workers cannot take a command: by default the online list is the scope; with
      // `onlineOnly: false` the offline ones are in it too, to be reported as skipped.
      const scope =
        owner !== undefined
          ? await ctx.storage.workers.listByOwner(owner)
          : onlineOnly
            ? await ctx.storage.workers.listOnline()
            : [...(await ctx.storage.workers.listOnline()), ...(await this.offlineWorkers())];
      const workers: string[] = [];
      const skipped: { workerId: string; reason: string }[] = [];
      // A worker that went offline between the two reads of `onlineOnly: false` is listed once.
      const seen = new Set<string>();
      for (const w of scope.sort((a, b) => (a.workerId < b.workerId ? -1 : 1))) {
        if (seen.has(w.workerId)) continue;
        seen.add(w.workerId);
        const reason = !w.online
          ? "offline"
          : w.banned
            ? "banned"
            : (await ctx.storage.leases.openForWorker(w.workerId))
              ? "leased"
              : null;
        if (reason !== null) {
          if (reason !== "offline" || !onlineOnly) skipped.push({ workerId: w.workerId, reason });
          continue;
        }
        const sent = await this.control(actor, {
          workerId: w.workerId,
          action: req.action,
          ...(req.config !== undefined && { config: req.config }),
          ...(req.confirm !== undefined && { confirm: req.confirm }),
        });
        if (sent.ok) workers.push(w.workerId);
        else if (sent.error.code === "VALIDATION" || sent.error.code === "CONFIRMATION_REQUIRED")
          throw sent.error;
        else skipped.push({ workerId: w.workerId, reason: sent.error.message });
      }
      await ctx.storage.audit.append({
        at: ctx.clock.now(),
        actor: checkActor(actor),
        action: `broadcast:${req.action}`,
        target: owner ?? "*",
        result: `sent ${workers.length}, skipped ${skipped.length}`,
      });
      return { status: "sent", workers, skipped };
    });
  }

  /** Every offline worker, a page at a time (a broadcast with `onlineOnly: false` reports them). */
  private async offlineWorkers(): Promise<WorkerRecord[]> {
    const all: WorkerRecord[] = [];
    for (let page = 1; ; page++) {
      const { items } = await this.ctx.storage.workers.page({
        page,
        limit: OFFLINE_PAGE,
        sortBy: "workerId",
        sortDir: "asc",
        status: "offline",
      });
      all.push(...items);
      if (items.length < OFFLINE_PAGE) return all;
    }
  }

  /** Sends queued actions whose worker is ready: AVAILABLE with no release outstanding, or waited out. */
  async dispatchPendingControls(): Promise<number> {
    let sent = 0;
    for (const queued of await this.ctx.storage.workers.listWithPendingControl()) {
      if (await this.ctx.workerLocks.run(queued.workerId, () => this.sendPendingControl(queued.workerId)))
        sent++;
    }
    return sent;
  }

  /**
   * Sends a worker's queued action if it is ready: online, AVAILABLE after its release (or the
   * release wait passed), 2 s after the last message, and past the action's earliest time. The
   * caller holds the worker's lock (the status handler calls this when AVAILABLE arrives).
   */
  async sendPendingControl(workerId: string): Promise<boolean> {
    const { ctx } = this;
    const w = await ctx.storage.workers.get(workerId);
    const pending = w?.pendingControl;
    if (!w || !pending) return false;
    const now = ctx.clock.now();
    const releaseWaitMs = ctx.config.lease.releaseWaitSec * 1000;
    const released =
      w.releaseLeaseId === null || (w.releaseSentAt !== null && w.releaseSentAt <= now - releaseWaitMs);
    const settled = w.lastSentAt === null || w.lastSentAt <= now - ctx.config.worker.settleGapSec * 1000;
    // `pause` never goes out within 10 s of a lease end (H13), whenever that lease ended.
    const notBefore =
      pending.action === "pause" && w.lastLeaseEndedAt !== null
        ? Math.max(pending.notBefore, w.lastLeaseEndedAt + ctx.config.worker.pauseAfterLeaseEndSec * 1000)
        : pending.notBefore;
    if (!w.online || !released || !settled || now < notBefore) return false;
    // Rented since the action was queued (matching does not wait for queued actions): it waits for the
    // lease to end rather than reach the worker mid-lease.
    if (await ctx.storage.leases.openForWorker(workerId)) return false;
    const [next, ...rest] = pending.later ?? [];
    await ctx.storage.workers.update(workerId, {
      pendingControl: next ? { ...next, ...(rest.length > 0 && { later: rest }) } : null,
    });
    await sendToWorker(ctx, workerId, {
      topic: "control",
      payload: controlMessage(pending.action, pending.config),
    });
    return true;
  }

  /** Ban (admin): interrupts a running lease; the worker is refused at every register until unbanned. */
  setBanned(
    actor: Actor,
    workerId: string,
    banned: boolean,
    reason?: string,
  ): Promise<Result<{ workerId: string; banned: boolean }>> {
    return attempt(async () => {
      const { ctx } = this;
      if (!isAdmin(ctx, actor.address)) fail("FORBIDDEN", "only admins may ban workers");
      const worker = await ctx.storage.workers.get(checkId(workerId, "worker"));
      if (!worker) fail("NOT_FOUND", `worker ${workerId} not found`);
      const now = ctx.clock.now();
      const why = reason === undefined ? null : checkText(reason, "a ban reason");
      await ctx.storage.workers.update(workerId, { banned, banReason: banned ? why : null });
      ctx.live.patch(workerId, { banned });
      if (banned) {
        const open = await ctx.storage.leases.openForWorker(workerId);
        if (open) await endLeaseAndRelease(ctx, open.leaseId, (lease) => endByWorker(lease, "provider", now));
      }
      await ctx.storage.audit.append({
        at: now,
        actor: actor.address.toLowerCase(),
        action: banned ? "ban" : "unban",
        target: workerId,
        result: reason ?? "ok",
      });
      this.changed(workerId, banned ? "banned" : "unbanned");
      return { workerId, banned };
    });
  }

  private async ownedWorker(actor: Actor, workerId: string): Promise<WorkerRecord> {
    const worker = await this.ctx.storage.workers.get(checkId(workerId, "worker"));
    if (!worker) fail("NOT_FOUND", `worker ${workerId} not found`);
    if (worker.owner !== checkActor(actor) && !isAdmin(this.ctx, actor.address)) {
      fail("FORBIDDEN", `only the owner of worker ${workerId} or an admin may do this`);
    }
    return worker;
  }

  /** Admin actions on another owner's worker go to the audit log (platform-rules §11). */
  private async audit(actor: Actor, worker: WorkerRecord, action: string): Promise<void> {
    const address = actor.address.toLowerCase();
    if (worker.owner === address || !isAdmin(this.ctx, address)) return;
    await this.ctx.storage.audit.append({
      at: this.ctx.clock.now(),
      actor: address,
      action,
      target: worker.workerId,
      result: "ok",
    });
  }

  private changed(workerId: string, change: "pricing" | "listed" | "unlisted" | "banned" | "unbanned") {
    this.ctx.events.publish({ type: "WorkerChanged", at: this.ctx.clock.now(), workerId, change });
  }
}
