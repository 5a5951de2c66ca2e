/**
 * The embedded broker's own duties: anti-spoofing (worker-protocol §2), packet and keepalive limits,
 * takeovers, Last Will handling, MQTT 3.1, WebSocket, and shutting down without declaring the fleet
 * offline. Every test speaks real MQTT to a broker on an ephemeral port.
 */
import { type Socket, connect as tcpConnect } from "node:net";
import { clientIdFor } from "@xenblocks/core";
import mqtt, { type MqttClient } from "mqtt";
import mqttPacket from "mqtt-packet";
import { describe, expect, it } from "vitest";
import { startEmbeddedBroker } from "../src/embedded-broker.js";
import { mqttWorkerChannel } from "../src/worker-channel.js";
import {
  cleanupAfterEach,
  connectWorker,
  freshWorkerId,
  mosquittoPub,
  publishJson,
  recordingInbox,
  vector,
  waitUntil,
} from "./support.js";

const cleanups = cleanupAfterEach();

async function broker(options: Partial<Parameters<typeof startEmbeddedBroker>[0]> = {}, inboxOptions = {}) {
  const rec = recordingInbox(inboxOptions);
  const b = await startEmbeddedBroker({ inbox: rec.inbox, port: 0, host: "127.0.0.1", ...options });
  cleanups.push(() => b.close());
  return { rec, b, url: `mqtt://127.0.0.1:${b.port}` };
}

async function worker(url: string, workerId: string, extra = {}): Promise<MqttClient> {
  const client = await connectWorker(url, workerId, extra);
  cleanups.push(() => client.endAsync(true));
  return client;
}

/** Resolves with the CONNACK return code mqtt.js reports (0 = accepted). */
async function connackCode(url: string, clientId: string, extra = {}): Promise<number> {
  try {
    const c = await mqtt.connectAsync(url, { clientId, reconnectPeriod: 0, ...extra });
    await c.endAsync();
    return 0;
  } catch (e) {
    return (e as { code?: number }).code ?? -1;
  }
}

