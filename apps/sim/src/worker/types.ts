/**
 * Shared types of the simulated worker: its states, the lease it holds, the self-mining configuration,
 * the block source it mines with and the records tests inspect. The block source is a small structural
 * interface so the worker does not depend on `../hashing/` at compile time: `mine` from there fits it as is.
 */
import type { BlockClass, WorkerState } from "@xenblocks/core";

/** The worker's own states (worker-protocol §6); `offline` exists only as a status value. */
export type MachineState = Exclude<WorkerState, "offline">;

/** Fixed in the real worker's register message. */
export const WORKER_VERSION = "2.0.0";

/** The real worker mines at 42069 KiB until its first `/difficulty` answer (worker-protocol §9). */
export const DEFAULT_DIFFICULTY = 42_069;

/**
 * Where the worker is in its life, beside the state machine:
 * `new` → `connecting` → `running`; a failed first connect ends in `disabled` (platform mode off for the
 * process, hazard H17); `shutdown` after the control action or a local stop; `killed` after an abrupt death
 * (the broker fires the will); `closed` after a silent cleanup disconnect (tests and fleet teardown only).
 */
export type PlatformMode = "new" | "connecting" | "running" | "disabled" | "shutdown" | "killed" | "closed";

/** The lease the worker holds, as it parsed `assign_task`. */
export interface HeldLease {
  readonly leaseId: string;
  readonly consumerId: string;
  /** As sent: the worker does not validate it (hazard H11). */
  readonly consumerAddress: string;
  readonly prefix: string;
  /** `<= 0` disables the local expiry (hazard H12). */
  readonly durationSec: number;
  /** Worker clock (ms) at receipt: the local expiry counts from here. */
  readonly receivedAtMs: number;
}

/** What `set_config` changes; echoed by every heartbeat. */
export interface SelfMiningConfig {
  /** Argon2 memory cost in KiB. */
  difficulty: number;
  /** Self-mining payout address; starts as the owner address and never changes the owner (H15). */
  address: string;
  /** Self-mining key prefix, `""` for none. */
  prefix: string;
  /** Block marker override, `""` for the default `XEN11`. */
  blockPattern: string;
}

/** One mining job: what the GPUs hash for right now. Field names match `hashing/miner.ts` `MineOptions`. */
export interface MiningJob {
  /** Salt and payout: the lease's consumer address, or the self-mining address. */
  readonly account: string;
  readonly memoryKiB: number;
  readonly marker: string;
  /** The lease prefix (16 hex), the `set_config` prefix, or `""`. */
  readonly keyPrefix: string;
  /** Aborted when the mining context changes (lease start/end, config, difficulty) or the worker stops. */
  readonly signal: AbortSignal;
}

/** A block a source found. `blockType` undefined means "a block, class unknown". */
export interface FoundBlock {
  readonly key: string;
  /** The encoded Argon2id string (worker-protocol §8). */
  readonly hash: string;
  readonly attempts: number;
  readonly blockType?: Exclude<BlockClass, "none">;
}

/**
 * Finds the next block for a job, or resolves null (gave up, or the signal aborted). The worker calls it
 * in a loop while platform mode runs and reports what it returns according to its state.
 */
export type BlockSource = (job: MiningJob) => Promise<FoundBlock | null>;

/** Out-of-order behaviours of the real worker, off by default so tests are deterministic. */
export interface WorkerHazards {
  /**
   * H2/H4: the real worker handles each inbound message on its own detached thread. When set, each message
   * waits a random delay in [0, maxDelayMs) before it is handled, so two close messages may swap.
   */
  concurrentHandling?: boolean | { readonly maxDelayMs: number };
  /**
   * H13: `pause` ends only a non-expired lease. A lease that expired but was not yet cleaned by the
   * watchdog survives the pause and keeps mining for its consumer forever (the watchdog only expires
   * leases in MINING). Off: `pause` ends any held lease.
   */
  staleLeaseOnEarlyPause?: boolean;
}

export type WorkerSuffix = "register" | "heartbeat" | "status" | "block";

/** One publish the worker attempted; `delivered:false` when it was dropped because it was disconnected. */
export interface SentRecord {
  readonly at: number;
  readonly suffix: WorkerSuffix;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly delivered: boolean;
}

/** Notable things that happened to the worker, newest last (bounded). */
export type JournalEntry = { readonly at: number } & (
  | { readonly type: "state"; readonly state: MachineState; readonly previous: MachineState | null }
  | { readonly type: "received"; readonly topic: string; readonly payload: string }
  | { readonly type: "ignored"; readonly reason: string; readonly payload: string }
  | { readonly type: "connect"; readonly reconnect: boolean }
  | { readonly type: "disconnect" }
  | { readonly type: "reconnect-scheduled"; readonly delayMs: number }
  | { readonly type: "mode"; readonly mode: PlatformMode }
  | { readonly type: "miner-error"; readonly message: string }
);

/** The result of one block's trip through the chain `/verify` queue. */
export interface ChainResult {
  readonly key: string;
  readonly outcome: "accepted" | "abandoned" | "failed";
  readonly attempts: number;
  readonly lastStatus: number | null;
}

/** Events of `SimWorker` (typed EventEmitter map). */
export interface WorkerEvents {
  state: [state: MachineState, previous: MachineState | null];
  sent: [record: SentRecord];
  ignored: [reason: string, payload: string];
  connect: [reconnect: boolean];
  disconnect: [];
  mode: [mode: PlatformMode];
  /** A block the worker found; `reported` says whether it went out as a `block` message. */
  block: [found: FoundBlock, reported: boolean];
  chain: [result: ChainResult];
}
