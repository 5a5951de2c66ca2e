/** The worker registry (worker-protocol §4, §7) through the platform. */
import { unwrap } from "@xenblocks/core";
import { describe, expect, it } from "vitest";
import { engines } from "./engines.js";
import { marketplace, OWNER_A, OWNER_B, wallet } from "./harness.js";

describe.each(engines)("fleet ($name)", (engine) => {
  it("registers a worker: owner account, hardware, defaults, register_ack", async () => {
    const m = await marketplace(await engine.create());
    const w = m.worker("776536cd9695ca58");
    expect(await w.register()).toEqual({ accepted: true });
    const stored = await m.storage.workers.get(w.id);
    expect(stored).toMatchObject({
      owner: OWNER_A.toLowerCase(),
      ethAddress: OWNER_A,
      gpuCount: 2,
      totalMemoryGb: 48,
      version: "2.0.0",
      online: true,
      state: null,
      listed: true,
      pricePerSec: 10_000n,
      minDurationSec: 60,
      maxDurationSec: 86_400,
    });
    expect(stored?.gpus[1]).toEqual({ index: 1, name: "NVIDIA GeForce RTX 4090", memoryGb: 24, busId: 2 });
    expect(await m.storage.accounts.get(OWNER_A)).not.toBeNull();
    expect(w.sent()).toEqual([{ command: "register_ack", accepted: true }]);
    // Known state comes from status messages only.
    await w.status("AVAILABLE");
    expect((await m.storage.workers.get(w.id))?.state).toBe("AVAILABLE");
  });

  it("keeps registered_at and pricing on re-register; an owner change resets the price", async () => {
    const m = await marketplace(await engine.create());
    const w = m.worker("w-1");
    await w.register();
    const first = await m.storage.workers.get("w-1");
    unwrap(
      await m.platform.workers.setPricing(wallet(OWNER_A), "w-1", {
        pricePerSec: 55n,
        minDurationSec: 120,
        maxDurationSec: 7200,
      }),
    );
    m.clock.advance(60_000);
    await w.register();
    expect(await m.storage.workers.get("w-1")).toMatchObject({
      registeredAt: first?.registeredAt,
      pricePerSec: 55n,
    });
    const events: string[] = [];
    m.platform.events.subscribe((e) => {
      if (e.type === "WorkerRegistered") events.push(`${e.owner}:${e.ownerChanged}`);
    });
    await m.worker("w-1", OWNER_B).register();
    expect(await m.storage.workers.get("w-1")).toMatchObject({
      owner: OWNER_B,
      pricePerSec: 10_000n,
      minDurationSec: 60,
    });
    expect(events).toEqual([`${OWNER_B}:true`]);
  });

  it("answers a never-registered worker's heartbeat with reregister, at most once per 30 s", async () => {
    const m = await marketplace(await engine.create());
    const w = m.worker("ghost");
    expect(await w.heartbeat()).toEqual({ accepted: false, reason: "unknown_worker" });
    m.clock.advance(10_000);
    await w.heartbeat();
    expect(w.sent()).toEqual([{ command: "register_ack", accepted: false, reason: "reregister" }]);
    m.clock.advance(20_000);
    await w.heartbeat();
    expect(w.sent()).toHaveLength(2);
    expect(m.platform.counters.get("heartbeat_ignored_total", "unknown_worker")).toBe(3);
    expect(await m.storage.workers.get("ghost")).toBeNull();
  });

  it("ignores statuses of unknown workers and refuses an unusable owner address", async () => {
    const m = await marketplace(await engine.create());
    expect(await m.worker("ghost").status("AVAILABLE")).toEqual({
      accepted: false,
      reason: "unknown_worker",
    });
    const bad = await m.platform.fleet.onRegister({
      worker_id: "bad-owner",
      eth_address: "0x1234",
      gpu_count: 0,
      total_memory_gb: 0,
      gpus: [],
      version: "2.0.0",
      timestamp: 1,
    });
    expect(bad).toEqual({ accepted: false, reason: "bad_eth_address" });
  });

  it("batches heartbeats: nothing is written per message, one flush writes every changed worker", async () => {
    const m = await marketplace(await engine.create());
    const workers = Array.from({ length: 50 }, (_, i) => m.worker(`w-${i}`));
    for (const w of workers) await w.register();
    await m.platform.jobs.flushHeartbeats();
    for (const w of workers) await w.heartbeat(1000);
    expect((await m.storage.workers.get("w-7"))?.hashrate).toBe(0);
    expect((await m.platform.fleet.getWorker("w-7"))?.hashrate).toBe(1000);
    expect(await m.platform.jobs.flushHeartbeats()).toEqual({ workers: 50, leases: 0 });
    expect((await m.storage.workers.get("w-7"))?.hashrate).toBe(1000);
    expect(await m.platform.jobs.flushHeartbeats()).toEqual({ workers: 0, leases: 0 });
  });

  it("stores the heartbeat's config echo and accumulates online seconds for gaps up to 90 s", async () => {
    const m = await marketplace(await engine.create());
    const w = m.worker("w-1");
    await w.register();
    await w.heartbeat();
    m.clock.advance(30_000);
    await w.heartbeat();
    m.clock.advance(30_000);
    await w.heartbeat();
    await m.platform.jobs.flushHeartbeats();
    const stored = await m.storage.workers.get("w-1");
    expect(stored?.onlineSec).toBe(60);
    expect(stored?.config).toEqual({ address: OWNER_A, prefix: "", blockPattern: "", difficulty: 1727 });
    expect(stored?.uptimeSec).toBe(100);
  });

  it("records health events on transitions only, with the offline duration", async () => {
    const m = await marketplace(await engine.create());
    const w = m.worker("w-1");
    await w.join();
    await m.elapse(100_000, 5000);
    await m.elapse(100_000, 5000);
    await w.heartbeat();
    await w.heartbeat();
    const events = (await m.storage.health.list({ limit: 10 })).items;
    expect(events.map((e) => [e.kind, e.reason])).toEqual([
      ["online", null],
      ["offline", "timeout"],
    ]);
    // Marked offline by the 5 s sweep at 95 s, back at 200 s.
    expect(events[0]?.offlineForSec).toBe(105);
  });

  it("a graceful shutdown status marks the worker offline with its known state", async () => {
    const m = await marketplace(await engine.create());
    const w = m.worker("w-1");
    await w.join();
    await w.status("offline");
    await w.will();
    const stored = await m.storage.workers.get("w-1");
    expect(stored).toMatchObject({ online: false, state: "offline" });
    const events = (await m.storage.health.list({ limit: 10 })).items;
    expect(events.map((e) => e.reason)).toEqual(["shutdown"]);
  });

  it("a restart gives every online worker one full threshold of grace", async () => {
    const storage = await engine.create();
    const m = await marketplace(storage);
    await m.worker("w-1").join();
    m.clock.advance(80_000);
    // A new platform over the same storage, started 80 s after the last heartbeat.
    const restarted = await marketplace(storage);
    restarted.clock.set(m.clock.now());
    await restarted.platform.start();
    await restarted.elapse(85_000, 5000);
    expect((await storage.workers.get("w-1"))?.online).toBe(true);
    await restarted.elapse(10_000, 5000);
    expect((await storage.workers.get("w-1"))?.online).toBe(false);
  });
});
