/**
 * One simulated XenblocksMiner in platform mode over real MQTT (worker-protocol §1): client id
 * `xenminer_<id>`, MQTT 3.1.1, clean session, keepalive 60 s, no credentials, a retained QoS 1 Last Will
 * whose timestamp is the connect time, QoS 1 subscriptions to its own `task` and `control` renewed after
 * every reconnect, QoS 1 non-retained publishes that are dropped (never queued) while disconnected, and
 * Paho-style reconnect with back-off 1 s → 30 s only after a first successful connect.
 *
 * mqtt.js would reconnect at a fixed period and queue publishes made while offline; both are turned off
 * (`reconnectPeriod: 0`, publishes gated on `connected`) and reconnects are driven from the shared
 * scheduler, which also runs the heartbeat and the watchdog, so a worker owns no timer of its own.
 */
import { clientIdFor, formatTopic } from "@xenblocks/core";
import { connect, type MqttClient } from "mqtt";
import { ChainSubmitter, fetchDifficulty, type VerifyResult } from "./chain-submitter.js";
import { randomRig } from "./gpu-profiles.js";
import { MiningLoop } from "./mining-loop.js";
import { offlineVariantPayload } from "./payloads.js";
import { type Scheduler, sharedScheduler, type TimerTarget } from "./scheduler.js";
import type { ChainOptions, SimWorkerOptions } from "./sim-worker-options.js";
import { DEFAULT_DIFFICULTY, type FoundBlock, type WorkerSuffix } from "./types.js";
import { WorkerMachine } from "./worker-machine.js";

/** Kinds of scheduler deadlines a worker sets. */
const Timer = { Heartbeat: 0, Watchdog: 1, Reconnect: 2, Difficulty: 3 } as const;

/** A zero period would re-arm the same deadline forever. */
function positiveMs(name: string, seconds: number): number {
  if (!(seconds > 0) || !Number.isFinite(seconds))
    throw new RangeError(`${name} must be > 0, got ${seconds}`);
  return seconds * 1000;
}

/** Before the hazard's per-message delay is configured explicitly. */
const DEFAULT_HANDLING_DELAY_MS = 50;

export class SimWorker extends WorkerMachine implements TimerTarget {
  readonly brokerUrl: string;
  readonly clientId: string;
  private client: MqttClient | null = null;
  private readonly topics: Readonly<Record<WorkerSuffix | "task" | "control", string>>;
  private readonly scheduler: Scheduler;
  private readonly heartbeatMs: number;
  private readonly watchdogMs: number;
  private readonly keepaliveSec: number;
  private readonly connectTimeoutMs: number;
  private readonly reconnectMinMs: number;
  private readonly reconnectMaxMs: number;
  private readonly mining: MiningLoop | null;
  private readonly chain: ChainOptions | undefined;
  private readonly submitter: ChainSubmitter<FoundBlock> | null;
  private reconnectDelayMs: number;
  private reconnectToken = 0;
  private reconnectPending = false;
  private offlineUntil = 0;
  private linkWasUp = false;
  private closing = false;
  private resolveStart: ((connected: boolean) => void) | null = null;

