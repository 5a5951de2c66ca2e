/**
 * Test support: the shared vectors re-addressed to a fresh worker id per test, a recording inbox,
 * real MQTT worker clients, and the two broker modes behind one shape for the contract suite.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Counters, clientIdFor, type Inbound } from "@xenblocks/core";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { afterEach } from "vitest";
import { type EmbeddedBroker, startEmbeddedBroker } from "../src/embedded-broker.js";
import { connectExternalBroker, type ExternalBroker } from "../src/external-broker.js";
import type { WorkerInbox } from "../src/inbox.js";
import type { WorkerTransport } from "../src/transport.js";

/** Teardown steps registered during a test, run newest first after it (brokers, clients, processes). */
export function cleanupAfterEach(): Array<() => Promise<unknown> | unknown> {
  const steps: Array<() => Promise<unknown> | unknown> = [];
  afterEach(async () => {
    for (const step of steps.splice(0).reverse()) await step();
  });
  return steps;
}

const VECTORS = fileURLToPath(new URL("../../../../shared/vectors/", import.meta.url));
const VECTOR_WORKER = "776536cd9695ca58";

export type Vector = { topic: string; retain: boolean; payload: Record<string, unknown> };

/** A vector file with its worker id replaced by `workerId` (topic and payload). */
export function vector(name: string, workerId = VECTOR_WORKER): Vector {
  const text = readFileSync(`${VECTORS}${name}.json`, "utf8").replaceAll(VECTOR_WORKER, workerId);
  const { topic, retain, payload } = JSON.parse(text) as Vector;
  return { topic, retain, payload };
}

/** A worker id nobody else on this machine uses (the system Mosquitto is shared). */
export function freshWorkerId(): string {
  return `t${randomBytes(7).toString("hex")}`;
}

export type InboxCall = {
  kind: keyof WorkerInbox;
  workerId: string;
  message?: unknown;
  retained?: boolean;
  at: number;
};

/** Records every call; `delayMs` makes a handler slow, to observe ordering against PUBACKs. */
export function recordingInbox(options: { delayMs?: Partial<Record<keyof WorkerInbox, number>> } = {}) {
  const calls: InboxCall[] = [];
  const waiters: Array<() => void> = [];
  const ok: Inbound = { accepted: true };
  const record = async (kind: keyof WorkerInbox, workerId: string, message?: unknown, retained?: boolean) => {
    const delay = options.delayMs?.[kind];
    if (delay) await new Promise((r) => setTimeout(r, delay));
    calls.push({ kind, workerId, message, retained, at: Date.now() });
    for (const w of waiters.splice(0)) w();
  };
  const accept = async (kind: keyof WorkerInbox, workerId: string, message?: unknown, retained?: boolean) => {
    await record(kind, workerId, message, retained);
    return ok;
  };
  const inbox: WorkerInbox = {
    onRegister: (m) => accept("onRegister", m.worker_id, m),
    onHeartbeat: (m) => accept("onHeartbeat", m.worker_id, m),
    onStatus: (m, o) => accept("onStatus", m.worker_id, m, o.retained),
    onBlock: (m) => accept("onBlock", m.worker_id, m),
    onDisconnect: (workerId) => record("onDisconnect", workerId),
  };
  /** Calls for one worker (other tests share the system broker). */
  const of = (workerId: string) => calls.filter((c) => c.workerId === workerId);
  async function waitFor(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline)
        throw new Error(`timed out; calls so far: ${JSON.stringify(calls.map((c) => c.kind))}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }
  return { inbox, calls, of, waitFor };
}

export async function waitUntil(
  predicate: () => boolean,
  timeoutMs = 5000,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A worker as the real miner connects: `xenminer_<id>`, clean session, retained QoS 1 Last Will. */
export async function connectWorker(
  url: string,
  workerId: string,
  extra: IClientOptions = {},
): Promise<MqttClient> {
  const will = vector("status_offline_will", workerId);
  return mqtt.connectAsync(url, {
    clientId: clientIdFor(workerId),
    protocolVersion: 4,
    clean: true,
    keepalive: 60,
    reconnectPeriod: 0,
    will: { topic: will.topic, payload: Buffer.from(JSON.stringify(will.payload)), qos: 1, retain: true },
    ...extra,
  });
}

export function publishJson(client: MqttClient, topic: string, payload: unknown, retain = false) {
  return client.publishAsync(topic, typeof payload === "string" ? payload : JSON.stringify(payload), {
    qos: 1,
    retain,
  });
}

export const MOSQUITTO_URL = "mqtt://127.0.0.1:1883";

/** One broker mode behind the shape the contract suite needs. */
export interface ModeUnderTest {
  url: string;
  transport: WorkerTransport;
  counters: Counters;
  close(): Promise<void>;
}

export const MODES: Record<"embedded" | "mosquitto", (inbox: WorkerInbox) => Promise<ModeUnderTest>> = {
  async embedded(inbox) {
    const broker: EmbeddedBroker = await startEmbeddedBroker({ inbox, port: 0, host: "127.0.0.1" });
    return {
      url: `mqtt://127.0.0.1:${broker.port}`,
      transport: broker,
      counters: broker.counters,
      close: () => broker.close(),
    };
  },
  async mosquitto(inbox) {
    // A group of its own: another platform instance on the shared broker must not take our messages.
    const broker: ExternalBroker = await connectExternalBroker({
      url: MOSQUITTO_URL,
      inbox,
      group: `test-${randomBytes(4).toString("hex")}`,
      counters: new Counters(),
    });
    return { url: MOSQUITTO_URL, transport: broker, counters: broker.counters, close: () => broker.close() };
  },
};

const exec = promisify(execFile);

/** Debian's mosquitto_pub: a client nobody here wrote. Resolves with its exit code. */
export async function mosquittoPub(port: number, args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await exec(
      "mosquitto_pub",
      ["-h", "127.0.0.1", "-p", String(port), "-V", "mqttv311", ...args],
      {
        timeout: 10_000,
      },
    );
    return { code: 0, stderr };
  } catch (e) {
    const err = e as { code?: number; stderr?: string };
    return { code: typeof err.code === "number" ? err.code : 1, stderr: err.stderr ?? "" };
  }
}

/** Starts Debian's mosquitto_sub; `messages` fills as lines arrive (`-v`: "topic payload"). */
export function mosquittoSub(port: number, args: string[]) {
  const child = execFile("mosquitto_sub", [
    "-h",
    "127.0.0.1",
    "-p",
    String(port),
    "-V",
    "mqttv311",
    "-v",
    ...args,
  ]);
  const lines: string[] = [];
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => lines.push(...d.toString().split("\n").filter(Boolean)));
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number>((resolve) => child.on("exit", (code) => resolve(code ?? -1)));
  return { lines, exited, stderr: () => stderr, stop: () => child.kill() };
}
