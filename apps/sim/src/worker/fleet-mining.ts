/**
 * Genuine blocks for a fleet: when the fleet tick draws a block for a worker, this computes it for real
 * (Argon2id through `hashing/miner.ts`) on the worker's current job, so the platform and the chain can
 * re-verify it. Argon2 runs on the event loop's thread (hash-wasm), so a fleet of 10,000 must not start
 * 10,000 computations: a small semaphore runs a few at once, a short queue absorbs bursts, and draws beyond
 * that are skipped and counted, which is the honest result of a CPU standing in for thousands of GPUs.
 */
import { addressBytes } from "@xenblocks/core";
import { MIN_MEMORY_KIB } from "../hashing/argon2.js";
import { mine } from "../hashing/miner.js";
import type { SimWorker } from "./sim-worker.js";
import { syntheticBlock } from "./synthetic-blocks.js";
import type { MiningJob } from "./types.js";

/** Hashes one genuine block may take: a 2-character marker needs ~50, `XEN11` ~10^7 (given up). */
export const DEFAULT_GENUINE_MAX_ATTEMPTS = 10_000;
/** Genuine blocks computed at once, fleet-wide. */
export const DEFAULT_MINING_CONCURRENCY = 2;

export interface GenuineMinerOptions {
  readonly maxAttempts?: number;
  readonly concurrency?: number;
  /** Draws that may wait for a free slot (default 4 × concurrency); later ones are skipped. */
  readonly queueLimit?: number;
  /** Source of the random part of each key, for synthetic fallbacks. */
  readonly random: () => number;
}

export interface GenuineMiningCounts {
  /** Minings running or queued. */
  readonly mining: number;
  /** Blocks mined for real and handed to their worker. */
  readonly mined: number;
  /** Draws skipped: the worker already had one pending, or every slot and the queue were taken. */
  readonly skipped: number;
  /** Minings that used up `maxAttempts` without a block. */
  readonly gaveUp: number;
  /** Minings dropped because the worker's job changed (lease start/end, config, difficulty) or it stopped. */
  readonly stale: number;
  /** Jobs Argon2 cannot take (an unusable address, H11, or m < 8): a synthetic block was reported. */
  readonly synthetic: number;
  /** Minings that failed for any other reason (logged). */
  readonly failed: number;
}

interface Running {
  readonly job: MiningJob;
  readonly controller: AbortController;
}

/** The fields that make a job; the signal is not part of its identity. */
function sameJob(a: MiningJob, b: MiningJob): boolean {
  return (
    a.account === b.account &&
    a.memoryKiB === b.memoryKiB &&
    a.marker === b.marker &&
    a.keyPrefix === b.keyPrefix
  );
}

export class GenuineMiner {
  private readonly maxAttempts: number;
  private readonly concurrency: number;
  private readonly queueLimit: number;
  private readonly random: () => number;
  private readonly queue: SimWorker[] = [];
  /** Workers with a mining queued or running: at most one each, as one rig loop mines one job. */
  private readonly pending = new Set<SimWorker>();
  private readonly running = new Map<SimWorker, Running>();
  private closed = false;
  private mined = 0;
  private skipped = 0;
  private gaveUp = 0;
  private stale = 0;
  private synthetic = 0;
  private failed = 0;

  constructor(options: GenuineMinerOptions) {
    this.maxAttempts = options.maxAttempts ?? DEFAULT_GENUINE_MAX_ATTEMPTS;
    this.concurrency = options.concurrency ?? DEFAULT_MINING_CONCURRENCY;
    this.queueLimit = options.queueLimit ?? 4 * this.concurrency;
    this.random = options.random;
    if (!(this.maxAttempts >= 1)) throw new RangeError(`maxAttempts must be >= 1, got ${this.maxAttempts}`);
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) {
      throw new RangeError(`mining concurrency must be an integer >= 1, got ${this.concurrency}`);
    }
  }

  counts(): GenuineMiningCounts {
    return {
      mining: this.pending.size,
      mined: this.mined,
      skipped: this.skipped,
      gaveUp: this.gaveUp,
      stale: this.stale,
      synthetic: this.synthetic,
      failed: this.failed,
    };
  }

  /** The tick drew a block for `worker`: mine it now, queue it, or skip it. */
  request(worker: SimWorker): void {
    if (this.closed) return;
    if (this.pending.has(worker)) {
      this.skipped++;
      return;
    }
    if (this.running.size < this.concurrency) {
      this.pending.add(worker);
      void this.run(worker);
    } else if (this.queue.length < this.queueLimit) {
      this.pending.add(worker);
      this.queue.push(worker);
    } else {
      this.skipped++;
    }
  }

  /** Aborts minings whose worker moved on to another job or stopped (called on every fleet tick). */
  abortStale(): void {
    for (const [worker, { job, controller }] of this.running) {
      if (worker.mode !== "running" || !sameJob(job, worker.currentJob())) controller.abort();
    }
  }

  /** Aborts everything; nothing more is reported. */
  close(): void {
    this.closed = true;
    for (const worker of this.queue) this.pending.delete(worker);
    this.queue.length = 0;
    for (const { controller } of this.running.values()) controller.abort();
  }

  private async run(worker: SimWorker): Promise<void> {
    const controller = new AbortController();
    // The job is read when hashing starts, not when the block was drawn: a queued draw mines the worker's
    // job of that moment, as its GPUs would.
    const job = worker.currentJob(controller.signal);
    this.running.set(worker, { job, controller });
    try {
      if (worker.mode !== "running") {
        this.stale++;
        return;
      }
      if (!argon2CanTake(job)) {
        // The real worker still reports what its GPUs produce for such a job, a hash nothing can
        // verify, so the fleet reports a synthetic one.
        this.synthetic++;
        worker.foundBlock(syntheticBlock(job, this.random), job);
        return;
      }
      const found = await mine({
        account: job.account,
        memoryKiB: job.memoryKiB,
        marker: job.marker,
        keyPrefix: job.keyPrefix,
        maxAttempts: this.maxAttempts,
        signal: job.signal,
      });
      if (found === null) {
        if (controller.signal.aborted) this.stale++;
        else this.gaveUp++;
      } else if (this.closed || worker.mode !== "running" || !sameJob(job, worker.currentJob())) {
        // Found for a context that has ended: the worker's restarted GPU loop drops it too.
        this.stale++;
      } else {
        this.mined++;
        worker.foundBlock(found, job);
      }
    } catch (error) {
      // Runs detached (`void this.run`): a failure is counted and logged, never an unhandled rejection.
      this.failed++;
      console.error("fleet mining failed:", error);
    } finally {
      this.running.delete(worker);
      this.pending.delete(worker);
      this.next();
    }
  }

  private next(): void {
    while (!this.closed && this.running.size < this.concurrency) {
      const worker = this.queue.shift();
      if (!worker) return;
      void this.run(worker);
    }
  }
}

/** Argon2id needs the salt of a 0x + 40 hex address and at least 8 KiB (worker-protocol §8). */
function argon2CanTake(job: MiningJob): boolean {
  return (
    addressBytes(job.account) !== null && Number.isInteger(job.memoryKiB) && job.memoryKiB >= MIN_MEMORY_KIB
  );
}
