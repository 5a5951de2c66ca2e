import { assignTask, control, release } from "@xenblocks/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONSUMER, LEASE_PREFIX, ManualBlockSource, sleep, waitUntil } from "./testing/test-platform.js";
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

function statusesSince(id: string, mark: number): string[] {
  return h.platform.received
    .slice(mark)
    .filter((r) => r.workerId === id && r.suffix === "status")
    .map((r) =>
      r.payload.lease_id === undefined ? String(r.payload.state) : `${r.payload.state}:${r.payload.lease_id}`,
    );
}

/** A random source that hands out the given values, then `fallback`. */
const scripted =
  (values: number[], fallback = 0) =>
  () =>
    values.shift() ?? fallback;

describe.concurrent("H2/H4: concurrent handling", () => {
  it("release then assign back to back can swap: the assignment is silently lost", async () => {
    // Message delays: assign 0 ms, release 900 ms, the second assign 0 ms. The swap holds as long as
    // the second assign arrives within 0.9 s of the release (90 ms was too tight for a loaded machine).
    const w = await h.spawn("h2", {
      hazards: { concurrentHandling: { maxDelayMs: 1000 } },
      random: scripted([0, 0.9, 0]),
    });
    const id = w.workerId;
    const mark = h.platform.mark();
    await h.platform.send(id, "task", lease("lease-1"));
    await h.platform.waitForStatus(id, "MINING", mark);
    await h.platform.send(id, "task", release("lease-1"));
    await h.platform.send(id, "task", lease("lease-2"));
    await h.platform.waitForStatus(id, "AVAILABLE", mark);
    await sleep(150);
    expect(statusesSince(id, mark)).toEqual(["LEASED", "MINING:lease-1", "COMPLETED:lease-1", "AVAILABLE"]);
    expect(w.lease).toBeNull();
  });

  it("without the hazard the same pair is handled in order", async () => {
    const w = await h.spawn("h2-off");
    const id = w.workerId;
    const mark = h.platform.mark();
    await h.platform.send(id, "task", lease("lease-1"));
    await h.platform.waitForStatus(id, "MINING", mark);
    await h.platform.send(id, "task", release("lease-1"));
    await h.platform.send(id, "task", lease("lease-2"));
    await waitUntil(() => w.lease?.leaseId === "lease-2");
    await waitUntil(() => statusesSince(id, mark).length === 6);
    expect(statusesSince(id, mark)).toEqual([
      "LEASED",
      "MINING:lease-1",
      "COMPLETED:lease-1",
      "AVAILABLE",
      "LEASED",
      "MINING:lease-2",
    ]);
  });

  it("pause then resume can swap: resume is a no-op outside IDLE and the worker stays IDLE", async () => {
    // pause waits 900 ms, resume none: the swap holds as long as resume arrives within 0.9 s of
    // pause (a 100 ms window was too tight for a loaded CI machine).
    const w = await h.spawn("h4", {
      hazards: { concurrentHandling: { maxDelayMs: 1000 } },
      random: scripted([0.9, 0]),
    });
    const mark = h.platform.mark();
    await h.platform.send(w.workerId, "control", control("pause"));
    await h.platform.send(w.workerId, "control", control("resume"));
    await h.platform.waitForStatus(w.workerId, "IDLE", mark);
    await sleep(150);
    expect(statusesSince(w.workerId, mark)).toEqual(["IDLE"]);
    expect(h.platform.from(w.workerId, "register")).toHaveLength(1);
  });
});

describe.concurrent("H13: pause shortly after a lease expired", () => {
  // The lease lasts 1 s; the watchdog first runs 4 s after the connect, so a pause ~1.2 s into the
  // lease meets an expired, not yet cleaned lease even when the spawn and the lease took ~2.5 s on a
  // loaded machine.
  const watchdogMs = 4000;
  const options = { watchdogSec: watchdogMs / 1000 };
  const connectedAt = (w: { journal: readonly { type: string; at: number }[] }) =>
    w.journal.find((e) => e.type === "connect")!.at;

  it("with the hazard, the stale lease survives the pause and keeps mining for the old consumer", async () => {
    const source = new ManualBlockSource();
    const w = await h.spawn("h13", {
      ...options,
      miner: source.source,
      hazards: { staleLeaseOnEarlyPause: true },
    });
    const id = w.workerId;
    const mark = h.platform.mark();
    await h.platform.send(id, "task", lease("lease-s", 1));
    await h.platform.waitForStatus(id, "MINING", mark);
    await sleep(1150);
    await h.platform.send(id, "control", control("pause"));
    await h.platform.waitForStatus(id, "IDLE", mark);
    await h.platform.send(id, "control", control("resume"));
    await h.platform.waitForStatus(id, "AVAILABLE", mark);
    // Past the first watchdog run: it only expires leases in MINING, so the stale lease stays.
    await sleep(Math.max(0, connectedAt(w) + watchdogMs + 400 - Date.now()));
    expect(w.lease?.leaseId).toBe("lease-s");
    expect(statusesSince(id, mark)).toEqual([
      "LEASED",
      "MINING:lease-s",
      "IDLE:lease-s",
      "AVAILABLE:lease-s",
    ]);
    // Self-mined in the platform's eyes (lease_id ""), but for the old consumer with the old prefix.
    await waitUntil(() => source.current !== null);
    source.find();
    const block = await h.platform.waitFor(id, (r) => r.suffix === "block", { since: mark });
    expect(block.payload).toMatchObject({ lease_id: "", account: CONSUMER });
    expect(String(block.payload.key).startsWith(LEASE_PREFIX)).toBe(true);
  });

  it("without it, pause ends any held lease", async () => {
    const w = await h.spawn("h13-off", options);
    const id = w.workerId;
    const mark = h.platform.mark();
    await h.platform.send(id, "task", lease("lease-t", 1));
    await h.platform.waitForStatus(id, "MINING", mark);
    await sleep(1150);
    await h.platform.send(id, "control", control("pause"));
    await h.platform.waitForStatus(id, "IDLE", mark);
    expect(w.lease).toBeNull();
    expect(statusesSince(id, mark)).toEqual(["LEASED", "MINING:lease-t", "IDLE"]);
  });
});
