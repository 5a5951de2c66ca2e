/**
 * The worker registry (worker-protocol §4, §7): registration, heartbeats as live state, known state
 * from status messages, online/offline transitions and what they do to leases.
 */

import type { Context } from "../context.js";
import { DEFAULT_PRICING, onlineSecIncrement } from "../market/index.js";
import type { HeartbeatMessage, RegisterMessage, StatusMessage } from "../protocol/index.js";
import { HEX_ADDRESS_PATTERN, registerAck } from "../protocol/index.js";
import { endLease, workerMayHoldLease } from "../rental/end-lease.js";
import { endByWorker, outcomeOfStatus } from "../rental/transitions.js";
import type { OfflineReason, WorkerRecord } from "../types.js";
import { accepted, type Inbound, refused } from "./inbound.js";
import type { LiveWorker } from "./live.js";
import { releaseLease, sendToWorker } from "./outbound.js";

export interface ReceiveOptions {
  /** The MQTT retain flag: retained status copies are stale replays (worker-protocol §4.3 a). */
  retained?: boolean;
}

export class FleetService {
  /** When each never-registered worker was last told to re-register (at most once per 30 s). */
  private readonly reregisterSentAt = new Map<string, number>();

  constructor(private readonly ctx: Context) {}

  async onRegister(msg: RegisterMessage): Promise<Inbound> {
    const { ctx } = this;
    const workerId = msg.worker_id;
    return ctx.workerLocks.run(workerId, async () => {
      const now = ctx.clock.now();
      const existing = await ctx.storage.workers.get(workerId);
      if (existing?.banned) {
        ctx.counters.inc("register_rejected_total", "banned");
        await sendToWorker(ctx, workerId, { topic: "task", payload: registerAck(false, "banned") });
        return refused("banned");
      }
      if (!HEX_ADDRESS_PATTERN.test(msg.eth_address)) {
        ctx.counters.inc("inbound_dropped_total", "bad_eth_address");
        return refused("bad_eth_address");
      }
      const owner = msg.eth_address.toLowerCase();
      await ctx.storage.accounts.ensure(owner, now);
      const hardware = {
        owner,
        ethAddress: msg.eth_address,
        gpus: msg.gpus.map((g) => ({ index: g.index, name: g.name, memoryGb: g.memory_gb, busId: g.bus_id })),
        gpuCount: msg.gpu_count,
        totalMemoryGb: msg.total_memory_gb,
        version: msg.version,
        updatedAt: now,
        online: true,
        lastSeenAt: now,
        offlineSince: null,
        suspect: false,
        releaseLeaseId: null,
        releaseSentAt: null,
      } satisfies Partial<WorkerRecord>;
      const ownerChanged = existing !== null && existing.owner !== owner;
      if (existing === null) {
        await ctx.storage.workers.insert(newWorker(workerId, now, hardware));
      } else {
        await ctx.storage.workers.update(
          workerId,
          ownerChanged ? { ...hardware, ...DEFAULT_PRICING } : hardware,
        );
        if (!existing.online) await this.publishOnline(workerId, now, existing.offlineSince);
      }
      this.reregisterSentAt.delete(workerId);
      // The worker registers only after leaving MINING: whatever lease it had is over.
      const open = await ctx.storage.leases.openForWorker(workerId);
      if (open) await endLease(ctx, open.leaseId, (lease) => endByWorker(lease, "state", now));
      await this.cache(workerId);
      await sendToWorker(ctx, workerId, { topic: "task", payload: registerAck(true) });
      ctx.events.publish({
        type: "WorkerRegistered",
        at: now,
        workerId,
        owner,
        isNew: existing === null,
        ownerChanged,
      });
      return accepted;
    });
  }

