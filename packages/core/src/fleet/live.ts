/**
 * Live worker state kept in memory: heartbeats update it without touching storage, and
 * `drainDirty` hands the changed rows to one batched write (platform-rules §8, "hot paths batch").
 * It is a write-through cache of the few stored fields a heartbeat needs to decide (known, banned,
 * online, known state, active lease), so a heartbeat costs no database read once a worker is cached.
 */
import type { LeaseLiveUpdate, WorkerLiveUpdate } from "../ports.js";
import type { WorkerRecord, WorkerState } from "../types.js";

export interface LiveWorker extends WorkerLiveUpdate {
  banned: boolean;
  online: boolean;
  state: WorkerState | null;
  stateLeaseId: string | null;
  /** The worker's active (confirmed) lease, if any. */
  activeLeaseId: string | null;
}

export interface LiveLease extends LeaseLiveUpdate {}

export class LiveFleet {
  private readonly workers = new Map<string, LiveWorker>();
  private readonly leases = new Map<string, LiveLease>();
  private readonly dirtyWorkers = new Set<string>();
  private readonly dirtyLeases = new Set<string>();

  get(workerId: string): LiveWorker | undefined {
    return this.workers.get(workerId);
  }

  /** Caches a stored worker (on first sight since start) with its active lease id. */
  load(w: WorkerRecord, activeLeaseId: string | null): LiveWorker {
    const entry: LiveWorker = {
      ...liveFields(w),
      banned: w.banned,
      online: w.online,
      state: w.state,
      stateLeaseId: w.stateLeaseId,
      activeLeaseId,
    };
    this.workers.set(w.workerId, entry);
    return entry;
  }

  /** Applies a change to a cached worker; `dirty` marks it for the next flush. */
  patch(workerId: string, change: Partial<LiveWorker>, dirty = false): void {
    const entry = this.workers.get(workerId);
    if (!entry) return;
    Object.assign(entry, change);
    if (dirty) this.dirtyWorkers.add(workerId);
  }

  markDirty(workerId: string): void {
    if (this.workers.has(workerId)) this.dirtyWorkers.add(workerId);
  }

  online(): LiveWorker[] {
    return [...this.workers.values()].filter((w) => w.online);
  }

  lease(leaseId: string): LiveLease | undefined {
    return this.leases.get(leaseId);
  }

  recordLeaseHeartbeat(leaseId: string, at: number, hashrate: number, stored?: LeaseLiveUpdate): void {
    let entry = this.leases.get(leaseId);
    if (!entry) {
      entry = stored
        ? { ...stored }
        : { leaseId, lastGoodHeartbeatAt: at, hashrateSum: 0, hashrateSamples: 0 };
      this.leases.set(leaseId, entry);
    }
    entry.lastGoodHeartbeatAt = at;
    entry.hashrateSum += hashrate;
    entry.hashrateSamples += 1;
    this.dirtyLeases.add(leaseId);
  }

  /** Forgets a lease that ended; its live figures were written with the settlement. */
  dropLease(leaseId: string): void {
    this.leases.delete(leaseId);
    this.dirtyLeases.delete(leaseId);
  }

  /** Takes the changed rows for one batched write. */
  drainDirty(): { workers: WorkerLiveUpdate[]; leases: LeaseLiveUpdate[] } {
    const workers: WorkerLiveUpdate[] = [];
    for (const id of this.dirtyWorkers) {
      const w = this.workers.get(id);
      if (w) workers.push(liveFields(w));
    }
    const leases: LeaseLiveUpdate[] = [];
    for (const id of this.dirtyLeases) {
      const l = this.leases.get(id);
      if (l) leases.push({ ...l });
    }
    this.dirtyWorkers.clear();
    this.dirtyLeases.clear();
    return { workers, leases };
  }

  /** Puts rows back after a failed flush so nothing is lost. */
  restoreDirty(batch: { workers: WorkerLiveUpdate[]; leases: LeaseLiveUpdate[] }): void {
    for (const w of batch.workers) this.dirtyWorkers.add(w.workerId);
    for (const l of batch.leases) if (this.leases.has(l.leaseId)) this.dirtyLeases.add(l.leaseId);
  }
}

/** The heartbeat-driven fields of a worker: what a flush writes and what a cache load reads. */
function liveFields(w: WorkerLiveUpdate): WorkerLiveUpdate {
  return {
    workerId: w.workerId,
    lastSeenAt: w.lastSeenAt,
    lastHeartbeatAt: w.lastHeartbeatAt,
    hashrate: w.hashrate,
    activeGpus: w.activeGpus,
    uptimeSec: w.uptimeSec,
    onlineSec: w.onlineSec,
    config: { ...w.config },
  };
}
