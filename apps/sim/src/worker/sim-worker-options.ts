/** Options of `SimWorker`: identity, timers (defaults are the real worker's), mining, chain and hazards. */
import type { Rig } from "./gpu-profiles.js";
import type { Scheduler } from "./scheduler.js";
import type { BlockSource, WorkerHazards } from "./types.js";

export interface ChainOptions {
  /** The chain RPC (`--rpcLink`), e.g. `http://127.0.0.1:8545`. */
  readonly url: string;
  /** `GET /difficulty` period (10 s in the worker); 0 turns the poll off (a fleet polls once for all). */
  readonly pollDifficultySec?: number;
  readonly timeoutMs?: number;
  /** Pause between `/verify` retries of a non-empty failure (2 s in the worker). */
  readonly retryDelayMs?: number;
  readonly fetch?: typeof fetch;
}

export interface SimWorkerOptions {
  readonly workerId: string;
  /** e.g. `mqtt://127.0.0.1:1883`. */
  readonly brokerUrl: string;
  /** The owner address (EIP-55), sent as `register.eth_address`; also the first self-mining address. */
  readonly ethAddress: string;
  /** Default: a random rig drawn with `random`. */
  readonly rig?: Rig;
  /** Starting difficulty in KiB (default 42069, what the worker uses before its first chain answer). */
  readonly difficulty?: number;
  /** `--testFixedDiff`: `set_config difficulty` sticks and no `/verify` is sent. */
  readonly fixedDifficulty?: boolean;
  /**
   * `--testBlockPattern`: the starting block marker (default `""` = `XEN11`). The worker keeps it where
   * `set_config block_pattern` writes, so heartbeats echo it and `set_config` can change it.
   */
  readonly blockPattern?: string;
  readonly heartbeatSec?: number;
  /** Lease watchdog period: local expiry and ERROR recovery (5 s). */
  readonly watchdogSec?: number;
  readonly keepaliveSec?: number;
  readonly connectTimeoutMs?: number;
  readonly reconnectMinMs?: number;
  readonly reconnectMaxMs?: number;
  /** Called in a loop while platform mode runs; none means blocks only come through `foundBlock`. */
  readonly miner?: BlockSource;
  /** Submit found blocks to the chain (skipped with `fixedDifficulty`) and poll its difficulty. */
  readonly chain?: ChainOptions;
  readonly hazards?: WorkerHazards;
  readonly random?: () => number;
  /** Worker clock for timestamps, lease expiry and the xuni window (timers follow the scheduler's). */
  readonly now?: () => number;
  readonly scheduler?: Scheduler;
  /** Entries kept in `sent` and `journal` (default 500; 0 keeps none). */
  readonly logLimit?: number;
}
