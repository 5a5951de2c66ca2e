import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimWorker } from "./sim-worker.js";
import { OWNER, retainedOn, sleep, testWorkerId, waitUntil } from "./testing/test-platform.js";
import { WorkerHarness } from "./testing/worker-harness.js";

let h: WorkerHarness;
beforeAll(async () => {
  h = await WorkerHarness.create();
});
afterAll(async () => {
  await h.dispose();
});

describe.concurrent("start", () => {
  it("registers, then reports AVAILABLE before any ack, with the vector's shapes", async () => {
    const worker = await h.spawn("start");
    const id = worker.workerId;
    const received = h.platform.from(id);
    expect(received.map((r) => r.suffix)).toEqual(["register", "status"]);
    const [register, status] = received;
    expect(Object.keys(register!.payload)).toEqual([
      "worker_id",
      "eth_address",
      "gpu_count",
      "total_memory_gb",
      "gpus",
      "version",
      "timestamp",
    ]);
    expect(register!.payload).toMatchObject({
      worker_id: id,
      eth_address: OWNER,
      gpu_count: 2,
      total_memory_gb: 48,
      version: "2.0.0",
      gpus: [
        { index: 0, name: "NVIDIA GeForce RTX 4090", memory_gb: 24, bus_id: 1 },
        { index: 1, name: "NVIDIA GeForce RTX 4090", memory_gb: 24, bus_id: 33 },
      ],
    });
    expect(register!.retain).toBe(false);
    expect(status!.payload).toEqual({ worker_id: id, state: "AVAILABLE", timestamp: expect.any(Number) });
    expect(worker.clientId).toBe(`xenminer_${id}`);
    expect(worker.state).toBe("AVAILABLE");
    expect(worker.mode).toBe("running");
  });

  it("sends no status for an accepted ack in AVAILABLE (statuses are never repeated)", async () => {
    const worker = await h.spawn("ack-ok");
    const mark = h.platform.mark();
    await h.platform.send(worker.workerId, "task", { command: "register_ack", accepted: true });
    await waitUntil(() =>
      worker.journal.some((e) => e.type === "received" && e.payload.includes("register_ack")),
    );
    await sleep(150);
    const answers = h.platform.received
      .slice(mark)
      .filter((r) => r.workerId === worker.workerId && (r.suffix === "status" || r.suffix === "register"));
    expect(answers).toEqual([]);
    expect(worker.state).toBe("AVAILABLE");
  });

  it("turns a rejection into ERROR, then recovers by itself: IDLE, register, AVAILABLE, every time", async () => {
    const worker = await h.spawn("rejected");
    const id = worker.workerId;
    for (let round = 0; round < 2; round++) {
      const mark = h.platform.mark();
      await h.platform.send(id, "task", { command: "register_ack", accepted: false, reason: "banned" });
      await h.platform.waitForStatus(id, "AVAILABLE", mark);
      const after = h.platform.received.slice(mark).filter((r) => r.workerId === id && r.suffix !== "task");
      expect(after.map((r) => (r.suffix === "status" ? r.payload.state : r.suffix))).toEqual([
        "ERROR",
        "IDLE",
        "register",
        "AVAILABLE",
      ]);
    }
  });

  it("reads a missing `accepted` as a rejection", async () => {
    const worker = await h.spawn("ack-missing");
    const mark = h.platform.mark();
    await h.platform.send(worker.workerId, "task", { command: "register_ack" });
    await h.platform.waitForStatus(worker.workerId, "ERROR", mark);
  });

  it("dispatches by payload, not by topic", async () => {
    const worker = await h.spawn("by-payload");
    const states: string[] = [];
    worker.on("state", (state, previous) => states.push(`${previous}->${state}`));
    const mark = h.platform.mark();
    await h.platform.send(worker.workerId, "task", { action: "pause", config: {} });
    await h.platform.waitForStatus(worker.workerId, "IDLE", mark);
    await h.platform.send(worker.workerId, "control", { command: "register_ack", accepted: true });
    await h.platform.waitForStatus(worker.workerId, "AVAILABLE", mark);
    expect(states).toEqual(["AVAILABLE->IDLE", "IDLE->AVAILABLE"]);
  });

  it("drops invalid JSON and wrong types silently", async () => {
    const worker = await h.spawn("garbage");
    const id = worker.workerId;
    const mark = h.platform.mark();
    await h.platform.send(id, "task", "{not json");
    await h.platform.send(id, "task", { command: "register_ack", accepted: "yes" });
    await h.platform.send(id, "task", { command: "register_ack", accepted: false, reason: 42 });
    await h.platform.send(id, "task", ["register_ack"]);
    await h.platform.send(id, "control", { action: 7 });
    await waitUntil(() => worker.journal.filter((e) => e.type === "ignored").length === 5);
    await sleep(100);
    expect(h.platform.received.slice(mark).filter((r) => r.workerId === id && r.suffix === "status")).toEqual(
      [],
    );
    expect(worker.state).toBe("AVAILABLE");
  });
});

describe.concurrent("first connect", () => {
  it("disables platform mode when the broker is unreachable: silent, no retry", async () => {
    const worker = new SimWorker({
      workerId: testWorkerId("unreachable"),
      brokerUrl: "mqtt://127.0.0.1:1", // nothing listens on port 1
      ethAddress: OWNER,
      reconnectMinMs: 50,
    });
    expect(await worker.start()).toBe(false);
    expect(worker.mode).toBe("disabled");
    await sleep(200);
    // Not even the ERROR it moved to goes out.
    expect(worker.sent.filter((s) => s.delivered)).toEqual([]);
    expect(worker.state).toBe("ERROR");
    expect(worker.journal.filter((e) => e.type === "reconnect-scheduled")).toEqual([]);
    await worker.close();
    expect(worker.mode).toBe("disabled");
  });
});

describe.concurrent("last will", () => {
  it("is retained, keyed `status`, and carries the connect time", async () => {
    const connectedAt = Math.floor(Date.now() / 1000);
    const worker = await h.spawn("will");
    const connectedBy = Math.floor(Date.now() / 1000);
    await sleep(1100); // so that a kill-time timestamp would differ from the connect time
    await worker.kill();
    const will = await retainedOn(`xenminer/${worker.workerId}/status`);
    expect(will).not.toBeNull();
    const payload = JSON.parse(will!);
    expect(payload).toEqual({ worker_id: worker.workerId, status: "offline", timestamp: expect.any(Number) });
    expect(payload.timestamp).toBeGreaterThanOrEqual(connectedAt);
    expect(payload.timestamp).toBeLessThanOrEqual(connectedBy);
    expect(worker.mode).toBe("killed");
  });
});
