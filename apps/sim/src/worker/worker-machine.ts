/**
 * The real worker's platform state machine (worker-protocol §6), transport-free. It mirrors
 * XenblocksMiner's PlatformManager: `transitionTo` publishes a status only on a real change and only while
 * connected, a status carries `lease_id` whenever a lease is held (so the first LEASED has none), the lease
 * survives ERROR recovery and an accepted `register_ack` (hazard H1), and the watchdog expires leases only
 * in MINING. `SimWorker` supplies the MQTT link, the timers and the mining loop through the hooks below.
 */
import { EventEmitter } from "node:events";
import { DEFAULT_BLOCK_MARKER } from "@xenblocks/core";
import { gpuHashrate, type Rig } from "./gpu-profiles.js";
import {
  decodeInbound,
  type Inbound,
  isAcceptedPrefixLength,
  readAssignTask,
  readSetConfig,
} from "./inbound.js";
import {
  blockPayload,
  heartbeatPayload,
  offlineVariantPayload,
  registerPayload,
  statusPayload,
} from "./payloads.js";
import type {
  FoundBlock,
  HeldLease,
  JournalEntry,
  MachineState,
  MiningJob,
  PlatformMode,
  SelfMiningConfig,
  SentRecord,
  WorkerEvents,
  WorkerHazards,
  WorkerSuffix,
} from "./types.js";

export interface MachineOptions {
  readonly workerId: string;
  /** The owner address from the command line (EIP-55); `register.eth_address`. */
  readonly ethAddress: string;
  readonly rig: Rig;
  readonly difficulty: number;
  /** `--testFixedDiff`: `set_config difficulty` sticks, no chain poll overrides it, no `/verify`. */
  readonly fixedDifficulty: boolean;
  /** `--testBlockPattern`: the starting marker override (`""` = `XEN11`). */
  readonly blockPattern?: string;
  readonly hazards: WorkerHazards;
  readonly random: () => number;
  readonly now: () => number;
  /** Entries kept in `sent` and `journal` each. */
  readonly logLimit: number;
}

/** Without `0x` the worker decodes the whole string as the salt and reports `0x` + salt. */
const asAccount = (address: string): string => (address.startsWith("0x") ? address : `0x${address}`);

/** Xuni only counts as a find in minutes 0–4 and 55–59 of the local hour (MineUnit). */
export function inXuniWindow(nowMs: number): boolean {
  const minute = new Date(nowMs).getMinutes();
  return minute < 5 || minute >= 55;
}

export abstract class WorkerMachine extends EventEmitter<WorkerEvents> {
  readonly workerId: string;
  readonly ethAddress: string;
  readonly rig: Rig;
  /** Publishes attempted, newest last, bounded by `logLimit`. */
  readonly sent: SentRecord[] = [];
  /** Transitions, inbound messages, drops and connection events, newest last, bounded by `logLimit`. */
  readonly journal: JournalEntry[] = [];
  /** Chain-accepted normal/super blocks, reported in heartbeats. */
  acceptedBlocks = 0;
  /** Blocks the miner found while platform mode ran, reported or not. */
  blocksFound = 0;
  /** Blocks that went out as `block` messages. */
  blocksReported = 0;

  protected machineState: MachineState | null = null;
  protected heldLease: HeldLease | null = null;
  protected readonly config: SelfMiningConfig;
  protected platformMode: PlatformMode = "new";
  protected startedAtMs = 0;
  protected readonly fixedDifficulty: boolean;
  protected readonly hazards: WorkerHazards;
  protected readonly random: () => number;
  protected readonly now: () => number;
  protected readonly logLimit: number;

  constructor(options: MachineOptions) {
    super();
    this.workerId = options.workerId;
    this.ethAddress = options.ethAddress;
    this.rig = options.rig;
    this.fixedDifficulty = options.fixedDifficulty;
    this.hazards = options.hazards;
    this.random = options.random;
    this.now = options.now;
    this.logLimit = options.logLimit;
    this.config = {
      difficulty: options.difficulty,
      address: options.ethAddress,
      prefix: "",
      blockPattern: options.blockPattern ?? "",
    };
  }

