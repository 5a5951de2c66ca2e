/**
 * A fleet of simulated workers in one process, sized for 10,000: every worker shares one scheduler (one
 * Node timer for all heartbeats, watchdogs and reconnects), blocks and churn are drawn from a single fleet
 * tick instead of per-worker timers, workers connect in bounded parallel batches so the broker is not hit
 * by 10,000 CONNECTs at once, and the send logs are kept short by default. Drawn blocks are synthetic or
 * computed for real by a few Argon2id minings at a time (`fleet-mining.ts`).
 */
import { randomBytes } from "node:crypto";
import { DEFAULT_BLOCK_MARKER, formatTopic } from "@xenblocks/core";
import { connect } from "mqtt";
import { fetchDifficulty } from "./chain-submitter.js";
import { GenuineMiner, type GenuineMiningCounts } from "./fleet-mining.js";
import { type Rig, randomRig } from "./gpu-profiles.js";
import { type Scheduler, sharedScheduler, type TimerTarget } from "./scheduler.js";
import { SimWorker } from "./sim-worker.js";
import type { ChainOptions, SimWorkerOptions } from "./sim-worker-options.js";
import { syntheticBlock } from "./synthetic-blocks.js";

/** Provider (owner) addresses in EIP-55 form, as a worker's command line would carry them. */
export const DEFAULT_PROVIDER_ADDRESSES: readonly string[] = [
  "0x89e457E13160B41beFE3650F244c51B8a08a1ac5",
  "0xd54D06EeA11Ee23E88352633671d0b0C13c84563",
  "0xc7e06df0cb3D1651ec37f7990f062E5D964017e2",
  "0x7EB36307c859319cF112C8b2b1EBF20276554650",
];

export interface FleetChurn {
  /** Seconds between churn rounds. */
  readonly everySec: number;
  /** Chance for each connected worker, per round, to drop out. */
  readonly probability: number;
  /** Outage length range in seconds. */
  readonly downSec: readonly [number, number];
  /**
   * Share of outages that are process restarts (abrupt death, then a fresh process that registers again)
   * rather than network drops (reconnect without registering, H5). Default 0.5.
   */
  readonly restartShare?: number;
}

export interface FleetBlocks {
  /** Mean seconds between blocks for one GPU while platform mode runs. */
  readonly perGpuMeanSec: number;
  /**
   * Share of synthetic blocks that are xuni (reported only inside the xuni minutes). Default 0. Genuine
   * blocks are whatever Argon2id yields; a real xuni among them is rare.
   */
  readonly xuniShare?: number;
  /**
   * Compute each drawn block for real (Argon2id on the worker's current job: account, m, marker, key
   * prefix), so it passes re-verification anywhere, instead of a synthetic one whose hash segment is
   * random. Default: genuine when the job's marker is not the production `XEN11`. A 2-character test
   * marker (`XN`, the worker's `--testBlockPattern`) takes ~50 hashes a block, `XEN11` ~10^7, so
   * production-marker fleets stay synthetic unless this says otherwise.
   */
  readonly genuine?: boolean;
  /** Hashes a genuine block may take before that draw is given up (default 10,000). */
  readonly maxAttempts?: number;
  /** Genuine blocks computed at once, fleet-wide (default 2); further draws queue briefly or are skipped. */
  readonly miningConcurrency?: number;
}

/** Options applied to every worker; identity, rig, randomness and scheduler come from the fleet. */
export type FleetWorkerOptions = Omit<
  SimWorkerOptions,
  "workerId" | "brokerUrl" | "ethAddress" | "rig" | "random" | "scheduler" | "chain"
>;

export interface FleetOptions {
  readonly brokerUrl: string;
  readonly size: number;
  /** Worker ids are `<idPrefix><index as 8 hex>`; default 8 random hex, so ids look like real ones (16 hex). */
  readonly idPrefix?: string;
  /** Owners, assigned round-robin. */
  readonly owners?: readonly string[];
  readonly random?: () => number;
  /** CONNECTs in flight at once (default 100). */
  readonly connectConcurrency?: number;
  readonly worker?: FleetWorkerOptions;
  /** Rig for worker `index` (default: a random rig). */
  readonly rig?: (index: number, random: () => number) => Rig;
  /**
   * Blocks drawn on the fleet tick (synthetic or genuine, see `FleetBlocks.genuine`); off when absent (or
   * give `worker.miner` instead).
   */
  readonly blocks?: FleetBlocks;
  readonly churn?: FleetChurn;
  /** Workers submit blocks to this chain; the fleet polls its difficulty once for all of them. */
  readonly chain?: Omit<ChainOptions, "pollDifficultySec"> & { readonly pollDifficultySec?: number };
  /** Seconds between fleet ticks (blocks, churn, restarts). Default 1. */
  readonly tickSec?: number;
  readonly scheduler?: Scheduler;
  /** Called for every worker created, restarts included (attach listeners here). */
  readonly onWorker?: (worker: SimWorker) => void;
}