describe("anti-spoofing (worker-protocol §2)", () => {
  it.each([
    ["a slash", "a/b"],
    ["a plus", "a+b"],
    ["a hash", "ab#"],
    ["nothing", ""],
    ["129 characters", "x".repeat(129)],
    ["a control character", "ab\u0001"],
  ])("refuses the CONNECT of a worker id with %s with return code 2", async (_what, id) => {
    const { b, url } = await broker();
    expect(await connackCode(url, clientIdFor(id))).toBe(2);
    expect(b.counters.get("mqtt_connect_refused_total", "invalid_worker_id")).toBe(1);
  });

  it("refuses a bad id given to Debian's mosquitto_pub too", async () => {
    const { b } = await broker();
    const r = await mosquittoPub(b.port, ["-i", "xenminer_a+b", "-t", "xenminer/a/heartbeat", "-m", "{}"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/identifier rejected/i);
  });

  it("accepts a 128-character id and client ids over 23 bytes", async () => {
    const { url } = await broker();
    expect(await connackCode(url, clientIdFor("y".repeat(128)))).toBe(0);
  });

  it("drops a publish under another worker's topic, still PUBACKs it, and keeps the connection", async () => {
    const { rec, b, url } = await broker();
    const [me, victim] = [freshWorkerId(), freshWorkerId()];
    const client = await worker(url, me);
    const hb = vector("heartbeat", victim);
    await publishJson(client, hb.topic, hb.payload); // resolves on PUBACK
    expect(b.counters.get("mqtt_dropped_total", "client_id_mismatch")).toBe(1);
    expect(b.counters.get("mqtt_spoof_dropped_total", "client_id_mismatch")).toBe(1);
    expect(client.connected).toBe(true);
    expect(rec.calls).toHaveLength(0);
  });

  it("drops a payload whose worker_id is not the topic's", async () => {
    const { rec, b, url } = await broker();
    const [me, other] = [freshWorkerId(), freshWorkerId()];
    const client = await worker(url, me);
    await publishJson(client, `xenminer/${me}/heartbeat`, vector("heartbeat", other).payload);
    expect(b.counters.get("mqtt_dropped_total", "worker_id_mismatch")).toBe(1);
    expect(rec.calls).toHaveLength(0);
  });

  it("drops publishes under xenminer/# from a client that is not a worker", async () => {
    const { rec, b, url } = await broker();
    const id = freshWorkerId();
    const c = await mqtt.connectAsync(url, { clientId: "dashboard-probe", reconnectPeriod: 0 });
    cleanups.push(() => c.endAsync(true));
    await publishJson(c, `xenminer/${id}/heartbeat`, vector("heartbeat", id).payload);
    await publishJson(c, "elsewhere/topic", { hello: 1 });
    expect(b.counters.get("mqtt_dropped_total", "not_a_worker")).toBe(1);
    expect(b.counters.get("mqtt_dropped_total", "foreign_topic")).toBe(1);
    expect(rec.calls).toHaveLength(0);
  });

  it("never delivers a client's publish on another worker's task or control, nor its own", async () => {
    const { b, url } = await broker();
    const [attacker, victim] = [freshWorkerId(), freshWorkerId()];
    const v = await worker(url, victim);
    await v.subscribeAsync([`xenminer/${victim}/task`, `xenminer/${victim}/control`], { qos: 1 });
    const received: string[] = [];
    v.on("message", (topic) => received.push(topic));
    const a = await worker(url, attacker);
    await publishJson(a, `xenminer/${victim}/task`, vector("release", victim).payload);
    await publishJson(a, `xenminer/${victim}/control`, vector("control_shutdown", victim).payload);
    await publishJson(v, `xenminer/${victim}/task`, vector("release", victim).payload);
    expect(b.counters.get("mqtt_dropped_total", "platform_topic")).toBe(3);
    // The platform's own command still arrives, so the subscription works.
    await mqttWorkerChannel(b, b.counters).send(victim, {
      topic: "task",
      payload: vector("release", victim).payload,
    } as never);
    await waitUntil(() => received.length > 0, 5000, "platform command");
    await new Promise((r) => setTimeout(r, 100));
    expect(received).toEqual([`xenminer/${victim}/task`]);
  });

  it("keeps no session: a client asking for a persistent one gets no other worker's commands later", async () => {
    const { b, url } = await broker();
    const [evil, victim] = [freshWorkerId(), freshWorkerId()];
    const v = await worker(url, victim);
    await v.subscribeAsync(`xenminer/${victim}/task`, { qos: 1 });
    const options = { clean: false, will: undefined };
    const first = await worker(url, evil, options);
    // Refused filters must not be stored anywhere.
    await new Promise((resolve) =>
      first.subscribe({ [`xenminer/${evil}/task`]: { qos: 1 }, "xenminer/+/task": { qos: 1 } }, resolve),
    );
    await first.endAsync(true);
    const channel = mqttWorkerChannel(b, b.counters);
    await channel.send(victim, { topic: "task", payload: vector("release", victim).payload } as never);
    const again = await worker(url, evil, options);
    const seen: string[] = [];
    again.on("message", (topic) => seen.push(topic));
    await channel.send(victim, { topic: "task", payload: vector("release", victim).payload } as never);
    await new Promise((r) => setTimeout(r, 300));
    expect(seen).toEqual([]);
  });

  it("grants a worker only its own task and control", async () => {
    const { b, url } = await broker();
    const [me, other] = [freshWorkerId(), freshWorkerId()];
    const client = await worker(url, me);
    const requested: Record<string, { qos: 0 | 1 | 2 }> = {
      "xenminer/#": { qos: 1 },
      [`xenminer/${other}/task`]: { qos: 1 },
      [`xenminer/${me}/heartbeat`]: { qos: 1 },
      "#": { qos: 0 },
      [`xenminer/${me}/task`]: { qos: 1 },
      [`xenminer/${me}/control`]: { qos: 1 },
    };
    // mqtt.js fails the call when anything is refused; the SUBACK's codes come with the callback.
    const codes = await new Promise<number[]>((resolve) =>
      client.subscribe(requested, (_err, _subs, packet) => resolve((packet?.granted ?? []) as number[])),
    );
    const granted = Object.keys(requested).map((topic, i) => ({ topic, qos: codes[i] }));
    const byTopic = Object.fromEntries(granted.map((g) => [g.topic, g.qos]));
    expect(byTopic).toEqual({
      "xenminer/#": 128,
      [`xenminer/${other}/task`]: 128,
      [`xenminer/${me}/heartbeat`]: 128,
      "#": 128,
      [`xenminer/${me}/task`]: 1,
      [`xenminer/${me}/control`]: 1,
    });
    expect(b.counters.get("mqtt_subscribe_refused_total")).toBe(4);
  });
});

describe("connection limits", () => {
  it("closes a connection that sends a packet over 64 KiB and keeps serving the others", async () => {
    const { rec, b, url } = await broker();
    const [big, fine] = [freshWorkerId(), freshWorkerId()];
    const bad = await worker(url, big);
    const good = await worker(url, fine);
    const closed = new Promise<void>((resolve) => bad.once("close", () => resolve()));
    bad.publish(`xenminer/${big}/heartbeat`, Buffer.alloc(70 * 1024, 0x20), { qos: 1 });
    await closed;
    expect(b.counters.get("mqtt_dropped_total", "oversize")).toBeGreaterThanOrEqual(1);
    const hb = vector("heartbeat", fine);
    await publishJson(good, hb.topic, hb.payload);
    await rec.waitFor(() => rec.of(fine).length === 1);
    // Its connection died, so its will fires; the oversized heartbeat itself never reached the platform.
    expect(rec.of(big).filter((c) => c.kind === "onHeartbeat")).toHaveLength(0);
  });

  /** A raw client that connects and then stays silent: no PINGREQ, nothing. */
  function silentClient(port: number, clientId: string, keepalive: number): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = tcpConnect(port, "127.0.0.1", () => {
        socket.write(
          mqttPacket.generate({
            cmd: "connect",
            protocolId: "MQTT",
            protocolVersion: 4,
            clean: true,
            clientId,
            keepalive,
          }),
        );
        // Read (and discard) the CONNACK, or 'close' would wait for the data to be consumed.
        socket.resume();
        resolve(socket);
      });
      socket.on("error", reject);
    });
  }

  it("drops a connection silent for 1.5 × its keepalive", async () => {
    const { b } = await broker();
    const socket = await silentClient(b.port, clientIdFor(freshWorkerId()), 1);
    cleanups.push(() => socket.destroy());
    const started = Date.now();
    await new Promise((resolve) => socket.once("close", resolve));
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    expect(b.counters.get("mqtt_keepalive_timeout_total")).toBe(1);
  });

  it("enforces a keepalive on clients that ask for none", async () => {
    const { b } = await broker({ defaultKeepaliveSec: 1 });
    const socket = await silentClient(b.port, clientIdFor(freshWorkerId()), 0);
    cleanups.push(() => socket.destroy());
    await new Promise((resolve) => socket.once("close", resolve));
    expect(b.counters.get("mqtt_keepalive_timeout_total")).toBe(1);
  });

  it("survives garbage on the wire: bad bytes close that connection only", async () => {
    const { rec, b, url } = await broker();
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const inputs: Buffer[] = [
      Buffer.from("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
      Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x7f]), // a length over four bytes
      Buffer.from([0x30, 0x05, 0x00]), // a PUBLISH before CONNECT, truncated
      mqttPacket.generate({
        cmd: "connect",
        protocolId: "MQTT",
        protocolVersion: 5,
        clean: true,
        clientId: "xenminer_v5",
      }),
      ...Array.from({ length: 20 }, () =>
        Buffer.from(Array.from({ length: 1 + Math.floor(random() * 300) }, () => Math.floor(random() * 256))),
      ),
    ];
    for (const bytes of inputs) {
      const socket = tcpConnect(b.port, "127.0.0.1");
      socket.on("error", () => {});
      socket.resume();
      await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
      socket.write(bytes);
      // Closed by the broker (or left waiting for a CONNECT that never comes): end it either way.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => resolve(), 300);
        socket.once("close", () => {
          clearTimeout(timer);
          resolve();
        });
      });
      socket.destroy();
    }
    // Still serving.
    const id = freshWorkerId();
    const client = await worker(url, id);
    const reg = vector("register", id);
    await publishJson(client, reg.topic, reg.payload);
    await rec.waitFor(() => rec.of(id).length === 1);
    expect(rec.calls.filter((c) => c.workerId !== id)).toEqual([]);
  });

  it("accepts MQTT 3.1 (protocol level 3) with a worker's long client id", async () => {
    const { rec, url } = await broker();
    const id = freshWorkerId();
    const client = await worker(url, id, { protocolId: "MQIsdp", protocolVersion: 3 });
    const reg = vector("register", id);
    await publishJson(client, reg.topic, reg.payload);
    await rec.waitFor(() => rec.of(id).length === 1);
  });

  it("says which port is taken when it cannot listen", async () => {
    const { b } = await broker();
    await expect(
      startEmbeddedBroker({ inbox: recordingInbox().inbox, port: b.port, host: "127.0.0.1" }),
    ).rejects.toThrow(`MQTT port ${b.port} on 127.0.0.1 is already in use`);
  });
});