  /** Null before the first connect. */
  get state(): MachineState | null {
    return this.machineState;
  }

  get lease(): HeldLease | null {
    return this.heldLease;
  }

  get mode(): PlatformMode {
    return this.platformMode;
  }

  get selfMiningConfig(): Readonly<SelfMiningConfig> {
    return { ...this.config };
  }

  get uptimeSec(): number {
    return this.startedAtMs === 0 ? 0 : Math.floor((this.now() - this.startedAtMs) / 1000);
  }

  /** Current H/s of each card, with jitter. */
  gpuHashrates(): number[] {
    return this.rig.gpus.map((g) => gpuHashrate(g, this.config.difficulty, this.random));
  }

  /** What the GPUs hash for now: the held lease (even a stale one), else self-mining. */
  currentJob(signal: AbortSignal = new AbortController().signal): MiningJob {
    const lease = this.heldLease;
    return {
      account: asAccount(lease ? lease.consumerAddress : this.config.address),
      keyPrefix: lease ? lease.prefix : this.config.prefix,
      memoryKiB: this.config.difficulty,
      marker: this.config.blockPattern.length > 0 ? this.config.blockPattern : DEFAULT_BLOCK_MARKER,
      signal,
    };
  }

  /**
   * The chain difficulty changed (the worker's 10 s `/difficulty` poll). In fixed-difficulty mode the
   * worker never polls, so `set_config difficulty` stays.
   */
  setNetworkDifficulty(difficulty: number): void {
    if (this.fixedDifficulty || difficulty === this.config.difficulty) return;
    this.config.difficulty = difficulty;
    this.onMiningContextChanged();
  }

  /**
   * A block found for `job` (default: the current one). Reported only in MINING (with the lease id) and
   * AVAILABLE (`lease_id:""`); found in any other state it is not reported. Returns whether it was sent.
   */
  foundBlock(found: FoundBlock, job: Pick<MiningJob, "account"> = this.currentJob()): boolean {
    if (this.platformMode !== "running") return false;
    if (found.blockType === "xuni" && !inXuniWindow(this.now())) return false;
    this.blocksFound++;
    const state = this.machineState;
    const leaseId =
      state === "MINING" && this.heldLease ? this.heldLease.leaseId : state === "AVAILABLE" ? "" : null;
    const rates = this.gpuHashrates();
    const gpuRate = rates[Math.floor(this.random() * rates.length)] ?? 0;
    let reported = false;
    if (leaseId !== null) {
      const report = { leaseId, hash: found.hash, key: found.key, account: job.account };
      reported = this.send(
        "block",
        blockPayload(
          this.workerId,
          { ...report, attempts: found.attempts, gpuHashrate: gpuRate },
          this.now(),
        ),
      );
      if (reported) this.blocksReported++;
    }
    this.emit("block", found, reported);
    this.onBlockFound(found, job.account, gpuRate);
    return reported;
  }

  // ---- hooks for the transport ----------------------------------------------------------------------

  /** True while a publish would reach the broker. */
  protected abstract get linkUp(): boolean;
  /** Publishes one JSON payload (QoS 1, retain false); only called while `linkUp`. */
  protected abstract transmit(suffix: WorkerSuffix, json: string): void;
  /** ERROR watchdog while disconnected: the worker tries to connect right away. */
  protected abstract onRecoverConnection(): void;
  /** The lease or the self-mining parameters changed: the GPU loop restarts. */
  protected abstract onMiningContextChanged(): void;
  /** Shutdown: stop timers and mining before the offline statuses go out. */
  protected abstract onPlatformStopping(): void;
  /** Shutdown: DISCONNECT after the offline statuses (the broker then does not fire the will). */
  protected abstract disconnectGracefully(): void;
  /** A block was found (reported or not): the chain submission hook. */
  protected abstract onBlockFound(found: FoundBlock, account: string, gpuHashrate: number): void;