  async onHeartbeat(msg: HeartbeatMessage): Promise<Inbound> {
    const { ctx } = this;
    const workerId = msg.worker_id;
    const live =
      this.ctx.live.get(workerId) ?? (await ctx.workerLocks.run(workerId, () => this.cache(workerId)));
    const now = ctx.clock.now();
    if (!live) return this.askToReregister(workerId, now);
    if (live.banned) {
      ctx.counters.inc("heartbeat_ignored_total", "banned");
      return refused("banned");
    }
    ctx.live.patch(
      workerId,
      {
        lastSeenAt: now,
        lastHeartbeatAt: now,
        onlineSec:
          live.onlineSec + onlineSecIncrement(live.lastHeartbeatAt, now, ctx.config.worker.offlineAfterSec),
        hashrate: msg.hashrate,
        activeGpus: msg.active_gpus,
        uptimeSec: msg.uptime_sec,
        config: {
          address: msg.address ?? live.config.address,
          prefix: msg.prefix ?? live.config.prefix,
          blockPattern: msg.block_pattern ?? live.config.blockPattern,
          difficulty: msg.difficulty,
        },
      },
      true,
    );
    const lease = live.activeLeaseId;
    if (lease !== null && live.state === "MINING" && live.stateLeaseId === lease) {
      // The first heartbeat of a lease since start picks up its stored figures (one read per lease).
      const stored = ctx.live.lease(lease) ? null : await ctx.storage.leases.get(lease);
      const seed = stored && {
        leaseId: lease,
        lastGoodHeartbeatAt: now,
        hashrateSum: stored.hashrateSum,
        hashrateSamples: stored.hashrateSamples,
      };
      ctx.live.recordLeaseHeartbeat(lease, now, msg.hashrate, seed ?? undefined);
    }
    if (!live.online) await ctx.workerLocks.run(workerId, () => this.markOnline(workerId, now));
    ctx.events.publish({
      type: "Heartbeat",
      at: now,
      workerId,
      hashrate: msg.hashrate,
      activeGpus: msg.active_gpus,
    });
    return accepted;
  }

  async onStatus(msg: StatusMessage, options: ReceiveOptions = {}): Promise<Inbound> {
    const { ctx } = this;
    if (options.retained) {
      ctx.counters.inc("status_ignored_total", "retained");
      return refused("retained");
    }
    const workerId = msg.worker_id;
    return ctx.workerLocks.run(workerId, async () => {
      const now = ctx.clock.now();
      const worker = await ctx.storage.workers.get(workerId);
      if (!worker) {
        ctx.counters.inc("status_ignored_total", "unknown_worker");
        return refused("unknown_worker");
      }
      if (worker.banned) {
        ctx.counters.inc("status_ignored_total", "banned");
        return refused("banned");
      }
      if (msg.state === "offline") {
        // A graceful stop (`state:"offline"`) ends the worker's lease itself; the will does not.
        const graceful = !("status" in msg && msg.status === "offline");
        if (graceful)
          await ctx.storage.workers.update(workerId, { state: "offline", stateLeaseId: null, stateAt: now });
        await this.goOffline(
          graceful ? { ...worker, state: "offline" } : worker,
          graceful ? "shutdown" : "will",
          now,
        );
        return accepted;
      }
      const leaseId = msg.lease_id ? msg.lease_id : null;
      const patch: Partial<WorkerRecord> = { state: msg.state, stateLeaseId: leaseId, stateAt: now };
      if (msg.state === "AVAILABLE")
        Object.assign(patch, { suspect: false, releaseLeaseId: null, releaseSentAt: null });
      await ctx.storage.workers.update(workerId, patch);
      ctx.live.patch(workerId, { state: msg.state, stateLeaseId: leaseId });
      ctx.events.publish({ type: "WorkerStatusChanged", at: now, workerId, state: msg.state, leaseId });
      await this.applyStatusToLease(worker, msg.state, leaseId, now);
      return accepted;
    });
  }

  /** The broker saw the worker's connection close without a will (or the host detected it). */
  async onDisconnect(workerId: string): Promise<void> {
    await this.ctx.workerLocks.run(workerId, async () => {
      const worker = await this.ctx.storage.workers.get(workerId);
      if (worker) await this.goOffline(worker, "disconnect", this.ctx.clock.now());
    });
  }

  /** Marks workers silent for longer than the offline threshold as offline (every 5 s). */
  async sweepLiveness(): Promise<number> {
    const { ctx } = this;
    const cutoff = ctx.clock.now() - ctx.config.worker.offlineAfterSec * 1000;
    let marked = 0;
    for (const stale of ctx.live.online().filter((w) => w.lastSeenAt < cutoff)) {
      await ctx.workerLocks.run(stale.workerId, async () => {
        const now = ctx.clock.now();
        const live = ctx.live.get(stale.workerId);
        if (!live?.online || live.lastSeenAt >= now - ctx.config.worker.offlineAfterSec * 1000) return;
        const worker = await ctx.storage.workers.get(stale.workerId);
        if (worker && (await this.goOffline(worker, "timeout", now))) marked++;
      });
    }
    return marked;
  }

