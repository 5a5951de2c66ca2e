/**
 * The broker contract, run against the embedded aedes broker and against the Mosquitto running on
 * this machine (127.0.0.1:1883) through the external adapter: every message of the protocol, as the
 * vectors give it, crosses the broker in both directions; bad payloads are dropped and counted.
 */
import { Counters } from "@xenblocks/core";
import type { MqttClient } from "mqtt";
import { describe, expect, it } from "vitest";
import { WorkerOfflineError } from "../src/transport.js";
import { mqttWorkerChannel } from "../src/worker-channel.js";
import {
  cleanupAfterEach,
  connectWorker,
  freshWorkerId,
  MODES,
  type ModeUnderTest,
  mosquittoPub,
  mosquittoSub,
  publishJson,
  recordingInbox,
  vector,
  waitUntil,
} from "./support.js";

const INBOUND = [
  ["register", "onRegister"],
  ["heartbeat", "onHeartbeat"],
  ["status_available", "onStatus"],
  ["status_leased", "onStatus"],
  ["status_mining", "onStatus"],
  ["status_completed", "onStatus"],
  ["status_offline_shutdown", "onStatus"],
  ["block", "onBlock"],
  ["block_lease_xuni", "onBlock"],
  ["block_self_mined_xuni", "onBlock"],
] as const;

const OUTBOUND = [
  "register_ack_accepted",
  "register_ack_rejected",
  "register_ack_reregister",
  "assign_task",
  "release",
  "control_pause",
  "control_resume",
  "control_set_config",
  "control_shutdown",
] as const;