  constructor(options: SimWorkerOptions) {
    const random = options.random ?? Math.random;
    const fixedDifficulty = options.fixedDifficulty ?? false;
    super({
      workerId: options.workerId,
      ethAddress: options.ethAddress,
      rig: options.rig ?? randomRig(random),
      difficulty: options.difficulty ?? DEFAULT_DIFFICULTY,
      fixedDifficulty,
      ...(options.blockPattern !== undefined && { blockPattern: options.blockPattern }),
      hazards: options.hazards ?? {},
      random,
      now: options.now ?? Date.now,
      logLimit: options.logLimit ?? 500,
    });
    const id = options.workerId;
    // formatTopic refuses an id the platform would refuse too (/, +, #, control characters, > 128).
    this.topics = {
      register: formatTopic(id, "register"),
      heartbeat: formatTopic(id, "heartbeat"),
      status: formatTopic(id, "status"),
      block: formatTopic(id, "block"),
      task: formatTopic(id, "task"),
      control: formatTopic(id, "control"),
    };
    this.brokerUrl = options.brokerUrl;
    this.clientId = clientIdFor(id);
    this.scheduler = options.scheduler ?? sharedScheduler;
    this.heartbeatMs = positiveMs("heartbeatSec", options.heartbeatSec ?? 30);
    this.watchdogMs = positiveMs("watchdogSec", options.watchdogSec ?? 5);
    this.keepaliveSec = options.keepaliveSec ?? 60;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.reconnectMinMs = options.reconnectMinMs ?? 1000;
    this.reconnectMaxMs = options.reconnectMaxMs ?? 30_000;
    this.reconnectDelayMs = this.reconnectMinMs;
    this.mining = options.miner
      ? new MiningLoop(options.miner, {
          isRunning: () => this.platformMode === "running",
          currentJob: (signal) => this.currentJob(signal),
          foundBlock: (found, job) => this.foundBlock(found, job),
          minerFailed: (message) => this.remember({ type: "miner-error", message }),
        })
      : null;
    this.chain = options.chain;
    this.submitter =
      options.chain && !fixedDifficulty
        ? new ChainSubmitter<FoundBlock>({
            url: options.chain.url,
            ...(options.chain.timeoutMs !== undefined && { timeoutMs: options.chain.timeoutMs }),
            ...(options.chain.retryDelayMs !== undefined && { retryDelayMs: options.chain.retryDelayMs }),
            ...(options.chain.fetch !== undefined && { fetch: options.chain.fetch }),
            onResult: (result) => this.onChainResult(result),
          })
        : null;
  }

  /** True while publishes reach the broker. */
  get connected(): boolean {
    return this.linkUp;
  }

  /** Blocks waiting for or in `/verify`. */
  get chainPending(): number {
    return this.submitter?.pending ?? 0;
  }

  /**
   * Connects once. Resolves true at the first CONNACK (register and AVAILABLE are already out), false when
   * the first connect fails: platform mode is then off for good and the worker stays silent (H17).
   */
  start(): Promise<boolean> {
    if (this.platformMode !== "new") return Promise.reject(new Error(`worker already ${this.platformMode}`));
    this.setMode("connecting");
    this.startedAtMs = this.now();
    const will = offlineVariantPayload(this.workerId, this.now());
    const client = connect(this.brokerUrl, {
      clientId: this.clientId,
      protocolVersion: 4,
      clean: true,
      keepalive: this.keepaliveSec,
      connectTimeout: this.connectTimeoutMs,
      reconnectPeriod: 0,
      resubscribe: false,
      queueQoSZero: false,
      will: { topic: this.topics.status, payload: JSON.stringify(will), qos: 1, retain: true },
    });
    this.client = client;
    // Four listeners per connection object, once in its life: the per-tick work goes through the scheduler.
    client.on("connect", () => this.onLinkUp());
    client.on("close", () => this.onLinkDown());
    client.on("error", () => {}); // failures surface as `close`; an unhandled 'error' would throw
    client.on("message", (topic, payload) => this.onMessage(topic, payload));
    return new Promise((resolve) => {
      this.resolveStart = resolve;
    });
  }

  /** A local stop (SIGINT): same as the `shutdown` control action. */
  shutdown(): void {
    this.stopPlatform();
  }

  /**
   * The process dies (power loss, SIGKILL): the socket closes without DISCONNECT, so the broker publishes
   * the retained will. Nothing more is sent.
   */
  async kill(): Promise<void> {
    await this.terminate("killed", true);
  }

  /**
   * The network drops: the socket is destroyed (the broker fires the will) and the worker reconnects with
   * its back-off, not before `downMs`. It does not register again (H5) and sends nothing meanwhile (H16).
   */
  dropConnection(downMs = 0): void {
    if (this.platformMode !== "running") return;
    this.offlineUntil = this.scheduler.now() + downMs;
    this.client?.stream?.destroy();
  }