describe("worker lifecycle on the embedded broker", () => {
  it("hands a block to the platform before the worker gets its PUBACK", async () => {
    const { rec, url } = await broker({}, { delayMs: { onBlock: 300 } });
    const id = freshWorkerId();
    const client = await worker(url, id);
    const v = vector("block", id);
    await publishJson(client, v.topic, v.payload);
    const ackedAt = Date.now();
    const call = rec.of(id).find((c) => c.kind === "onBlock");
    expect(call).toBeDefined();
    expect(call?.at).toBeLessThanOrEqual(ackedAt);
  });

  it("counts a takeover and does not treat the replaced connection as the worker leaving", async () => {
    const { rec, b, url } = await broker();
    const id = freshWorkerId();
    const first = await worker(url, id);
    const closed = new Promise<void>((resolve) => first.once("close", () => resolve()));
    const second = await worker(url, id);
    await closed;
    expect(b.counters.get("mqtt_takeover_total")).toBe(1);
    expect(b.counters.get("mqtt_will_ignored_total", "takeover")).toBe(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(rec.of(id)).toEqual([]);
    expect(b.isConnected(id)).toBe(true);
    // The new connection is the worker's now.
    const hb = vector("heartbeat", id);
    await publishJson(second, hb.topic, hb.payload);
    await rec.waitFor(() => rec.of(id).length === 1);
    // And its own death is the worker's: will and disconnect are reported.
    second.stream.destroy();
    await rec.waitFor(() => rec.of(id).some((c) => c.kind === "onDisconnect"));
    expect(rec.of(id).map((c) => c.kind)).toEqual(["onHeartbeat", "onStatus", "onDisconnect"]);
  });

  it("acts on the Last Will once, does not retain it, and reports the disconnect", async () => {
    const { rec, b, url } = await broker();
    const id = freshWorkerId();
    const client = await worker(url, id);
    await waitUntil(() => b.isConnected(id), 2000, "connected");
    client.stream.destroy();
    await rec.waitFor(() => rec.of(id).some((c) => c.kind === "onDisconnect"));
    expect(rec.of(id).map((c) => c.kind)).toEqual(["onStatus", "onDisconnect"]);
    expect(rec.of(id)[0]?.retained).toBe(false);
    expect(b.isConnected(id)).toBe(false);
    expect(await b.retainedTopics()).toEqual([]);
    // Back again: no stale will is replayed to anyone, and nothing reaches the platform on connect.
    await worker(url, id);
    await new Promise((r) => setTimeout(r, 200));
    expect(rec.of(id)).toHaveLength(2);
  });

  it("keeps nothing a worker publishes as retained", async () => {
    const { rec, b, url } = await broker();
    const id = freshWorkerId();
    const client = await worker(url, id);
    const status = vector("status_available", id);
    await publishJson(client, status.topic, status.payload, true);
    await rec.waitFor(() => rec.of(id).length === 1);
    expect(await b.retainedTopics()).toEqual([]);
  });

  it("sends no will on a graceful DISCONNECT, but reports the connection gone", async () => {
    const { rec, url } = await broker();
    const id = freshWorkerId();
    const client = await connectWorker(url, id);
    await client.endAsync();
    await rec.waitFor(() => rec.of(id).length > 0);
    await new Promise((r) => setTimeout(r, 100));
    expect(rec.of(id).map((c) => c.kind)).toEqual(["onDisconnect"]);
  });

  it("shuts down without wills or disconnects: a platform restart is not the fleet going offline", async () => {
    const { rec, b, url } = await broker();
    const ids = [freshWorkerId(), freshWorkerId(), freshWorkerId()];
    for (const id of ids) await worker(url, id, { reconnectPeriod: 0 });
    await waitUntil(() => b.connectedWorkers() === 3, 2000, "three workers");
    await b.close();
    await new Promise((r) => setTimeout(r, 200));
    expect(rec.calls).toEqual([]);
  });

  it("serves MQTT over WebSocket with the same rules", async () => {
    const { rec, b } = await broker({ websocket: { port: 0, host: "127.0.0.1" } });
    expect(b.wsPort).toBeGreaterThan(0);
    const id = freshWorkerId();
    const client = await worker(`ws://127.0.0.1:${b.wsPort}/mqtt`, id);
    const reg = vector("register", id);
    await publishJson(client, reg.topic, reg.payload);
    await publishJson(client, `xenminer/${freshWorkerId()}/heartbeat`, vector("heartbeat").payload);
    await rec.waitFor(() => rec.of(id).length === 1);
    expect(b.counters.get("mqtt_dropped_total", "client_id_mismatch")).toBe(1);
  });
});