  /** Writes the live heartbeat fields of every changed worker and lease in one batch. */
  async flushLive(): Promise<{ workers: number; leases: number }> {
    const batch = this.ctx.live.drainDirty();
    if (batch.workers.length === 0 && batch.leases.length === 0) return { workers: 0, leases: 0 };
    try {
      await this.ctx.storage.transaction(async (tx) => {
        // Leases before workers: the order a settlement locks them in, so the two never deadlock.
        await tx.leases.updateLive(batch.leases);
        await tx.workers.updateLive(batch.workers);
      });
    } catch (error) {
      this.ctx.live.restoreDirty(batch);
      throw error;
    }
    return { workers: batch.workers.length, leases: batch.leases.length };
  }

  /**
   * On platform start every online worker's liveness clock restarts at the start time (one threshold
   * of grace), so a restart neither marks the fleet offline nor interrupts leases.
   */
  async start(): Promise<void> {
    const now = this.ctx.clock.now();
    for (const worker of await this.ctx.storage.workers.listOnline()) {
      await this.ctx.storage.workers.update(worker.workerId, { lastSeenAt: now });
      await this.cache(worker.workerId);
    }
  }

  /** A worker's stored record with its live fields (which may not be flushed yet) applied. */
  async getWorker(workerId: string): Promise<WorkerRecord | null> {
    const stored = await this.ctx.storage.workers.get(workerId);
    if (!stored) return null;
    const live = this.ctx.live.get(workerId);
    if (!live) return stored;
    const { workerId: _id, activeLeaseId: _a, ...fields } = live;
    return { ...stored, ...fields };
  }

  // ------------------------------------------------------------------ internals

  private async cache(workerId: string): Promise<LiveWorker | undefined> {
    const worker = await this.ctx.storage.workers.get(workerId);
    if (!worker) return undefined;
    const open = await this.ctx.storage.leases.openForWorker(workerId);
    const active = open?.state === "active" ? open : null;
    return this.ctx.live.load(worker, active?.leaseId ?? null);
  }

  private async askToReregister(workerId: string, now: number): Promise<Inbound> {
    const { ctx } = this;
    ctx.counters.inc("heartbeat_ignored_total", "unknown_worker");
    const last = this.reregisterSentAt.get(workerId);
    if (last === undefined || now - last >= ctx.config.worker.reregisterEverySec * 1000) {
      this.reregisterSentAt.set(workerId, now);
      try {
        await ctx.channel.send(workerId, { topic: "task", payload: registerAck(false, "reregister") });
      } catch {
        ctx.counters.inc("worker_send_failed_total", "task");
      }
    }
    return refused("unknown_worker");
  }

  private async markOnline(workerId: string, now: number): Promise<void> {
    const { ctx } = this;
    const worker = await ctx.storage.workers.get(workerId);
    if (!worker || worker.online) {
      ctx.live.patch(workerId, { online: true });
      return;
    }
    await ctx.storage.workers.update(workerId, { online: true, offlineSince: null, lastSeenAt: now });
    ctx.live.patch(workerId, { online: true });
    await this.publishOnline(workerId, now, worker.offlineSince);
    // The worker did not re-register after reconnecting: it may still mine for the lease that ended.
    if (worker.releaseLeaseId !== null && worker.releaseSentAt === null) {
      await releaseLease(ctx, workerId, worker.releaseLeaseId, true);
    }
  }

  /** Records the offline → online transition (awaited: a failed write must not go unnoticed). */
  private async publishOnline(workerId: string, now: number, offlineSince: number | null) {
    const offlineForSec = offlineSince === null ? null : Math.max(0, Math.round((now - offlineSince) / 1000));
    await this.ctx.storage.health.append({ at: now, workerId, kind: "online", reason: null, offlineForSec });
    this.ctx.events.publish({
      type: "WorkerHealthChanged",
      at: now,
      workerId,
      kind: "online",
      reason: null,
      offlineForSec,
    });
  }

