import { assignTask, control } from "@xenblocks/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONSUMER, LEASE_PREFIX, OWNER, retainedOn, sleep, waitUntil } from "./testing/test-platform.js";
import { WorkerHarness } from "./testing/worker-harness.js";

let h: WorkerHarness;
beforeAll(async () => {
  h = await WorkerHarness.create();
});
afterAll(async () => {
  await h.dispose();
});

const lease = (leaseId: string) =>
  assignTask({
    leaseId,
    consumerId: CONSUMER,
    consumerAddress: CONSUMER,
    prefix: LEASE_PREFIX,
    durationSec: 60,
  });

function since(id: string, mark: number): string[] {
  return h.platform.received
    .slice(mark)
    .filter((r) => r.workerId === id && r.suffix !== "task" && r.suffix !== "control")
    .map((r) => (r.suffix === "status" ? String(r.payload.state ?? `${r.payload.status}*`) : r.suffix));
}

describe.concurrent("pause and resume", () => {
  it("pause ends a lease without COMPLETED; resume registers and reports AVAILABLE", async () => {
    const w = await h.spawn("pause");
    const id = w.workerId;
    let mark = h.platform.mark();
    await h.platform.send(id, "task", lease("lease-p"));
    await h.platform.waitForStatus(id, "MINING", mark);
    mark = h.platform.mark();
    await h.platform.send(id, "control", control("pause"));
    await h.platform.waitForStatus(id, "IDLE", mark);
    expect(w.lease).toBeNull();
    await h.platform.send(id, "control", control("resume"));
    await h.platform.waitForStatus(id, "AVAILABLE", mark);
    expect(since(id, mark)).toEqual(["IDLE", "register", "AVAILABLE"]);
    expect(h.platform.from(id, "status").at(-1)?.payload.lease_id).toBeUndefined();
  });

  it("resume outside IDLE and unknown actions are no-ops", async () => {
    const w = await h.spawn("resume-noop");
    const mark = h.platform.mark();
    await h.platform.send(w.workerId, "control", control("resume"));
    await h.platform.send(w.workerId, "control", { action: "reboot", config: {} });
    await h.platform.send(w.workerId, "control", { config: {} });
    await waitUntil(() => w.journal.filter((e) => e.type === "ignored").length === 3);
    await sleep(100);
    expect(since(w.workerId, mark)).toEqual([]);
    expect(w.state).toBe("AVAILABLE");
  });
});

describe.concurrent("shutdown", () => {
  it("sends state offline, then the offline variant, then DISCONNECT: the will does not fire", async () => {
    const w = await h.spawn("shutdown", { heartbeatSec: 0.2 });
    const id = w.workerId;
    let mark = h.platform.mark();
    await h.platform.send(id, "task", lease("lease-s"));
    await h.platform.waitForStatus(id, "MINING", mark);
    mark = h.platform.mark();
    await h.platform.send(id, "control", control("shutdown"));
    await waitUntil(() => w.mode === "shutdown");
    await waitUntil(() => h.platform.statuses(id).at(-1) === "offline*");
    const statuses = h.platform.received
      .slice(mark)
      .filter((r) => r.workerId === id && r.suffix === "status");
    expect(statuses.map((r) => r.payload)).toEqual([
      { worker_id: id, state: "offline", timestamp: expect.any(Number) },
      { worker_id: id, status: "offline", timestamp: expect.any(Number) },
    ]);
    expect(statuses.every((r) => !r.retain)).toBe(true);
    await waitUntil(() => !w.connected);
    expect(await retainedOn(`xenminer/${id}/status`)).toBeNull();
    // Platform mode stays off: no heartbeats, commands have no effect.
    const after = h.platform.mark();
    await h.platform.send(id, "control", control("resume"));
    await sleep(500);
    expect(since(id, after)).toEqual([]);
    expect(w.lease).toBeNull();
  });

  it("a local stop (SIGINT) does the same", async () => {
    const w = await h.spawn("sigint");
    const mark = h.platform.mark();
    w.shutdown();
    await waitUntil(() => since(w.workerId, mark).length === 2);
    expect(since(w.workerId, mark)).toEqual(["offline", "offline*"]);
  });
});

describe.concurrent("heartbeat", () => {
  it("every period, the first one a period after start, with the config echo and no state", async () => {
    const startedAt = Date.now();
    const w = await h.spawn("heartbeat", { heartbeatSec: 0.4 });
    const id = w.workerId;
    await waitUntil(() => h.platform.from(id, "heartbeat").length >= 2, 3000);
    const [first] = h.platform.from(id, "heartbeat");
    expect(first!.at - startedAt).toBeGreaterThanOrEqual(350);
    expect(Object.keys(first!.payload)).toEqual([
      "worker_id",
      "hashrate",
      "active_gpus",
      "accepted_blocks",
      "difficulty",
      "address",
      "prefix",
      "block_pattern",
      "uptime_sec",
      "timestamp",
    ]);
    expect(first!.payload).toMatchObject({
      worker_id: id,
      active_gpus: 2,
      accepted_blocks: 0,
      difficulty: 1727,
      address: OWNER,
      prefix: "",
      block_pattern: "",
      uptime_sec: expect.any(Number),
    });
    // Two RTX 4090 around 2,405 H/s each at m = 1727.
    expect(first!.payload.hashrate).toBeGreaterThan(4700);
    expect(first!.payload.hashrate).toBeLessThan(4900);
  });
});

describe.concurrent("set_config", () => {
  it("applies every field, then sends a heartbeat echoing them", async () => {
    const w = await h.spawn("set-config");
    const config = {
      difficulty: 99,
      address: "0xA72B7D608c51B0FB4E21B75f37a41A3324f846a7",
      prefix: "abcdef",
      block_pattern: "XN",
    };
    const mark = h.platform.mark();
    await h.platform.send(w.workerId, "control", control("set_config", config));
    const hb = await h.platform.waitFor(w.workerId, (r) => r.suffix === "heartbeat", { since: mark });
    expect(hb.payload).toMatchObject(config);
    expect(w.selfMiningConfig).toEqual({
      difficulty: 99,
      address: config.address,
      prefix: "abcdef",
      blockPattern: "XN",
    });
  });

  it("stops at the first wrong type, keeping the fields before it, and still echoes", async () => {
    const w = await h.spawn("set-config-partial");
    const mark = h.platform.mark();
    await h.platform.send(w.workerId, "control", {
      action: "set_config",
      config: { difficulty: 500, address: 12, prefix: "ab", block_pattern: "XN" },
    });
    const hb = await h.platform.waitFor(w.workerId, (r) => r.suffix === "heartbeat", { since: mark });
    expect(hb.payload).toMatchObject({ difficulty: 500, address: OWNER, prefix: "", block_pattern: "" });
    // The owner never changes with the payout address (H15).
    expect(w.ethAddress).toBe(OWNER);
  });
});
