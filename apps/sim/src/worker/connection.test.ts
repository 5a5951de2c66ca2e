import { assignTask } from "@xenblocks/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONSUMER, LEASE_PREFIX, retainedOn, sleep, waitUntil } from "./testing/test-platform.js";
import { WorkerHarness } from "./testing/worker-harness.js";

let h: WorkerHarness;
beforeAll(async () => {
  h = await WorkerHarness.create();
});
afterAll(async () => {
  await h.dispose();
});

const lease = (leaseId: string, durationSec = 3600) =>
  assignTask({ leaseId, consumerId: CONSUMER, consumerAddress: CONSUMER, prefix: LEASE_PREFIX, durationSec });

describe.concurrent("reconnect", () => {
  it("fires the retained will, reconnects, re-subscribes and does not register again (H5, H7)", async () => {
    const w = await h.spawn("reconnect");
    const id = w.workerId;
    const mark = h.platform.mark();
    w.dropConnection();
    // The broker publishes the will (QoS 1, retained) to live subscribers too.
    const will = await h.platform.waitFor(
      id,
      (r) => r.suffix === "status" && r.payload.status === "offline",
      {
        since: mark,
      },
    );
    expect(will.payload).toEqual({ worker_id: id, status: "offline", timestamp: expect.any(Number) });
    expect(await retainedOn(`xenminer/${id}/status`)).not.toBeNull();
    await waitUntil(() => w.connected, 3000, "reconnect");
    // Commands reach it again: the subscriptions were renewed on the new session.
    await h.platform.send(id, "task", lease("lease-r"));
    await h.platform.waitForStatus(id, "MINING", mark);
    const after = h.platform.received.slice(mark).filter((r) => r.workerId === id && r.suffix !== "task");
    expect(after.map((r) => r.payload.state ?? `${r.payload.status}*`)).toEqual([
      "offline*",
      "LEASED",
      "MINING",
    ]);
    expect(w.journal.filter((e) => e.type === "connect").map((e) => "reconnect" in e && e.reconnect)).toEqual(
      [false, true],
    );
  });

  it("sends nothing while disconnected and queues nothing for later (H16)", async () => {
    const w = await h.spawn("offline-drops", { heartbeatSec: 0.2 });
    const id = w.workerId;
    let mark = h.platform.mark();
    await h.platform.send(id, "task", lease("lease-o", 1));
    await h.platform.waitForStatus(id, "MINING", mark);
    mark = h.platform.mark();
    const sentBefore = w.sent.length;
    w.dropConnection(1600);
    // During the outage: heartbeats and the local expiry (COMPLETED, AVAILABLE) are dropped.
    await waitUntil(() => w.state === "AVAILABLE", 3000, "local expiry during the outage");
    await waitUntil(() => w.connected, 3000, "reconnect");
    const dropped = w.sent.slice(sentBefore).filter((s) => !s.delivered);
    expect(dropped.map((s) => s.suffix)).toEqual(expect.arrayContaining(["heartbeat", "status"]));
    expect(dropped.filter((s) => s.suffix === "status").map((s) => s.payload.state)).toEqual([
      "COMPLETED",
      "AVAILABLE",
    ]);
    await sleep(300);
    const received = h.platform.received.slice(mark).filter((r) => r.workerId === id);
    // Only the will and fresh heartbeats after the reconnect: no status replay, no burst of old heartbeats.
    const statuses = received.filter((r) => r.suffix === "status").map((r) => r.payload);
    expect(statuses).toEqual([{ worker_id: id, status: "offline", timestamp: expect.any(Number) }]);
    const heartbeats = received.filter((r) => r.suffix === "heartbeat");
    expect(dropped.some((s) => s.suffix === "heartbeat")).toBe(true);
    // No dropped heartbeat arrives later. Payloads are not unique (whole-second timestamp and uptime at
    // 5 heartbeats a second), so compare counts per payload over the worker's whole life: each delivered
    // heartbeat arrives at most once, so a replayed dropped one would make some payload arrive more
    // often than it was delivered.
    const count = (payloads: readonly unknown[]) => {
      const n = new Map<string, number>();
      for (const p of payloads) n.set(JSON.stringify(p), (n.get(JSON.stringify(p)) ?? 0) + 1);
      return n;
    };
    const deliveredCount = count(
      w.sent.filter((s) => s.suffix === "heartbeat" && s.delivered).map((s) => s.payload),
    );
    const arrivedCount = count(
      h.platform.received.filter((r) => r.workerId === id && r.suffix === "heartbeat").map((r) => r.payload),
    );
    const overDelivered = [...arrivedCount].filter(([key, n]) => n > (deliveredCount.get(key) ?? 0));
    expect(overDelivered).toEqual([]);
    // The comparison is sound: the heartbeats that arrived after the mark are found by the same key.
    expect(heartbeats.length).toBeGreaterThan(0);
    expect(heartbeats.every((r) => deliveredCount.has(JSON.stringify(r.payload)))).toBe(true);
    // No burst after the reconnect: at most what the 0.2 s interval allows for the time that has passed.
    const reconnectedAt = w.journal.find((e) => e.type === "connect" && e.reconnect)!.at;
    const allowed = Math.floor((Date.now() - reconnectedAt) / 200) + 2;
    expect(heartbeats.filter((r) => r.at >= reconnectedAt).length).toBeLessThanOrEqual(allowed);
  });

  it("ERROR while disconnected: the watchdog goes IDLE, and after the reconnect the worker stays IDLE", async () => {
    const w = await h.spawn("error-offline", { watchdogSec: 1 });
    const id = w.workerId;
    const mark = h.platform.mark();
    await h.platform.send(id, "task", { command: "register_ack", accepted: false, reason: "banned" });
    await h.platform.waitForStatus(id, "ERROR", mark);
    w.dropConnection(1500);
    await waitUntil(() => w.state === "IDLE", 2000, "the watchdog's recovery");
    await waitUntil(() => w.connected, 3000, "reconnect");
    await sleep(1200);
    // No register and no status after the reconnect: the platform still believes ERROR (its last status).
    expect(w.state).toBe("IDLE");
    const after = h.platform.received.slice(mark).filter((r) => r.workerId === id && r.suffix !== "task");
    expect(after.map((r) => r.suffix + ":" + String(r.payload.state ?? r.payload.status))).toEqual([
      "status:ERROR",
      "status:offline",
    ]);
    // Only a resume gets it back.
    await h.platform.send(id, "control", { action: "resume", config: {} });
    await h.platform.waitForStatus(id, "AVAILABLE", mark);
  });

  it("backs off exponentially from the minimum to the maximum while the broker is away", async () => {
    const w = await h.spawn("backoff", { reconnectMinMs: 100, reconnectMaxMs: 400 });
    // Point the next attempts at a closed port by swapping the stream builder's target.
    const client = (w as unknown as { client: { options: { port: number } } }).client;
    client.options.port = 1;
    w.dropConnection();
    await waitUntil(() => w.journal.filter((e) => e.type === "reconnect-scheduled").length >= 5, 4000);
    const delays = w.journal.flatMap((e) => (e.type === "reconnect-scheduled" ? [e.delayMs] : []));
    expect(delays.slice(0, 5)).toEqual([100, 200, 400, 400, 400]);
    expect(w.mode).toBe("running");
    client.options.port = 1883;
    await waitUntil(() => w.connected, 3000, "reconnect after the broker is back");
  });
});