  /**
   * Test and fleet teardown: a silent DISCONNECT (no statuses, no will). Not something the real worker
   * does; use `shutdown()` or `kill()` to model it.
   */
  async close(): Promise<void> {
    await this.terminate("closed", false);
  }

  onTimer(kind: number, token: number, now: number): void {
    if (this.platformMode !== "running") return;
    switch (kind) {
      // Each periodic timer is booked again before its work: a throwing listener must not stop it.
      case Timer.Heartbeat:
        this.scheduler.add(now + this.heartbeatMs, this, Timer.Heartbeat);
        this.sendHeartbeat();
        return;
      case Timer.Watchdog:
        this.scheduler.add(now + this.watchdogMs, this, Timer.Watchdog);
        this.watchdog();
        return;
      case Timer.Reconnect:
        if (token !== this.reconnectToken || !this.reconnectPending) return;
        this.reconnectPending = false;
        this.client?.reconnect();
        return;
      case Timer.Difficulty:
        this.pollDifficulty(now);
        return;
    }
  }

  // ---- WorkerMachine hooks --------------------------------------------------------------------------

  protected get linkUp(): boolean {
    return !this.closing && this.client?.connected === true;
  }

  protected transmit(suffix: WorkerSuffix, json: string): void {
    this.client?.publish(this.topics[suffix], json, { qos: 1, retain: false });
  }

  protected onRecoverConnection(): void {
    // The watchdog's own connect() in the worker: try now instead of waiting for the back-off, with fresh
    // connect options, so this time the will carries the new connect time.
    const client = this.client;
    // During a simulated outage that attempt would fail: the back-off schedule stands.
    if (!client || !this.reconnectPending || this.scheduler.now() < this.offlineUntil) return;
    this.reconnectPending = false;
    this.reconnectToken++;
    if (client.options.will) {
      client.options.will.payload = JSON.stringify(offlineVariantPayload(this.workerId, this.now()));
    }
    client.reconnect();
  }

  protected onMiningContextChanged(): void {
    this.mining?.restart();
  }

  protected onPlatformStopping(): void {
    this.scheduler.removeTarget(this);
    this.mining?.stop();
  }

  protected disconnectGracefully(): void {
    this.closing = true;
    // end(false) waits for the in-flight QoS 1 publishes (the offline statuses), then sends DISCONNECT.
    this.client?.end(false);
  }

  protected onBlockFound(found: FoundBlock, account: string, gpuHashrate: number): void {
    this.submitter?.enqueue(
      {
        hash_to_verify: found.hash,
        key: found.key,
        account,
        attempts: String(found.attempts),
        hashes_per_second: gpuHashrate.toFixed(2),
        worker: this.workerId,
      },
      found,
    );
  }

  // ---- connection -----------------------------------------------------------------------------------

  private onLinkUp(): void {
    this.linkWasUp = true;
    this.reconnectDelayMs = this.reconnectMinMs;
    this.client?.subscribe([this.topics.task, this.topics.control], { qos: 1 });
    if (this.platformMode === "connecting") {
      this.setMode("running");
      this.remember({ type: "connect", reconnect: false });
      this.emit("connect", false);
      this.sendRegistration();
      this.transitionTo("AVAILABLE");
      const now = this.scheduler.now();
      this.scheduler.add(now + this.heartbeatMs, this, Timer.Heartbeat);
      this.scheduler.add(now + this.watchdogMs, this, Timer.Watchdog);
      if (this.chain && !this.fixedDifficulty && (this.chain.pollDifficultySec ?? 10) > 0) {
        this.scheduler.add(now, this, Timer.Difficulty);
      }
      this.mining?.start();
      this.settleStart(true);
      return;
    }
    // Reconnected: subscriptions renewed above, nothing else (no register, no status: H5).
    this.remember({ type: "connect", reconnect: true });
    this.emit("connect", true);
  }