  // ---- outbound -------------------------------------------------------------------------------------

  /** Publishes, or drops when disconnected (nothing is queued: hazard H16). */
  protected send(suffix: WorkerSuffix, payload: Record<string, unknown>): boolean {
    const delivered = this.linkUp;
    if (delivered) this.transmit(suffix, JSON.stringify(payload));
    const record: SentRecord = { at: this.now(), suffix, payload, delivered };
    this.bounded(this.sent, record);
    this.emit("sent", record);
    return delivered;
  }

  protected transitionTo(next: MachineState): void {
    const previous = this.machineState;
    if (previous === next) return;
    this.machineState = next;
    // The worker skips the publish while disconnected; `send` records it as dropped for inspection.
    this.send("status", statusPayload(this.workerId, next, this.heldLease?.leaseId ?? "", this.now()));
    this.remember({ type: "state", state: next, previous });
    this.emit("state", next, previous);
  }

  protected sendRegistration(): void {
    this.send("register", registerPayload(this.workerId, this.ethAddress, this.rig, this.now()));
  }

  sendHeartbeat(): void {
    const hashrate = this.gpuHashrates().reduce((a, b) => a + b, 0);
    const input = {
      hashrate,
      activeGpus: this.rig.gpus.length,
      acceptedBlocks: this.acceptedBlocks,
      config: this.config,
      uptimeSec: this.uptimeSec,
    };
    this.send("heartbeat", heartbeatPayload(this.workerId, input, this.now()));
  }

  // ---- inbound --------------------------------------------------------------------------------------

  /** Handles one task/control payload, dispatching by payload as the worker does. */
  protected handlePayload(topic: string, payload: Uint8Array | string): void {
    if (this.platformMode !== "running") return;
    const text = typeof payload === "string" ? payload : Buffer.from(payload).toString("utf8");
    this.remember({ type: "received", topic, payload: text });
    const decoded = decodeInbound(payload);
    if (decoded.ok) this.dispatch(decoded.inbound, text);
    else this.ignore(decoded.reason, text);
  }

  private dispatch(inbound: Inbound, text: string): void {
    switch (inbound.kind) {
      case "register_ack":
        // Accepted: AVAILABLE from any state, keeping a held lease (hazard H1).
        this.transitionTo(inbound.accepted ? "AVAILABLE" : "ERROR");
        break;
      case "assign_task":
        this.handleAssignTask(inbound.message, text);
        break;
      case "release":
        this.handleRelease(inbound.leaseId, text);
        break;
      case "control":
        this.handleControl(inbound.action, inbound.config, text);
        break;
    }
  }

  private handleAssignTask(message: Readonly<Record<string, unknown>>, text: string): void {
    if (this.machineState !== "AVAILABLE") {
      this.ignore(`assign_task in ${this.machineState}`, text);
      return;
    }
    const fields = readAssignTask(message);
    if (typeof fields === "string") {
      this.ignore(fields, text);
      return;
    }
    if (!isAcceptedPrefixLength(fields.prefix)) {
      this.transitionTo("ERROR");
      return;
    }
    this.transitionTo("LEASED");
    // LeaseManager refuses a second lease while one is held (e.g. kept through H1).
    if (this.heldLease) {
      this.transitionTo("ERROR");
      return;
    }
    this.heldLease = { ...fields, receivedAtMs: this.now() };
    this.onMiningContextChanged();
    this.transitionTo("MINING");
  }

  private handleRelease(leaseId: string, text: string): void {
    const lease = this.heldLease;
    if (!lease) this.ignore("release without a lease", text);
    else if (leaseId.length > 0 && leaseId !== lease.leaseId) this.ignore("release for another lease", text);
    else this.endLease("COMPLETED");
  }

  private handleControl(action: string, config: unknown, text: string): void {
    switch (action) {
      case "pause":
        this.pause();
        break;
      case "resume":
        if (this.machineState !== "IDLE") {
          this.ignore(`resume in ${this.machineState}`, text);
          break;
        }
        this.sendRegistration();
        this.transitionTo("AVAILABLE");
        break;
      case "shutdown":
        this.stopPlatform();
        break;
      case "set_config":
        this.applyConfig(config, text);
        break;
      default:
        this.ignore(`unknown action ${JSON.stringify(action)}`, text);
    }
  }

