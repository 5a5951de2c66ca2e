import { assignTask, release } from "@xenblocks/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONSUMER, LEASE_PREFIX, sleep, waitUntil } from "./testing/test-platform.js";
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

/** Statuses from `mark` on as `STATE` or `STATE:lease_id`. */
function statusesSince(id: string, mark: number): string[] {
  return h.platform.received
    .slice(mark)
    .filter((r) => r.workerId === id && r.suffix === "status")
    .map((r) =>
      r.payload.lease_id === undefined ? String(r.payload.state) : `${r.payload.state}:${r.payload.lease_id}`,
    );
}

describe.concurrent("assign_task", () => {
  it("in AVAILABLE: LEASED without a lease id, then MINING with it", async () => {
    const w = await h.spawn("assign");
    const mark = h.platform.mark();
    await h.platform.send(w.workerId, "task", lease("lease-a"));
    await h.platform.waitForStatus(w.workerId, "MINING", mark);
    expect(statusesSince(w.workerId, mark)).toEqual(["LEASED", "MINING:lease-a"]);
    expect(w.lease).toMatchObject({
      leaseId: "lease-a",
      consumerId: CONSUMER,
      consumerAddress: CONSUMER,
      prefix: LEASE_PREFIX,
      durationSec: 3600,
    });
  });

  it("with a prefix length other than 0 or 16: ERROR, then the usual recovery", async () => {
    const w = await h.spawn("bad-prefix");
    const mark = h.platform.mark();
    await h.platform.send(w.workerId, "task", { ...lease("lease-b"), prefix: "0baa4a9037" });
    await h.platform.waitForStatus(w.workerId, "AVAILABLE", mark);
    expect(statusesSince(w.workerId, mark)).toEqual(["ERROR", "IDLE", "AVAILABLE"]);
    expect(w.lease).toBeNull();
  });

  it("accepts an empty prefix and fills in duration_sec = 3600; drops one without lease_id", async () => {
    const w = await h.spawn("defaults");
    const { duration_sec: _d, lease_id: _l, ...noLeaseId } = lease("x");
    await h.platform.send(w.workerId, "task", noLeaseId);
    await waitUntil(() => w.journal.some((e) => e.type === "ignored"));
    expect(w.state).toBe("AVAILABLE");
    const { duration_sec: _, ...noDuration } = { ...lease("lease-c"), prefix: "" };
    const mark = h.platform.mark();
    await h.platform.send(w.workerId, "task", noDuration);
    await h.platform.waitForStatus(w.workerId, "MINING", mark);
    expect(w.lease).toMatchObject({ leaseId: "lease-c", prefix: "", durationSec: 3600 });
  });

  it("is silently ignored outside AVAILABLE (MINING, IDLE)", async () => {
    const w = await h.spawn("ignored");
    let mark = h.platform.mark();
    await h.platform.send(w.workerId, "task", lease("lease-d"));
    await h.platform.waitForStatus(w.workerId, "MINING", mark);
    mark = h.platform.mark();
    await h.platform.send(w.workerId, "task", lease("lease-e"));
    await h.platform.send(w.workerId, "control", { action: "pause", config: {} });
    await h.platform.waitForStatus(w.workerId, "IDLE", mark);
    await h.platform.send(w.workerId, "task", lease("lease-f"));
    await waitUntil(() => w.journal.filter((e) => e.type === "ignored").length === 2);
    await sleep(150);
    expect(statusesSince(w.workerId, mark)).toEqual(["IDLE"]);
    expect(w.lease).toBeNull();
    expect(w.journal.filter((e) => e.type === "ignored").map((e) => "reason" in e && e.reason)).toEqual([
      "assign_task in MINING",
      "assign_task in IDLE",
    ]);
  });

  it("H1: an accepted ack during a lease forces AVAILABLE, keeps the lease, and the next assignment fails", async () => {
    const w = await h.spawn("h1");
    const id = w.workerId;
    let mark = h.platform.mark();
    await h.platform.send(id, "task", lease("lease-g"));
    await h.platform.waitForStatus(id, "MINING", mark);
    mark = h.platform.mark();
    await h.platform.send(id, "task", { command: "register_ack", accepted: true });
    await h.platform.waitForStatus(id, "AVAILABLE", mark);
    expect(w.lease?.leaseId).toBe("lease-g");
    await h.platform.send(id, "task", lease("lease-h"));
    await waitUntil(() => statusesSince(id, mark).length >= 5);
    // The held lease rides along on every status, LEASED included; the recovery keeps it too.
    expect(statusesSince(id, mark)).toEqual([
      "AVAILABLE:lease-g",
      "LEASED:lease-g",
      "ERROR:lease-g",
      "IDLE:lease-g",
      "AVAILABLE:lease-g",
    ]);
    // Only a release (by id or empty) gets the worker out of it.
    mark = h.platform.mark();
    await h.platform.send(id, "task", release("lease-g"));
    await h.platform.waitForStatus(id, "AVAILABLE", mark);
    await h.platform.send(id, "task", lease("lease-i"));
    await h.platform.waitForStatus(id, "MINING", mark);
    expect(statusesSince(id, mark)).toEqual(["COMPLETED:lease-g", "AVAILABLE", "LEASED", "MINING:lease-i"]);
  });
});

