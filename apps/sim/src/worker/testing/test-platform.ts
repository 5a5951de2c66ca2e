/**
 * Test doubles for the worker tests: a plain mqtt.js client playing the platform (it watches
 * `xenminer/<id>/#` and publishes commands on `task`/`control`), a block source driven by the test, unique
 * worker ids and polling waits. Excluded from the build (`src/**\/testing/**`).
 */
import { randomBytes } from "node:crypto";
import { formatTopic } from "@xenblocks/core";
import { connect, type MqttClient } from "mqtt";
import { syntheticBlock } from "../synthetic-blocks.js";
import type { BlockSource, FoundBlock, MiningJob } from "../types.js";

export const BROKER_URL = process.env.XENBLOCKS_TEST_MQTT_URL ?? "mqtt://127.0.0.1:1883";
/** The worker owner of the vectors (EIP-55). */
export const OWNER = "0x8d56DA55A9D91b40AfF945714b19E9DfDE32D9C2";
/** The renter's mining address of the vectors (lowercase). */
export const CONSUMER = "0x2ac9de9d494459ab28fd09f10056cfa1d4c6af40";
export const LEASE_PREFIX = "0baa4a90372c24cf";

/** A worker id no other test run uses. */
export function testWorkerId(tag: string): string {
  return `t-${tag}-${randomBytes(5).toString("hex")}`;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `condition` holds; rejects with `what` after `timeoutMs`. */
export async function waitUntil(
  condition: () => boolean,
  timeoutMs = 5000,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

export interface Received {
  readonly topic: string;
  readonly workerId: string;
  readonly suffix: string;
  readonly payload: Record<string, unknown>;
  readonly retain: boolean;
  readonly at: number;
}

/** A platform stand-in on the real broker. */
export class TestPlatform {
  readonly received: Received[] = [];

  private constructor(private readonly client: MqttClient) {
    client.on("message", (topic, payload, packet) => {
      // An empty message is someone clearing a retained status (a platform adapter on this shared
      // Mosquitto does that for every worker it sees); it is not something the worker sent.
      if (payload.length === 0) return;
      const [, workerId = "", suffix = ""] = topic.split("/");
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(payload.toString("utf8")) as Record<string, unknown>;
      } catch {
        parsed = { unparsable: payload.toString("utf8") };
      }
      this.received.push({ topic, workerId, suffix, payload: parsed, retain: packet.retain, at: Date.now() });
    });
  }

  static async connect(url = BROKER_URL): Promise<TestPlatform> {
    const client = connect(url, {
      clientId: `test-platform-${randomBytes(4).toString("hex")}`,
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    await new Promise<void>((resolve, reject) => {
      client.once("connect", () => resolve());
      client.once("error", reject);
    });
    return new TestPlatform(client);
  }

  /** Subscribes to everything one worker sends (and the retained will, if any). */
  async watch(workerId: string): Promise<void> {
    await this.client.subscribeAsync(`xenminer/${workerId}/#`, { qos: 1 });
  }

  async subscribe(filter: string): Promise<void> {
    await this.client.subscribeAsync(filter, { qos: 1 });
  }

  /** Sends a task or control payload as the platform does: QoS 1, retain false. Strings go out raw. */
  async send(workerId: string, suffix: "task" | "control", payload: unknown): Promise<void> {
    const body = typeof payload === "string" ? payload : JSON.stringify(payload);
    await this.client.publishAsync(formatTopic(workerId, suffix), body, { qos: 1, retain: false });
  }

  /** Messages from one worker, optionally of one suffix, excluding the worker's own commands. */
  from(workerId: string, suffix?: string): Received[] {
    return this.received.filter(
      (r) =>
        r.workerId === workerId &&
        r.suffix !== "task" &&
        r.suffix !== "control" &&
        (suffix === undefined || r.suffix === suffix),
    );
  }

  /**
   * The worker's status sequence as the platform reads it: `state`, or `offline*` for the `status:"offline"`
   * variant (the will and the graceful-disconnect message).
   */
  statuses(workerId: string): string[] {
    return this.from(workerId, "status")
      .filter((r) => Object.keys(r.payload).length > 0)
      .map((r) => (typeof r.payload.state === "string" ? r.payload.state : `${String(r.payload.status)}*`));
  }

  /** Resolves with the first message from `workerId` after position `since` that matches. */
  async waitFor(
    workerId: string,
    match: (r: Received) => boolean,
    options: { readonly since?: number; readonly timeoutMs?: number; readonly what?: string } = {},
  ): Promise<Received> {
    const since = options.since ?? 0;
    const find = (): Received | undefined =>
      this.received.slice(since).find((r) => r.workerId === workerId && match(r));
    await waitUntil(() => find() !== undefined, options.timeoutMs ?? 5000, options.what ?? "a message");
    return find()!;
  }

  async waitForStatus(workerId: string, state: string, since = 0, timeoutMs = 5000): Promise<Received> {
    return this.waitFor(workerId, (r) => r.suffix === "status" && r.payload.state === state, {
      since,
      timeoutMs,
      what: `status ${state} from ${workerId}`,
    });
  }

  /** Position in `received`, to wait for messages after it. */
  mark(): number {
    return this.received.length;
  }

  /** Removes a retained will left on the worker's status topic. */
  async clearRetained(workerId: string): Promise<void> {
    await this.client.publishAsync(formatTopic(workerId, "status"), "", { qos: 1, retain: true });
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}

/** Connects a fresh client, subscribes to one topic and returns what the broker has retained there. */
export async function retainedOn(topic: string, url = BROKER_URL, waitMs = 300): Promise<string | null> {
  const client = connect(url, {
    clientId: `test-retained-${randomBytes(4).toString("hex")}`,
    protocolVersion: 4,
    reconnectPeriod: 0,
  });
  let retained: string | null = null;
  client.on("message", (_topic, payload, packet) => {
    if (packet.retain && payload.length > 0) retained = payload.toString("utf8");
  });
  await new Promise<void>((resolve) => client.once("connect", () => resolve()));
  await client.subscribeAsync(topic, { qos: 1 });
  await sleep(waitMs);
  await client.endAsync();
  return retained;
}

/**
 * A block source the test drives: each job the worker starts waits until `find()` resolves it with a
 * synthetic block for that job, or until the worker aborts it (context change). Deterministic: nothing
 * is found unless the test asks.
 */
export class ManualBlockSource {
  readonly jobs: MiningJob[] = [];
  private pending: { job: MiningJob; resolve: (found: FoundBlock | null) => void } | null = null;
  private counter = 0;

  readonly source: BlockSource = (job) =>
    new Promise((resolve) => {
      this.jobs.push(job);
      if (job.signal.aborted) return resolve(null);
      const entry = { job, resolve };
      this.pending = entry;
      job.signal.addEventListener(
        "abort",
        () => {
          if (this.pending === entry) this.pending = null;
          resolve(null);
        },
        { once: true },
      );
    });

  /** The job the worker is hashing now, if any. */
  get current(): MiningJob | null {
    return this.pending?.job ?? null;
  }

  /** Finds a block for the current job; false when no job is pending. */
  find(options: { readonly blockType?: "normal" | "xuni"; readonly attempts?: number } = {}): boolean {
    const entry = this.pending;
    if (!entry) return false;
    this.pending = null;
    // A counter-based random keeps keys distinct and the whole block deterministic.
    const n = ++this.counter;
    let i = 0;
    const random = (): number => ((n * 7919 + ++i * 104_729) % 1000) / 1000;
    const block = syntheticBlock(entry.job, random, options.blockType ?? "normal");
    entry.resolve({ ...block, attempts: options.attempts ?? 1000 * n });
    return true;
  }
}