  /** Ends a held lease without COMPLETED, then IDLE; self-mining goes on. */
  private pause(): void {
    const lease = this.heldLease;
    // The worker ends only a non-expired lease: an expired one the watchdog has not cleaned yet stays (H13).
    const stale = lease !== null && this.hazards.staleLeaseOnEarlyPause === true && this.leaseExpired(lease);
    if (lease && !stale) {
      this.heldLease = null;
      this.onMiningContextChanged();
    }
    this.transitionTo("IDLE");
  }

  private applyConfig(config: unknown, text: string): void {
    const { update, stoppedAt } = readSetConfig(config);
    if (update.difficulty !== undefined) this.config.difficulty = update.difficulty;
    if (update.address !== undefined) this.config.address = update.address;
    if (update.prefix !== undefined) this.config.prefix = update.prefix;
    if (update.blockPattern !== undefined) this.config.blockPattern = update.blockPattern;
    if (stoppedAt !== undefined) this.ignore(`set_config stopped at ${stoppedAt} (wrong type)`, text);
    this.onMiningContextChanged();
    this.sendHeartbeat();
  }

  // ---- lease and watchdog ---------------------------------------------------------------------------

  /** Whole seconds since receipt ≥ duration; never for a duration <= 0. */
  protected leaseExpired(lease: HeldLease): boolean {
    if (lease.durationSec <= 0) return false;
    return Math.floor((this.now() - lease.receivedAtMs) / 1000) >= lease.durationSec;
  }

  /** COMPLETED (with the lease id) → self-mining → AVAILABLE (without). */
  private endLease(via: "COMPLETED"): void {
    this.transitionTo(via);
    this.heldLease = null;
    this.onMiningContextChanged();
    this.transitionTo("AVAILABLE");
  }

  /** The lease watchdog (every 5 s in the worker): local expiry in MINING, then ERROR recovery. */
  protected watchdog(): void {
    if (this.machineState === "MINING" && this.heldLease && this.leaseExpired(this.heldLease)) {
      this.endLease("COMPLETED");
    }
    if (this.machineState === "ERROR") {
      this.transitionTo("IDLE");
      if (this.linkUp) {
        this.sendRegistration();
        this.transitionTo("AVAILABLE");
      } else {
        this.onRecoverConnection();
      }
    }
  }

  /** Shutdown (control action or local SIGINT): `offline`, the offline variant, then DISCONNECT. */
  protected stopPlatform(): void {
    if (this.platformMode !== "running") return;
    this.setMode("shutdown");
    if (this.heldLease) {
      this.heldLease = null;
      this.onMiningContextChanged();
    }
    this.onPlatformStopping();
    this.send("status", statusPayload(this.workerId, "offline", "", this.now()));
    this.send("status", offlineVariantPayload(this.workerId, this.now()));
    this.disconnectGracefully();
    // After the disconnect: no status goes out for this one.
    this.transitionTo("IDLE");
  }

  // ---- bookkeeping ----------------------------------------------------------------------------------

  protected setMode(mode: PlatformMode): void {
    if (this.platformMode === mode) return;
    this.platformMode = mode;
    this.remember({ type: "mode", mode });
    this.emit("mode", mode);
  }

  protected ignore(reason: string, payload: string): void {
    this.remember({ type: "ignored", reason, payload });
    this.emit("ignored", reason, payload);
  }

  protected remember(entry: DistributiveOmit<JournalEntry, "at">): void {
    this.bounded(this.journal, { at: this.now(), ...entry } as JournalEntry);
  }

  private bounded<T>(list: T[], item: T): void {
    if (this.logLimit <= 0) return;
    list.push(item);
    if (list.length > this.logLimit) list.splice(0, list.length - this.logLimit);
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