  private onLinkDown(): void {
    const wasUp = this.linkWasUp;
    this.linkWasUp = false;
    this.discardInFlight();
    if (this.platformMode === "connecting") {
      // The first connect failed: platform mode is disabled until the process restarts (H17).
      this.setMode("disabled");
      this.transitionTo("ERROR");
      this.client?.end(true);
      this.settleStart(false);
      return;
    }
    if (this.platformMode !== "running") return;
    if (wasUp) {
      this.remember({ type: "disconnect" });
      this.emit("disconnect");
    }
    this.scheduleReconnect();
  }

  /**
   * QoS 1 publishes not yet acknowledged when the link died are gone with the clean session, as in the
   * worker. mqtt.js would keep them in its `outgoing` map, and a later graceful `end()` would wait for
   * their acks forever.
   */
  private discardInFlight(): void {
    const client = this.client;
    if (!client) return;
    for (const messageId of Object.keys(client.outgoing)) client.removeOutgoingMessage(Number(messageId));
  }

  private scheduleReconnect(): void {
    const now = this.scheduler.now();
    const delay = this.reconnectDelayMs;
    this.reconnectDelayMs = Math.min(delay * 2, this.reconnectMaxMs);
    const at = Math.max(now + delay, this.offlineUntil);
    this.reconnectPending = true;
    this.scheduler.add(at, this, Timer.Reconnect, ++this.reconnectToken);
    this.remember({ type: "reconnect-scheduled", delayMs: at - now });
  }

  private onMessage(topic: string, payload: Uint8Array): void {
    const concurrent = this.hazards.concurrentHandling;
    if (!concurrent) {
      this.handlePayload(topic, payload);
      return;
    }
    // Each message on its own thread in the worker: handled after a random delay, so close ones may swap.
    const max = typeof concurrent === "object" ? concurrent.maxDelayMs : DEFAULT_HANDLING_DELAY_MS;
    setTimeout(() => this.handlePayload(topic, payload), this.random() * max);
  }

  private async terminate(mode: "killed" | "closed", abrupt: boolean): Promise<void> {
    if (this.platformMode === "killed" || this.platformMode === "closed") return;
    const client = this.client;
    const graceful = !abrupt && this.linkUp;
    // A worker that shut down or never got platform mode keeps saying so.
    if (this.platformMode !== "shutdown" && this.platformMode !== "disabled") this.setMode(mode);
    this.closing = true;
    this.scheduler.removeTarget(this);
    this.mining?.stop();
    this.submitter?.close();
    this.settleStart(false);
    if (!client || client.disconnected) return;
    await new Promise<void>((resolve) => {
      // A DISCONNECT that cannot complete (a dead link nobody noticed yet) must not hang a teardown.
      const fallback = setTimeout(() => {
        client.stream?.destroy();
        resolve();
      }, 2000);
      client.end(!graceful, {}, () => {
        clearTimeout(fallback);
        resolve();
      });
    });
  }

  private settleStart(connected: boolean): void {
    this.resolveStart?.(connected);
    this.resolveStart = null;
  }

  // ---- chain ----------------------------------------------------------------------------------------

  private pollDifficulty(now: number): void {
    const chain = this.chain;
    if (!chain) return;
    void fetchDifficulty(chain.url, chain.fetch).then((difficulty) => {
      if (difficulty !== null && this.platformMode === "running") this.setNetworkDifficulty(difficulty);
    });
    this.scheduler.add(now + (chain.pollDifficultySec ?? 10) * 1000, this, Timer.Difficulty);
  }

  private onChainResult(result: VerifyResult<FoundBlock>): void {
    // The worker's accepted_blocks counts normal and super blocks only.
    if (result.outcome === "accepted" && result.context.blockType !== "xuni") this.acceptedBlocks++;
    this.emit("chain", {
      key: result.request.key,
      outcome: result.outcome,
      attempts: result.attempts,
      lastStatus: result.lastStatus,
    });
  }
}