export interface FleetCounts {
  readonly workers: number;
  readonly connected: number;
  /** Workers in MINING. */
  readonly leased: number;
  readonly available: number;
  /** Workers whose first connect failed (platform mode off). */
  readonly disabled: number;
  readonly blocksFound: number;
  readonly blocksReported: number;
  /** Genuine mining (all zero for synthetic blocks). */
  readonly genuine: GenuineMiningCounts;
}

interface Slot {
  worker: SimWorker;
  readonly owner: string;
  readonly rig: Rig;
  restartAt: number | null;
}

const FleetTimer = { Tick: 0, Difficulty: 1 } as const;

/** Runs `fn` over `items` with at most `limit` calls in flight. */
async function inBatches<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

export class Fleet implements TimerTarget {
  private readonly slots: Slot[] = [];
  private readonly options: FleetOptions;
  private readonly random: () => number;
  private readonly scheduler: Scheduler;
  private readonly tickMs: number;
  private running = false;
  private lastTickAt = 0;
  private lastChurnAt = 0;
  private retiredFound = 0;
  private retiredReported = 0;
  private readonly genuineMiner: GenuineMiner | null;

  constructor(options: FleetOptions) {
    this.options = options;
    this.random = options.random ?? Math.random;
    this.scheduler = options.scheduler ?? sharedScheduler;
    const tickSec = options.tickSec ?? 1;
    if (!(tickSec > 0)) throw new RangeError(`tickSec must be > 0, got ${tickSec}`);
    this.tickMs = tickSec * 1000;
    const blocks = options.blocks;
    // Built unless genuine blocks are switched off: the default decides per job, by its marker.
    this.genuineMiner =
      blocks && blocks.genuine !== false
        ? new GenuineMiner({
            random: this.random,
            ...(blocks.maxAttempts !== undefined && { maxAttempts: blocks.maxAttempts }),
            ...(blocks.miningConcurrency !== undefined && { concurrency: blocks.miningConcurrency }),
          })
        : null;
    const owners = options.owners ?? DEFAULT_PROVIDER_ADDRESSES;
    if (owners.length === 0) throw new RangeError("a fleet needs at least one owner");
    const idPrefix = options.idPrefix ?? randomBytes(4).toString("hex");
    for (let i = 0; i < options.size; i++) {
      const owner = owners[i % owners.length]!;
      const rig = options.rig ? options.rig(i, this.random) : randomRig(this.random);
      const worker = this.createWorker(`${idPrefix}${i.toString(16).padStart(8, "0")}`, owner, rig);
      this.slots.push({ worker, owner, rig, restartAt: null });
    }
  }

  /** The current process of every worker (a restarted worker is a new instance). */
  get workers(): readonly SimWorker[] {
    return this.slots.map((s) => s.worker);
  }

  worker(workerId: string): SimWorker | undefined {
    return this.slots.find((s) => s.worker.workerId === workerId)?.worker;
  }

  /** Connects every worker (bounded parallelism) and starts the fleet tick. Resolves with how many made it. */
  async start(): Promise<{ connected: number; failed: number }> {
    this.running = true;
    const now = this.scheduler.now();
    this.lastTickAt = now;
    this.lastChurnAt = now;
    this.scheduler.add(now + this.tickMs, this, FleetTimer.Tick);
    if (this.options.chain && !this.options.worker?.fixedDifficulty) {
      this.scheduler.add(now, this, FleetTimer.Difficulty);
    }
    let connected = 0;
    await inBatches(this.slots, this.options.connectConcurrency ?? 100, async (slot) => {
      if (await slot.worker.start()) connected++;
    });
    return { connected, failed: this.slots.length - connected };
  }

  counts(): FleetCounts {
    let connected = 0;
    let leased = 0;
    let available = 0;
    let disabled = 0;
    let blocksFound = this.retiredFound;
    let blocksReported = this.retiredReported;
    for (const { worker } of this.slots) {
      if (worker.connected) connected++;
      if (worker.state === "MINING") leased++;
      else if (worker.state === "AVAILABLE") available++;
      if (worker.mode === "disabled") disabled++;
      blocksFound += worker.blocksFound;
      blocksReported += worker.blocksReported;
    }
    return {
      workers: this.slots.length,
      connected,
      leased,
      available,
      disabled,
      blocksFound,
      blocksReported,
      genuine: this.genuineMiner?.counts() ?? {
        mining: 0,
        mined: 0,
        skipped: 0,
        gaveUp: 0,
        stale: 0,
        synthetic: 0,
        failed: 0,
      },
    };
  }

  /** One line for a progress display. */
  progressLine(): string {
    const c = this.counts();
    const line = `workers ${c.workers}  connected ${c.connected}  leased ${c.leased}  available ${c.available}  blocks ${c.blocksFound}`;
    const g = c.genuine;
    if (g.mined + g.mining + g.skipped + g.gaveUp === 0) return line;
    return `${line}  (argon2: mined ${g.mined}  mining ${g.mining}  skipped ${g.skipped}  gave up ${g.gaveUp})`;
  }