describe.each(["embedded", "mosquitto"] as const)("broker contract: %s", (modeName) => {
  const cleanups = cleanupAfterEach();

  async function setup(options: Parameters<typeof recordingInbox>[0] = {}) {
    const rec = recordingInbox(options);
    const mode: ModeUnderTest = await MODES[modeName](rec.inbox);
    cleanups.push(() => mode.close());
    const port = Number(new URL(mode.url).port);
    const channel = mqttWorkerChannel(mode.transport, mode.counters);
    return { rec, mode, port, channel };
  }

  async function worker(url: string, workerId: string): Promise<MqttClient> {
    const client = await connectWorker(url, workerId);
    cleanups.push(async () => {
      // The Last Will is retained on Mosquitto; leave nothing behind.
      if (client.connected) {
        await client.publishAsync(`xenminer/${workerId}/status`, "", { qos: 1, retain: true });
        await client.endAsync();
      }
    });
    return client;
  }

  it.each(INBOUND)("delivers the %s vector to the platform unchanged", async (name, kind) => {
    const { rec, mode } = await setup();
    const id = freshWorkerId();
    const client = await worker(mode.url, id);
    const v = vector(name, id);
    await publishJson(client, v.topic, v.payload);
    await rec.waitFor(() => rec.of(id).some((c) => c.kind === kind));
    const call = rec.of(id).find((c) => c.kind === kind);
    expect(call?.message).toEqual(v.payload);
    if (kind === "onStatus") expect(call?.retained).toBe(false);
    const suffix = v.topic.split("/")[2] as string;
    expect(mode.counters.get("mqtt_inbound_total", suffix)).toBeGreaterThanOrEqual(1);
  });

  it.each(OUTBOUND)("sends the %s vector to the worker on its topic, QoS 1, not retained", async (name) => {
    const { rec, mode, channel } = await setup();
    const id = freshWorkerId();
    const client = await worker(mode.url, id);
    await client.subscribeAsync([`xenminer/${id}/task`, `xenminer/${id}/control`], { qos: 1 });
    // The external mode knows a worker is there only from its traffic.
    await publishJson(client, vector("heartbeat", id).topic, vector("heartbeat", id).payload);
    await rec.waitFor(() => rec.of(id).length > 0);
    await waitUntil(() => mode.transport.isConnected(id), 5000, "presence");

    const v = vector(name, id);
    const received = new Promise<{ topic: string; payload: string; qos: number; retain: boolean }>(
      (resolve) =>
        client.once("message", (topic, payload, packet) =>
          resolve({ topic, payload: payload.toString(), qos: packet.qos, retain: packet.retain }),
        ),
    );
    const topic = v.topic.endsWith("/task") ? "task" : "control";
    await channel.send(id, { topic, payload: v.payload } as never);
    const got = await received;
    expect(got.topic).toBe(v.topic);
    expect(JSON.parse(got.payload)).toEqual(v.payload);
    // Key order too: the bytes are what the worker parses.
    expect(got.payload).toBe(JSON.stringify(v.payload));
    expect(got.qos).toBe(1);
    expect(got.retain).toBe(false);
    expect(mode.counters.get("mqtt_outbound_total", topic)).toBe(1);
  });

  it("sends nothing to a worker that is not connected", async () => {
    const { mode, channel } = await setup();
    const id = freshWorkerId();
    await expect(
      channel.send(id, { topic: "task", payload: vector("release", id).payload } as never),
    ).rejects.toBeInstanceOf(WorkerOfflineError);
    expect(mode.counters.get("mqtt_outbound_refused_total", "offline")).toBe(1);
    expect(mode.counters.get("mqtt_outbound_total", "task")).toBe(0);
  });

  it.each([
    ["invalid JSON", "{not json", "invalid_json"],
    ["a schema failure", { worker_id: "__ID__", hashrate: "fast" }, "schema"],
    [
      "a payload id of another worker",
      { ...vector("heartbeat").payload, worker_id: "someoneelse" },
      "worker_id_mismatch",
    ],
  ] as const)("drops %s, counts it and keeps serving", async (_what, payload, reason) => {
    const { rec, mode } = await setup();
    const id = freshWorkerId();
    const client = await worker(mode.url, id);
    const body = typeof payload === "string" ? payload : JSON.stringify(payload).replaceAll("__ID__", id);
    await publishJson(client, `xenminer/${id}/heartbeat`, body);
    await waitUntil(() => mode.counters.get("mqtt_dropped_total", reason) >= 1, 5000, `drop ${reason}`);
    // Still up: the next good message goes through on the same connection.
    const hb = vector("heartbeat", id);
    await publishJson(client, hb.topic, hb.payload);
    await rec.waitFor(() => rec.of(id).some((c) => c.kind === "onHeartbeat"));
    expect(rec.of(id)).toHaveLength(1);
    expect(client.connected).toBe(true);
  });

  it("delivers the Last Will as an offline status when a worker's connection dies", async () => {
    const { rec, mode } = await setup();
    const id = freshWorkerId();
    const client = await worker(mode.url, id);
    await publishJson(client, vector("heartbeat", id).topic, vector("heartbeat", id).payload);
    await rec.waitFor(() => rec.of(id).length === 1);
    client.stream.destroy();
    await rec.waitFor(() => rec.of(id).some((c) => c.kind === "onStatus"), 10_000);
    const will = rec.of(id).find((c) => c.kind === "onStatus");
    // Core reads the `status` key as state offline (hazard H8); every field of the will is there.
    expect(will?.message).toMatchObject(vector("status_offline_will", id).payload);
    // Acted on live, never as a stale replay.
    expect(will?.retained).toBe(false);
    await waitUntil(() => !mode.transport.isConnected(id), 5000, "worker gone");
    // Mosquitto keeps the retained will until the worker is seen again: clean it up.
    const again = await worker(mode.url, id);
    await publishJson(again, vector("heartbeat", id).topic, vector("heartbeat", id).payload);
  });

  it("exchanges messages with Debian's mosquitto_pub and mosquitto_sub", async () => {
    const { rec, mode, port, channel } = await setup();
    const id = freshWorkerId();
    const reg = vector("register", id);
    const pub = await mosquittoPub(port, [
      "-i",
      `xenminer_${id}`,
      "-q",
      "1",
      "-t",
      reg.topic,
      "-m",
      JSON.stringify(reg.payload),
    ]);
    expect(pub).toMatchObject({ code: 0 });
    await rec.waitFor(() => rec.of(id).some((c) => c.kind === "onRegister"));
    expect(rec.of(id)[0]?.message).toEqual(reg.payload);

    const sub = mosquittoSub(port, [
      "-i",
      `xenminer_${id}`,
      "-q",
      "1",
      "-t",
      `xenminer/${id}/task`,
      "-C",
      "1",
      "-W",
      "10",
    ]);
    cleanups.push(() => sub.stop());
    // Embedded: mosquitto_sub's connection; external: the register just seen.
    await waitUntil(() => mode.transport.isConnected(id), 5000, "worker reachable");
    // Subscriptions settle after CONNACK: resend until the subscriber has it (bounded).
    const ack = vector("register_ack_accepted", id);
    for (let i = 0; i < 50 && sub.lines.length === 0; i++) {
      await channel.send(id, { topic: "task", payload: ack.payload } as never);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await sub.exited).toBe(0);
    expect(sub.lines[0]).toBe(`xenminer/${id}/task ${JSON.stringify(ack.payload)}`);
  });
});

describe("the external adapter", () => {
  it("counts retained replays and passes the retain flag so stale wills are ignored", async () => {
    const id = freshWorkerId();
    const will = vector("status_offline_will", id);
    // A stale retained will, as Mosquitto keeps it after a worker died.
    expect(
      await mosquittoPub(1883, ["-q", "1", "-r", "-t", will.topic, "-m", JSON.stringify(will.payload)]),
    ).toMatchObject({ code: 0 });
    const rec = recordingInbox();
    const { connectExternalBroker } = await import("../src/external-broker.js");
    // Without shared subscriptions the broker replays retained messages on subscribe.
    const broker = await connectExternalBroker({
      url: "mqtt://127.0.0.1:1883",
      inbox: rec.inbox,
      shared: false,
      counters: new Counters(),
    });
    try {
      await rec.waitFor(() => rec.of(id).length > 0);
      expect(rec.of(id)[0]).toMatchObject({ kind: "onStatus", retained: true });
      expect(broker.counters.get("mqtt_retained_replay_total")).toBeGreaterThanOrEqual(1);
      // Replays say nothing about presence.
      expect(broker.isConnected(id)).toBe(false);
    } finally {
      await mosquittoPub(1883, ["-q", "1", "-r", "-t", will.topic, "-n"]);
      await broker.close();
    }
  });
});
