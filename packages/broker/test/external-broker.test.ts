/**
 * The external-broker adapter's own duties: shared subscriptions split the inbound load between
 * platform instances, subscriptions come back after the broker restarts, and a worker seen live
 * again leaves no stale retained will behind (worker-protocol §4.3 d).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { Counters } from "@xenblocks/core";
import { describe, expect, it } from "vitest";
import { connectExternalBroker, inboundFilters } from "../src/external-broker.js";
import {
  cleanupAfterEach,
  connectWorker,
  freshWorkerId,
  MOSQUITTO_URL,
  mosquittoSub,
  publishJson,
  recordingInbox,
  vector,
  waitUntil,
} from "./support.js";

const cleanups = cleanupAfterEach();

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === "object" && address ? address.port : 0;
}

/** A private Mosquitto (no config: anonymous, loopback only) that a test may kill and restart. */
async function privateMosquitto(port: number): Promise<ChildProcess> {
  const child = spawn("mosquitto", ["-p", String(port)], { stdio: "ignore" });
  const started = Date.now();
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once("error", () => resolve(true));
      s.listen(port, "127.0.0.1", () => s.close(() => resolve(false)));
    });
    if (up) return child;
    if (Date.now() - started > 5000) throw new Error("mosquitto did not start");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("external broker adapter", () => {
  it("subscribes to the four inbound topics with a shared subscription", () => {
    expect(inboundFilters("g1", true)).toEqual([
      "$share/g1/xenminer/+/register",
      "$share/g1/xenminer/+/heartbeat",
      "$share/g1/xenminer/+/status",
      "$share/g1/xenminer/+/block",
    ]);
    expect(inboundFilters("g1", false)[0]).toBe("xenminer/+/register");
  });

  it("splits the inbound messages between two instances of one group, each message handled once", async () => {
    const group = `split-${randomBytes(4).toString("hex")}`;
    const a = recordingInbox();
    const b = recordingInbox();
    for (const rec of [a, b]) {
      const broker = await connectExternalBroker({
        url: MOSQUITTO_URL,
        inbox: rec.inbox,
        group,
        counters: new Counters(),
      });
      cleanups.push(() => broker.close());
    }
    const id = freshWorkerId();
    const client = await connectWorker(MOSQUITTO_URL, id);
    cleanups.push(async () => {
      await client.publishAsync(`xenminer/${id}/status`, "", { qos: 1, retain: true });
      await client.endAsync();
    });
    const hb = vector("heartbeat", id);
    const total = 40;
    for (let i = 0; i < total; i++) await publishJson(client, hb.topic, { ...hb.payload, uptime_sec: i });
    await waitUntil(() => a.of(id).length + b.of(id).length === total, 5000, "all heartbeats");
    expect(a.of(id).length).toBeGreaterThan(0);
    expect(b.of(id).length).toBeGreaterThan(0);
    const uptimes = [...a.of(id), ...b.of(id)].map((c) => (c.message as { uptime_sec: number }).uptime_sec);
    expect(new Set(uptimes).size).toBe(total);
  });

  it("subscribes again after the broker restarts", async () => {
    const port = await freePort();
    let mosquitto = await privateMosquitto(port);
    cleanups.push(() => mosquitto.kill());
    const url = `mqtt://127.0.0.1:${port}`;
    const rec = recordingInbox();
    const broker = await connectExternalBroker({ url, inbox: rec.inbox, counters: new Counters() });
    cleanups.push(() => broker.close());

    mosquitto.kill();
    await new Promise((resolve) => mosquitto.once("exit", resolve));
    await waitUntil(() => !broker.client.connected, 5000, "disconnect seen");
    mosquitto = await privateMosquitto(port);
    await waitUntil(() => broker.counters.get("mqtt_reconnect_total") === 1, 10_000, "reconnect");

    const id = freshWorkerId();
    const client = await connectWorker(url, id);
    cleanups.push(() => client.endAsync(true));
    const reg = vector("register", id);
    // The SUBSCRIBE after reconnect races this publish: repeat until one arrives (bounded).
    for (let i = 0; i < 50 && rec.of(id).length === 0; i++) {
      await publishJson(client, reg.topic, reg.payload);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(rec.of(id)[0]).toMatchObject({ kind: "onRegister", message: reg.payload });
  });

  it("clears a worker's retained will once the worker is seen live again", async () => {
    const rec = recordingInbox();
    const broker = await connectExternalBroker({
      url: MOSQUITTO_URL,
      inbox: rec.inbox,
      group: `clear-${randomBytes(4).toString("hex")}`,
      counters: new Counters(),
    });
    cleanups.push(() => broker.close());
    const id = freshWorkerId();
    const retainedStatus = async () => {
      const sub = mosquittoSub(1883, ["-t", `xenminer/${id}/status`, "--retained-only", "-W", "1"]);
      // mosquitto_sub exits 27 when -W times out with nothing received, 0 after a message.
      expect([0, 27]).toContain(await sub.exited);
      return sub.lines;
    };
    const first = await connectWorker(MOSQUITTO_URL, id);
    first.stream.destroy(); // the broker fires the retained will
    await rec.waitFor(() => rec.of(id).some((c) => c.kind === "onStatus"), 10_000);
    expect(await retainedStatus()).toHaveLength(1);

    const again = await connectWorker(MOSQUITTO_URL, id);
    cleanups.push(async () => {
      await again.publishAsync(`xenminer/${id}/status`, "", { qos: 1, retain: true });
      await again.endAsync();
    });
    const hb = vector("heartbeat", id);
    await publishJson(again, hb.topic, hb.payload);
    await waitUntil(() => broker.isConnected(id), 5000, "seen live");
    await new Promise((r) => setTimeout(r, 200));
    expect(await retainedStatus()).toEqual([]);
  });

  it("lets the platform answer a worker it has not seen before from inside the handler", async () => {
    const id = freshWorkerId();
    const replies: Array<boolean> = [];
    let broker: Awaited<ReturnType<typeof connectExternalBroker>> | null = null;
    const rec = recordingInbox();
    const inbox = {
      ...rec.inbox,
      // As core does: register_ack is sent while the register is being handled.
      onRegister: async (m: Parameters<typeof rec.inbox.onRegister>[0]) => {
        // The Mosquitto here is shared with other suites: only our worker's register counts.
        if (m.worker_id === id) replies.push(broker?.isConnected(m.worker_id) ?? false);
        return rec.inbox.onRegister(m);
      },
    };
    broker = await connectExternalBroker({
      url: MOSQUITTO_URL,
      inbox,
      group: `presence-${randomBytes(4).toString("hex")}`,
      counters: new Counters(),
    });
    const b = broker;
    cleanups.push(() => b.close());
    const client = await connectWorker(MOSQUITTO_URL, id);
    cleanups.push(() => client.endAsync(true));
    const reg = vector("register", id);
    await publishJson(client, reg.topic, reg.payload);
    await rec.waitFor(() => rec.of(id).length === 1);
    expect(replies).toEqual([true]);
    // A spoofed payload under another id marks no one present.
    const ghost = freshWorkerId();
    await publishJson(client, `xenminer/${ghost}/heartbeat`, vector("heartbeat", id).payload);
    await waitUntil(() => b.counters.get("mqtt_dropped_total", "worker_id_mismatch") === 1, 5000, "drop");
    expect(b.isConnected(ghost)).toBe(false);
  });

  it("refuses to start when the broker refuses its subscriptions", async () => {
    await expect(
      connectExternalBroker({ url: MOSQUITTO_URL, inbox: recordingInbox().inbox, group: "a+b" }),
    ).rejects.toThrow(/cannot subscribe to the worker topics/);
  });
});