  /** The online → offline transition; returns false when the worker was already offline. */
  private async goOffline(worker: WorkerRecord, reason: OfflineReason, now: number): Promise<boolean> {
    const { ctx } = this;
    if (!worker.online) return false;
    // An offline status never overrides a heartbeat received after it (worker-protocol §4.3 c).
    const live = ctx.live.get(worker.workerId);
    if ((reason === "will" || reason === "shutdown") && live && live.lastSeenAt > now) return false;
    await ctx.storage.workers.update(worker.workerId, { online: false, offlineSince: now });
    ctx.live.patch(worker.workerId, { online: false });
    await ctx.storage.health.append({
      at: now,
      workerId: worker.workerId,
      kind: "offline",
      reason,
      offlineForSec: null,
    });
    ctx.events.publish({
      type: "WorkerHealthChanged",
      at: now,
      workerId: worker.workerId,
      kind: "offline",
      reason,
      offlineForSec: null,
    });
    const open = await ctx.storage.leases.openForWorker(worker.workerId);
    if (open) {
      const ended = await endLease(ctx, open.leaseId, (lease) => endByWorker(lease, "offline", now));
      // It may come back still mining for this lease: owe it a release.
      if (ended && workerMayHoldLease(worker, ended.lease)) {
        await releaseLease(ctx, worker.workerId, ended.lease.leaseId, false);
      }
    }
    return true;
  }

  private async applyStatusToLease(
    before: WorkerRecord,
    state: Exclude<WorkerRecord["state"], null>,
    leaseId: string | null,
    now: number,
  ): Promise<void> {
    const { ctx } = this;
    const open = await ctx.storage.leases.openForWorker(before.workerId);
    const tolerance = ctx.config.lease.workerExpiryToleranceSec * 1000;
    if (open) {
      const outcome = outcomeOfStatus(open, state, leaseId, now, tolerance);
      if (outcome.kind === "activate") await this.activate(open.leaseId, now);
      if (outcome.kind === "end") {
        await endLease(ctx, open.leaseId, (lease) => {
          const fresh = outcomeOfStatus(lease, state, leaseId, now, tolerance);
          return fresh.kind === "end" ? fresh.end : null;
        });
      }
    }
    // A confirmation for a lease that is not (or no longer) open: tell the worker to drop it (H18).
    if (state === "MINING" && leaseId !== null && leaseId !== open?.leaseId) {
      ctx.counters.inc("late_confirmation_total");
      await releaseLease(ctx, before.workerId, leaseId, before.online);
    }
    if (state === "AVAILABLE" && before.pendingControl !== null) {
      await this.onAvailable?.(before.workerId);
    }
  }

  /** Hook for the control service: a queued action may go out once the worker is AVAILABLE. */
  onAvailable?: (workerId: string) => Promise<void>;

  private async activate(leaseId: string, now: number): Promise<void> {
    const { ctx } = this;
    const lease = await ctx.storage.transaction(async (tx) => {
      const current = await tx.leases.getForUpdate(leaseId);
      if (current?.state !== "pending") return null;
      const patch = {
        state: "active" as const,
        confirmedAt: now,
        expiresAt: now + current.durationSec * 1000,
      };
      await tx.leases.update(leaseId, patch);
      return { ...current, ...patch };
    });
    if (!lease) return;
    ctx.live.patch(lease.workerId, { activeLeaseId: leaseId });
    ctx.events.publish({ type: "LeaseChanged", at: now, lease, settlement: null });
  }
}

function newWorker(workerId: string, now: number, hardware: Partial<WorkerRecord>): WorkerRecord {
  return {
    workerId,
    owner: "",
    ethAddress: "",
    gpus: [],
    gpuCount: 0,
    totalMemoryGb: 0,
    version: "",
    registeredAt: now,
    updatedAt: now,
    state: null,
    stateLeaseId: null,
    stateAt: null,
    online: true,
    lastSeenAt: now,
    offlineSince: null,
    hashrate: 0,
    activeGpus: 0,
    config: { address: "", prefix: "", blockPattern: "", difficulty: null },
    uptimeSec: 0,
    ...DEFAULT_PRICING,
    listed: true,
    banned: false,
    banReason: null,
    suspect: false,
    lastSentAt: null,
    releaseLeaseId: null,
    releaseSentAt: null,
    lastLeaseEndedAt: null,
    pendingControl: null,
    onlineSec: 0,
    lastHeartbeatAt: null,
    leasesCompleted: 0,
    leasesFailed: 0,
    verifiedLeaseBlocks: 0,
    leaseBlocks: 0,
    selfBlocks: 0,
    ...hardware,
  };
}
