/**
 * The broker wired to the real platform (core + memory storage): registration is acknowledged over
 * MQTT, an unknown worker's heartbeat is told to re-register, a dying connection marks the worker
 * offline, and the access rules keep a spoofer from touching another worker's record.
 */
import { Counters, createPlatform, type Platform } from "@xenblocks/core";
import { createMemoryStorage, nodeIds, systemClock } from "@xenblocks/storage";
import type { MqttClient } from "mqtt";
import { describe, expect, it } from "vitest";
import { type EmbeddedBroker, startEmbeddedBroker } from "../src/embedded-broker.js";
import { platformInbox } from "../src/inbox.js";
import { mqttWorkerChannel } from "../src/worker-channel.js";
import { cleanupAfterEach, connectWorker, freshWorkerId, publishJson, vector, waitUntil } from "./support.js";

const cleanups = cleanupAfterEach();

async function platformOnBroker() {
  let platform: Platform | null = null;
  const counters = new Counters();
  const broker: EmbeddedBroker = await startEmbeddedBroker({
    port: 0,
    host: "127.0.0.1",
    counters,
    inbox: platformInbox(() => {
      if (!platform) throw new Error("platform not ready");
      return platform;
    }),
  });
  cleanups.push(() => broker.close());
  platform = createPlatform({
    storage: createMemoryStorage(),
    channel: mqttWorkerChannel(broker, counters),
    clock: systemClock,
    ids: nodeIds,
  });
  await platform.start();
  return { platform, broker, url: `mqtt://127.0.0.1:${broker.port}` };
}

/** A connected worker that records what the platform sends it. */
async function listeningWorker(url: string, workerId: string) {
  const client: MqttClient = await connectWorker(url, workerId);
  cleanups.push(() => client.endAsync(true));
  const received: Array<{ topic: string; payload: Record<string, unknown> }> = [];
  client.on("message", (topic, payload) => received.push({ topic, payload: JSON.parse(payload.toString()) }));
  await client.subscribeAsync([`xenminer/${workerId}/task`, `xenminer/${workerId}/control`], { qos: 1 });
  return { client, received };
}

describe("broker + platform", () => {
  it("acknowledges a register over MQTT and records the worker", async () => {
    const { platform, url } = await platformOnBroker();
    const id = freshWorkerId();
    const { client, received } = await listeningWorker(url, id);
    const reg = vector("register", id);
    await publishJson(client, reg.topic, reg.payload);
    await waitUntil(() => received.length > 0, 5000, "register_ack");
    expect(received[0]).toEqual({
      topic: `xenminer/${id}/task`,
      payload: vector("register_ack_accepted", id).payload,
    });
    const worker = await platform.fleet.getWorker(id);
    expect(worker).toMatchObject({ workerId: id, online: true, gpuCount: 2 });
  });

  it("tells a never-registered worker that heartbeats to re-register", async () => {
    const { url } = await platformOnBroker();
    const id = freshWorkerId();
    const { client, received } = await listeningWorker(url, id);
    const hb = vector("heartbeat", id);
    await publishJson(client, hb.topic, hb.payload);
    await waitUntil(() => received.length > 0, 5000, "reregister");
    expect(received[0]?.payload).toEqual(vector("register_ack_reregister", id).payload);
  });

  it("marks a worker offline when its connection dies, and online again on its next heartbeat", async () => {
    const { platform, url } = await platformOnBroker();
    const id = freshWorkerId();
    const first = await listeningWorker(url, id);
    const reg = vector("register", id);
    await publishJson(first.client, reg.topic, reg.payload);
    await waitUntil(() => first.received.length > 0, 5000, "register_ack");
    first.client.stream.destroy();
    let worker = await platform.fleet.getWorker(id);
    for (let i = 0; i < 100 && worker?.online; i++) {
      await new Promise((r) => setTimeout(r, 50));
      worker = await platform.fleet.getWorker(id);
    }
    expect(worker?.online).toBe(false);

    const again = await listeningWorker(url, id);
    const hb = vector("heartbeat", id);
    await publishJson(again.client, hb.topic, hb.payload);
    for (let i = 0; i < 100 && !worker?.online; i++) {
      await new Promise((r) => setTimeout(r, 50));
      worker = await platform.fleet.getWorker(id);
    }
    expect(worker?.online).toBe(true);
    // No re-registration is asked of a known worker after a reconnect (hazard H5).
    expect(again.received).toEqual([]);
  });

  it("keeps a spoofer from registering or reporting for another worker", async () => {
    const { platform, broker, url } = await platformOnBroker();
    const [attacker, victim] = [freshWorkerId(), freshWorkerId()];
    const { client } = await listeningWorker(url, attacker);
    const reg = vector("register", victim);
    await publishJson(client, reg.topic, reg.payload);
    await publishJson(client, `xenminer/${attacker}/register`, reg.payload);
    expect(broker.counters.get("mqtt_dropped_total", "client_id_mismatch")).toBe(1);
    expect(broker.counters.get("mqtt_dropped_total", "worker_id_mismatch")).toBe(1);
    expect(await platform.fleet.getWorker(victim)).toBeNull();
  });
});