describe.concurrent("release", () => {
  it("by id: COMPLETED with the lease id, then AVAILABLE without", async () => {
    const w = await h.spawn("release");
    const mark = h.platform.mark();
    await h.platform.send(w.workerId, "task", lease("lease-j"));
    await h.platform.waitForStatus(w.workerId, "MINING", mark);
    await h.platform.send(w.workerId, "task", release("lease-j"));
    await h.platform.waitForStatus(w.workerId, "AVAILABLE", mark);
    expect(statusesSince(w.workerId, mark)).toEqual([
      "LEASED",
      "MINING:lease-j",
      "COMPLETED:lease-j",
      "AVAILABLE",
    ]);
    expect(w.lease).toBeNull();
  });

  it("with an empty id releases whatever lease is held; a wrong id or no lease is ignored", async () => {
    const w = await h.spawn("release-any");
    const id = w.workerId;
    await h.platform.send(id, "task", { command: "release", lease_id: "lease-none" });
    let mark = h.platform.mark();
    await h.platform.send(id, "task", lease("lease-k"));
    await h.platform.waitForStatus(id, "MINING", mark);
    mark = h.platform.mark();
    await h.platform.send(id, "task", { command: "release", lease_id: "lease-other" });
    await sleep(150);
    expect(statusesSince(id, mark)).toEqual([]);
    expect(w.lease?.leaseId).toBe("lease-k");
    await h.platform.send(id, "task", { command: "release", lease_id: "" });
    await h.platform.waitForStatus(id, "AVAILABLE", mark);
    expect(statusesSince(id, mark)).toEqual(["COMPLETED:lease-k", "AVAILABLE"]);
    expect(w.journal.filter((e) => e.type === "ignored").map((e) => "reason" in e && e.reason)).toEqual([
      "release without a lease",
      "release for another lease",
    ]);
  });
});

describe.concurrent("local expiry", () => {
  it("the watchdog completes a lease at receipt + duration_sec, unprompted", async () => {
    const w = await h.spawn("expiry");
    const mark = h.platform.mark();
    await h.platform.send(w.workerId, "task", lease("lease-l", 1));
    await h.platform.waitForStatus(w.workerId, "AVAILABLE", mark, 3000);
    expect(statusesSince(w.workerId, mark)).toEqual([
      "LEASED",
      "MINING:lease-l",
      "COMPLETED:lease-l",
      "AVAILABLE",
    ]);
  });

  it("H12: duration_sec <= 0 disables it", async () => {
    const w = await h.spawn("no-expiry");
    const mark = h.platform.mark();
    await h.platform.send(w.workerId, "task", { ...lease("lease-m"), duration_sec: 0 });
    await h.platform.waitForStatus(w.workerId, "MINING", mark);
    await sleep(1300);
    expect(w.state).toBe("MINING");
    expect(statusesSince(w.workerId, mark)).toEqual(["LEASED", "MINING:lease-m"]);
  });
});