  /**
   * Stops every worker with a silent DISCONNECT (no will) and, by default, clears the retained wills that
   * churn left on their status topics.
   */
  async close(options: { readonly clearRetained?: boolean } = {}): Promise<void> {
    this.running = false;
    this.scheduler.removeTarget(this);
    this.genuineMiner?.close();
    await inBatches(this.slots, this.options.connectConcurrency ?? 100, (slot) => slot.worker.close());
    if (options.clearRetained ?? true) await this.clearRetainedWills();
  }

  onTimer(kind: number, _token: number, now: number): void {
    if (!this.running) return;
    if (kind === FleetTimer.Difficulty) {
      this.pollDifficulty(now);
      return;
    }
    // The next tick is booked first: a throwing listener in this one must not end the fleet's clock.
    this.scheduler.add(now + this.tickMs, this, FleetTimer.Tick);
    const dtSec = (now - this.lastTickAt) / 1000;
    this.lastTickAt = now;
    this.genuineMiner?.abortStale();
    this.drawBlocks(dtSec);
    const churn = this.options.churn;
    if (churn && now - this.lastChurnAt >= churn.everySec * 1000) {
      this.lastChurnAt = now;
      this.churnRound(churn, now);
    }
    this.restartDue(now);
  }

  private createWorker(workerId: string, owner: string, rig: Rig): SimWorker {
    const { chain } = this.options;
    const worker = new SimWorker({
      logLimit: 16,
      ...this.options.worker,
      workerId,
      brokerUrl: this.options.brokerUrl,
      ethAddress: owner,
      rig,
      random: this.random,
      scheduler: this.scheduler,
      // The fleet polls the difficulty once for everyone instead of 10,000 polls every 10 s.
      ...(chain && { chain: { ...chain, pollDifficultySec: 0 } }),
    });
    this.options.onWorker?.(worker);
    return worker;
  }

  private drawBlocks(dtSec: number): void {
    const blocks = this.options.blocks;
    if (!blocks || dtSec <= 0) return;
    for (const { worker } of this.slots) {
      if (worker.mode !== "running") continue;
      const chance = (dtSec * worker.rig.gpus.length) / blocks.perGpuMeanSec;
      if (this.random() >= chance) continue;
      const job = worker.currentJob();
      const genuine = blocks.genuine ?? job.marker !== DEFAULT_BLOCK_MARKER;
      if (genuine && this.genuineMiner) {
        this.genuineMiner.request(worker);
        continue;
      }
      const type = this.random() < (blocks.xuniShare ?? 0) ? "xuni" : "normal";
      worker.foundBlock(syntheticBlock(job, this.random, type), job);
    }
  }

  private churnRound(churn: FleetChurn, now: number): void {
    const [minDown, maxDown] = churn.downSec;
    for (const slot of this.slots) {
      const { worker } = slot;
      if (!worker.connected || this.random() >= churn.probability) continue;
      const downMs = (minDown + (maxDown - minDown) * this.random()) * 1000;
      if (this.random() < (churn.restartShare ?? 0.5)) {
        slot.restartAt = now + downMs;
        void worker.kill();
      } else {
        worker.dropConnection(downMs);
      }
    }
  }

  private restartDue(now: number): void {
    for (const slot of this.slots) {
      if (slot.restartAt === null || slot.restartAt > now) continue;
      slot.restartAt = null;
      const old = slot.worker;
      this.retiredFound += old.blocksFound;
      this.retiredReported += old.blocksReported;
      slot.worker = this.createWorker(old.workerId, slot.owner, slot.rig);
      void slot.worker.start();
    }
  }

  private pollDifficulty(now: number): void {
    const chain = this.options.chain;
    if (!chain) return;
    void fetchDifficulty(chain.url, chain.fetch).then((difficulty) => {
      if (difficulty === null || !this.running) return;
      for (const { worker } of this.slots) worker.setNetworkDifficulty(difficulty);
    });
    this.scheduler.add(now + (chain.pollDifficultySec ?? 10) * 1000, this, FleetTimer.Difficulty);
  }

  private async clearRetainedWills(): Promise<void> {
    const cleaner = connect(this.options.brokerUrl, {
      clientId: `xenblocks-sim-cleaner-${randomBytes(4).toString("hex")}`,
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    cleaner.on("error", () => {});
    const ok = await new Promise<boolean>((resolve) => {
      cleaner.once("connect", () => resolve(true));
      cleaner.once("close", () => resolve(false));
    });
    if (ok) {
      const ids = this.slots.map((s) => s.worker.workerId);
      await inBatches(ids, 200, (id) =>
        cleaner.publishAsync(formatTopic(id, "status"), "", { qos: 1, retain: true }),
      );
    }
    await cleaner.endAsync();
  }
}
