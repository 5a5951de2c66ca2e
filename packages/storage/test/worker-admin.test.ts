/**
 * What owners and admins do to workers (platform-rules §3, §11; worker-protocol §5.4, H4/H13/H14):
 * pricing and listing, control actions with their sequencing around a lease, and bans.
 */
import { type ErrorCode, type LeaseRecord, type Pricing, type Result, unwrap, xnm } from "@xenblocks/core";
import { describe, expect, it } from "vitest";
import { engines } from "./engines.js";
import { ADMIN, marketplace, OWNER_A, OWNER_B, RENTER_1, RENTER_2, wallet } from "./harness.js";

const codeOf = (r: Result<unknown>): ErrorCode | "ok" => (r.ok ? "ok" : r.error.code);

type Market = Awaited<ReturnType<typeof marketplace>>;
type Worker = ReturnType<Market["worker"]>;

const PRICING: Pricing = { pricePerSec: 20_000n, minDurationSec: 30, maxDurationSec: 7200 };

/** A joined worker, a funded renter, and the clock past the settle gap of the register_ack. */
async function setup(engine: (typeof engines)[number], id = "a1b2c3d4e5f60718") {
  const m = await marketplace(await engine.create());
  const w = m.worker(id);
  await w.join();
  await m.fund(RENTER_1, 1000);
  m.clock.advance(3000);
  return { m, w };
}

/** Rents the worker for RENTER_1 and confirms it: an active lease. */
async function activeLease(m: Market, w: Worker, durationSec = 3600): Promise<LeaseRecord> {
  const lease = unwrap(await m.platform.rental.rent(wallet(RENTER_1), { durationSec, workerId: w.id }));
  await w.confirm(lease.leaseId);
  expect((await m.storage.leases.get(lease.leaseId))?.state).toBe("active");
  return lease;
}

const controls = (w: Worker) => w.sent().filter((p) => "action" in p);

/** Fails fast, instead of hanging until the test timeout, when a call never settles (a deadlock). */
async function settles<T>(p: Promise<T>, what: string, ms = 2000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms (deadlock)`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const DEADLOCK_NOTE = "status AVAILABLE while a control action is queued";

describe.each(engines)("worker pricing and listing ($name)", (engine) => {
  it("lets the owner set pricing", async () => {
    const { m, w } = await setup(engine);
    const updated = unwrap(await m.platform.workers.setPricing(wallet(OWNER_A), w.id, PRICING));
    expect(updated).toMatchObject({ workerId: w.id, ...PRICING });
    expect(await m.storage.workers.get(w.id)).toMatchObject(PRICING);
  });

  it("lets an admin set pricing on someone else's worker", async () => {
    const { m, w } = await setup(engine);
    unwrap(await m.platform.workers.setPricing(wallet(ADMIN), w.id, PRICING));
    expect(await m.storage.workers.get(w.id)).toMatchObject(PRICING);
  });

  it("refuses anyone else (FORBIDDEN) and changes nothing", async () => {
    const { m, w } = await setup(engine);
    const before = await m.storage.workers.get(w.id);
    for (const actor of [wallet(OWNER_B), wallet(RENTER_1), { address: RENTER_2, via: "api_key" as const }]) {
      expect(codeOf(await m.platform.workers.setPricing(actor, w.id, PRICING))).toBe("FORBIDDEN");
      expect(codeOf(await m.platform.workers.setListed(actor, w.id, false))).toBe("FORBIDDEN");
    }
    const after = await m.storage.workers.get(w.id);
    expect(after).toMatchObject({
      pricePerSec: 10_000n,
      minDurationSec: 60,
      maxDurationSec: 86_400,
      listed: true,
    });
    expect(after?.updatedAt).toBe(before?.updatedAt);
  });

  it("answers NOT_FOUND for an unknown worker", async () => {
    const { m } = await setup(engine);
    expect(codeOf(await m.platform.workers.setPricing(wallet(OWNER_A), "nope", PRICING))).toBe("NOT_FOUND");
    expect(codeOf(await m.platform.workers.setListed(wallet(OWNER_A), "nope", false))).toBe("NOT_FOUND");
    expect(codeOf(await m.platform.workers.setListed(wallet(ADMIN), "nope", true))).toBe("NOT_FOUND");
  });

  it.each<[string, Pricing]>([
    ["a negative price", { ...PRICING, pricePerSec: -1n }],
    ["a price above 1,000,000,000 units/s", { ...PRICING, pricePerSec: 1_000_000_001n }],
    ["a zero minimum duration", { ...PRICING, minDurationSec: 0 }],
    ["a fractional minimum duration", { ...PRICING, minDurationSec: 1.5 }],
    ["a maximum below the minimum", { ...PRICING, minDurationSec: 600, maxDurationSec: 599 }],
    ["a maximum above 7 days", { ...PRICING, maxDurationSec: 604_801 }],
    ["a fractional maximum duration", { ...PRICING, maxDurationSec: 3600.5 }],
  ])("refuses %s with VALIDATION", async (_label, pricing) => {
    const { m, w } = await setup(engine);
    expect(codeOf(await m.platform.workers.setPricing(wallet(OWNER_A), w.id, pricing))).toBe("VALIDATION");
    expect(await m.storage.workers.get(w.id)).toMatchObject({
      pricePerSec: 10_000n,
      minDurationSec: 60,
      maxDurationSec: 86_400,
    });
  });

  it("accepts the bounds of the allowed ranges", async () => {
    const { m, w } = await setup(engine);
    const edges: Pricing = { pricePerSec: 1_000_000_000n, minDurationSec: 1, maxDurationSec: 604_800 };
    unwrap(await m.platform.workers.setPricing(wallet(OWNER_A), w.id, edges));
    unwrap(
      await m.platform.workers.setPricing(wallet(OWNER_A), w.id, {
        pricePerSec: 0n,
        minDurationSec: 60,
        maxDurationSec: 60,
      }),
    );
    expect(await m.storage.workers.get(w.id)).toMatchObject({ pricePerSec: 0n, maxDurationSec: 60 });
  });

  it("applies a new price to new leases only: a running lease keeps its price", async () => {
    const { m, w } = await setup(engine);
    const first = await activeLease(m, w, 600);
    expect(first.pricePerSec).toBe(10_000n);
    unwrap(await m.platform.workers.setPricing(wallet(OWNER_A), w.id, PRICING));
    m.clock.advance(100_000);
    const stopped = unwrap(await m.platform.rental.stop(wallet(RENTER_1), first.leaseId));
    expect(stopped.lease.pricePerSec).toBe(10_000n);
    expect(stopped.settlement).toMatchObject({
      billedSec: 100,
      total: 1_000_000n,
      fee: 50_000n,
      providerAmount: 950_000n,
      refund: 5_000_000n,
    });
    // The worker finishes the lease and is rentable again at the new price.
    await w.status("COMPLETED", first.leaseId);
    await w.status("AVAILABLE");
    m.clock.advance(2000);
    const second = unwrap(
      await m.platform.rental.rent(wallet(RENTER_1), { durationSec: 600, workerId: w.id }),
    );
    expect(second.pricePerSec).toBe(20_000n);
    expect(second.escrow).toBe(12_000_000n);
    expect(await m.available(RENTER_1)).toBe(xnm(1000) - 1_000_000n - 12_000_000n);
    expect(await m.platform.ledgerViolations()).toEqual([]);
  });

  it("applies new duration bounds to rentals", async () => {
    const { m, w } = await setup(engine);
    unwrap(await m.platform.workers.setPricing(wallet(OWNER_A), w.id, PRICING));
    const tooLong = await m.platform.rental.rent(wallet(RENTER_1), { durationSec: 7201, workerId: w.id });
    expect(codeOf(tooLong)).toBe("DURATION_OUT_OF_RANGE");
    const tooShort = await m.platform.rental.rent(wallet(RENTER_1), { durationSec: 29, workerId: w.id });
    expect(codeOf(tooShort)).toBe("DURATION_OUT_OF_RANGE");
    expect(codeOf(await m.platform.rental.rent(wallet(RENTER_1), { durationSec: 30, workerId: w.id }))).toBe(
      "ok",
    );
  });

  it("unlisting stops new rentals but never ends a running lease; relisting restores them", async () => {
    const { m, w } = await setup(engine);
    const lease = await activeLease(m, w, 60);
    expect(unwrap(await m.platform.workers.setListed(wallet(OWNER_A), w.id, false))).toEqual({
      workerId: w.id,
      listed: false,
    });
    expect((await m.storage.workers.get(w.id))?.listed).toBe(false);
    // The lease keeps running and is billed in full at its end.
    await m.elapse(30_000);
    await w.heartbeat();
    expect((await m.storage.leases.get(lease.leaseId))?.state).toBe("active");
    await m.elapse(30_000);
    const ended = await m.storage.leases.get(lease.leaseId);
    expect(ended).toMatchObject({ state: "completed", reason: "expired", billedSec: 60 });
    expect((await m.storage.settlements.get(lease.leaseId))?.total).toBe(600_000n);

    await w.status("COMPLETED", lease.leaseId);
    await w.status("AVAILABLE");
    await w.heartbeat();
    await m.elapse(3000);
    const explicit = await m.platform.rental.rent(wallet(RENTER_1), { durationSec: 60, workerId: w.id });
    expect(codeOf(explicit)).toBe("WORKER_NOT_AVAILABLE");
    const anyWorker = await m.platform.rental.rent(wallet(RENTER_1), { durationSec: 60 });
    expect(codeOf(anyWorker)).toBe("NO_WORKER_AVAILABLE");

    unwrap(await m.platform.workers.setListed(wallet(ADMIN), w.id, true));
    const again = unwrap(await m.platform.rental.rent(wallet(RENTER_1), { durationSec: 60 }));
    expect(again.workerId).toBe(w.id);
    expect(await m.platform.ledgerViolations()).toEqual([]);
  });
});

describe.each(engines)("worker control ($name)", (engine) => {
  it("refuses unknown actions and config on pause/resume/shutdown (VALIDATION)", async () => {
    const { m, w } = await setup(engine);
    const owner = wallet(OWNER_A);
    const before = w.sent().length;
    expect(codeOf(await m.platform.workers.control(owner, { workerId: w.id, action: "reboot" }))).toBe(
      "VALIDATION",
    );
    expect(codeOf(await m.platform.workers.control(owner, { workerId: w.id, action: "PAUSE" }))).toBe(
      "VALIDATION",
    );
    expect(
      codeOf(await m.platform.workers.control(owner, { workerId: w.id, action: "pause", config: { a: 1 } })),
    ).toBe("VALIDATION");
    expect(w.sent()).toHaveLength(before);
  });

  it.each<[string, Record<string, unknown>]>([
    ["difficulty 0", { difficulty: 0 }],
    ["difficulty as a string", { difficulty: "8" }],
    ["a short address", { address: "0x1234" }],
    ["an uppercase prefix", { prefix: "ABCDEF" }],
    ["a 17-char block pattern", { block_pattern: "A".repeat(17) }],
    ["an unknown field", { verbose: true }],
  ])("refuses set_config with %s (VALIDATION), sending nothing", async (_label, config) => {
    const { m, w } = await setup(engine);
    const before = w.sent().length;
    const r = await m.platform.workers.control(wallet(OWNER_A), {
      workerId: w.id,
      action: "set_config",
      config,
    });
    expect(codeOf(r)).toBe("VALIDATION");
    expect(w.sent()).toHaveLength(before);
    expect((await m.storage.workers.get(w.id))?.pendingControl).toBeNull();
  });

  it("needs an explicit confirmation for shutdown (CONFIRMATION_REQUIRED)", async () => {
    const { m, w } = await setup(engine);
    const before = w.sent().length;
    for (const confirm of [undefined, false]) {
      const r = await m.platform.workers.control(wallet(OWNER_A), {
        workerId: w.id,
        action: "shutdown",
        ...(confirm !== undefined && { confirm }),
      });
      expect(codeOf(r)).toBe("CONFIRMATION_REQUIRED");
    }
    expect(w.sent()).toHaveLength(before);
    const sent = unwrap(
      await m.platform.workers.control(wallet(OWNER_A), {
        workerId: w.id,
        action: "shutdown",
        confirm: true,
      }),
    );
    expect(sent).toEqual({ status: "sent", workerId: w.id, action: "shutdown" });
    expect(w.sent().at(-1)).toEqual({ action: "shutdown", config: {} });
  });

  it("is refused to anyone but the owner or an admin (FORBIDDEN), and to unknown workers (NOT_FOUND)", async () => {
    const { m, w } = await setup(engine);
    const before = w.sent().length;
    for (const actor of [wallet(OWNER_B), wallet(RENTER_1)]) {
      expect(codeOf(await m.platform.workers.control(actor, { workerId: w.id, action: "pause" }))).toBe(
        "FORBIDDEN",
      );
    }
    expect(
      codeOf(await m.platform.workers.control(wallet(ADMIN), { workerId: "ghost", action: "pause" })),
    ).toBe("NOT_FOUND");
    expect(w.sent()).toHaveLength(before);
    const byAdmin = unwrap(
      await m.platform.workers.control(wallet(ADMIN), { workerId: w.id, action: "pause" }),
    );
    expect(byAdmin.status).toBe("sent");
  });

  it("refuses an offline worker (WORKER_OFFLINE)", async () => {
    const { m, w } = await setup(engine);
    await m.elapse(95_000, 5000);
    expect((await m.storage.workers.get(w.id))?.online).toBe(false);
    const before = w.sent().length;
    const r = await m.platform.workers.control(wallet(OWNER_A), { workerId: w.id, action: "pause" });
    expect(codeOf(r)).toBe("WORKER_OFFLINE");
    expect(w.sent()).toHaveLength(before);
  });

  it("sends resume only when the known state is IDLE (else WORKER_BUSY)", async () => {
    const { m, w } = await setup(engine);
    const r = await m.platform.workers.control(wallet(OWNER_A), { workerId: w.id, action: "resume" });
    expect(codeOf(r)).toBe("WORKER_BUSY");
    expect(controls(w)).toEqual([]);

    unwrap(await m.platform.workers.control(wallet(OWNER_A), { workerId: w.id, action: "pause" }));
    await w.status("IDLE");
    m.clock.advance(2000);
    const resumed = unwrap(
      await m.platform.workers.control(wallet(OWNER_A), { workerId: w.id, action: "resume" }),
    );
    expect(resumed).toEqual({ status: "sent", workerId: w.id, action: "resume" });
    expect(w.sent().at(-1)).toEqual({ action: "resume", config: {} });
  });

  it("sends pause straight away to an idle AVAILABLE worker", async () => {
    const { m, w } = await setup(engine);
    const r = unwrap(await m.platform.workers.control(wallet(OWNER_A), { workerId: w.id, action: "pause" }));
    expect(r).toEqual({ status: "sent", workerId: w.id, action: "pause" });
    expect(w.sent().at(-1)).toEqual({ action: "pause", config: {} });
    expect((await m.storage.workers.get(w.id))?.pendingControl).toBeNull();
  });

  it("sends a validated set_config with its fields in canonical order", async () => {
    const { m, w } = await setup(engine);
    const config = { block_pattern: "XN", prefix: "0123abcd", difficulty: 8 };
    const r = unwrap(
      await m.platform.workers.control(wallet(OWNER_A), { workerId: w.id, action: "set_config", config }),
    );
    expect(r.status).toBe("sent");
    const sent = w.sent().at(-1);
    expect(sent).toEqual({
      action: "set_config",
      config: { difficulty: 8, prefix: "0123abcd", block_pattern: "XN" },
    });
    expect(JSON.stringify(sent)).toBe(
      '{"action":"set_config","config":{"difficulty":8,"prefix":"0123abcd","block_pattern":"XN"}}',
    );
  });

  it("keeps 2 s between consecutive messages to a worker (H4), also for a direct control", async () => {
    const m = await marketplace(await engine.create());
    const w = m.worker("a1b2c3d4e5f60718");
    await w.join();
    // The register_ack went out just now.
    expect(w.sent().at(-1)).toEqual({ command: "register_ack", accepted: true });
    const r = unwrap(await m.platform.workers.control(wallet(OWNER_A), { workerId: w.id, action: "pause" }));
    // Regression: a direct control once went out in the same instant as the register_ack; the worker
    // handles both on concurrent threads, so the ack could undo the pause. worker-protocol H4:
    // "≥ 2 s between consecutive messages to it".
    expect(w.sent().at(-1)).toEqual({ command: "register_ack", accepted: true });
    expect(r.status).toBe("queued");
    await m.elapse(2000);
    expect(w.sent().at(-1)).toEqual({ action: "pause", config: {} });
  });

  it("queues actions in order behind one still waiting, each 2 s apart: none replaces another", async () => {
    const { m, w } = await setup(engine);
    const owner = wallet(OWNER_A);
    const control = (action: string, config?: Record<string, unknown>) =>
      m.platform.workers.control(owner, { workerId: w.id, action, ...(config && { config }) });
    expect(unwrap(await control("set_config", { prefix: "aa" })).status).toBe("sent");
    expect(unwrap(await control("set_config", { prefix: "bb" })).status).toBe("queued");
    expect(unwrap(await control("pause")).status).toBe("queued");
    await m.elapse(10_000);
    expect(controls(w)).toEqual([
      { action: "set_config", config: { prefix: "aa" } },
      { action: "set_config", config: { prefix: "bb" } },
      { action: "pause", config: {} },
    ]);
    expect((await m.storage.workers.get(w.id))?.pendingControl).toBeNull();
  });

  it("holds a queued action back while the worker is rented after it was queued, until that lease ends", async () => {
    const { m, w } = await setup(engine);
    const owner = wallet(OWNER_A);
    expect(
      unwrap(
        await m.platform.workers.control(owner, {
          workerId: w.id,
          action: "set_config",
          config: { difficulty: 9 },
        }),
      ).status,
    ).toBe("sent");
    expect(unwrap(await m.platform.workers.control(owner, { workerId: w.id, action: "pause" })).status).toBe(
      "queued",
    );
    // A renter gets in before the queued pause is due (matching does not wait for queued actions).
    m.clock.advance(2500);
    const lease = unwrap(await m.platform.rental.rent(wallet(RENTER_1), { durationSec: 60, workerId: w.id }));
    await w.confirm(lease.leaseId);
    await m.elapse(20_000);
    // Not a word to the worker mid-lease: the lease runs on.
    expect(controls(w).map((c) => (c as { action: string }).action)).toEqual(["set_config"]);
    expect((await m.storage.leases.get(lease.leaseId))?.state).toBe("active");
    // The lease ends (the platform's expiry); the pause goes out once the worker is back AVAILABLE and
    // 10 s after the end.
    await m.elapse(45_000);
    expect((await m.storage.leases.get(lease.leaseId))?.state).toBe("completed");
    await w.status("COMPLETED", lease.leaseId);
    await w.status("AVAILABLE");
    await m.elapse(12_000);
    expect(controls(w).map((c) => (c as { action: string }).action)).toEqual(["set_config", "pause"]);
  });

  it("refuses what would queue behind a shutdown, and a refused action never ends a lease", async () => {
    const { m, w } = await setup(engine);
    const owner = wallet(OWNER_A);
    const lease = await activeLease(m, w);
    // The shutdown ends the lease first and waits for the release.
    const shutdown = unwrap(
      await m.platform.workers.control(owner, { workerId: w.id, action: "shutdown", confirm: true }),
    );
    expect(shutdown).toMatchObject({ status: "queued", endedLeaseId: lease.leaseId });
    const after = await m.platform.workers.control(owner, {
      workerId: w.id,
      action: "set_config",
      config: {},
    });
    expect(codeOf(after)).toBe("WORKER_BUSY");
  });

  it("refuses a full queue before touching a running lease", async () => {
    const { m, w } = await setup(engine);
    const owner = wallet(OWNER_A);
    for (let i = 0; i < 11; i++) {
      unwrap(
        await m.platform.workers.control(owner, {
          workerId: w.id,
          action: "set_config",
          config: { difficulty: 10 + i },
        }),
      );
    }
    // Rented meanwhile (the first action went out; ten wait).
    m.clock.advance(2500);
    const lease = unwrap(
      await m.platform.rental.rent(wallet(RENTER_1), { durationSec: 600, workerId: w.id }),
    );
    await w.confirm(lease.leaseId);
    const refused = await m.platform.workers.control(owner, { workerId: w.id, action: "pause" });
    expect(codeOf(refused)).toBe("WORKER_BUSY");
    expect((await m.storage.leases.get(lease.leaseId))?.state).toBe("active");
  });

  it("refuses an action when 10 are already waiting (WORKER_BUSY), and sends every accepted one", async () => {
    const { m, w } = await setup(engine);
    const owner = wallet(OWNER_A);
    const difficulties = Array.from({ length: 11 }, (_, i) => 100 + i);
    const answers = [];
    for (const difficulty of difficulties) {
      answers.push(
        codeOf(
          await m.platform.workers.control(owner, {
            workerId: w.id,
            action: "set_config",
            config: { difficulty },
          }),
        ),
      );
    }
    // The first goes out at once and ten wait; a twelfth finds the queue full.
    expect(answers).toEqual(Array(11).fill("ok"));
    const busy = await m.platform.workers.control(owner, { workerId: w.id, action: "pause" });
    expect(codeOf(busy)).toBe("WORKER_BUSY");
    await m.elapse(30_000);
    expect(controls(w).map((c) => (c as { config: { difficulty?: number } }).config.difficulty)).toEqual(
      difficulties,
    );
  });

  it("ends an active lease first (interrupted, provider_action, billed to the last good heartbeat) and sends release", async () => {
    const { m, w } = await setup(engine);
    const lease = await activeLease(m, w);
    m.clock.advance(30_000);
    await w.heartbeat(); // last good heartbeat: 30 s after confirmation
    await m.platform.jobs.flushHeartbeats();
    m.clock.advance(20_500);
    const endedAt = m.clock.now();

    const r = unwrap(await m.platform.workers.control(wallet(OWNER_A), { workerId: w.id, action: "pause" }));
    expect(r).toEqual({ status: "queued", workerId: w.id, action: "pause", endedLeaseId: lease.leaseId });
    expect(await m.storage.leases.get(lease.leaseId)).toMatchObject({
      state: "interrupted",
      reason: "provider_action",
      billedSec: 30,
      endedAt,
    });
    expect(await m.storage.settlements.get(lease.leaseId)).toMatchObject({
      state: "interrupted",
      billedSec: 30,
      total: 300_000n,
      fee: 15_000n,
      providerAmount: 285_000n,
      refund: 35_700_000n,
    });
    expect(await m.available(RENTER_1)).toBe(xnm(1000) - 300_000n);
    expect(await m.available(OWNER_A)).toBe(285_000n);
    expect(await m.platform.ledgerViolations()).toEqual([]);
    expect(w.sent().at(-1)).toEqual({ command: "release", lease_id: lease.leaseId });
    expect(controls(w)).toEqual([]);
    expect((await m.storage.workers.get(w.id))?.pendingControl).toMatchObject({
      action: "pause",
      config: {},
      notBefore: endedAt + 10_000,
    });
    // Nothing goes out while the worker has not answered the release.
    await m.elapse(5000);
    expect(controls(w)).toEqual([]);
    expect(w.sent().at(-1)).toEqual({ command: "release", lease_id: lease.leaseId });
  });

  it("sends the queued pause only after the worker reports AVAILABLE and 10 s after the lease end", async () => {
    const { m, w } = await setup(engine);
    const lease = await activeLease(m, w);
    m.clock.advance(20_000);
    const endedAt = m.clock.now();
    unwrap(await m.platform.workers.control(wallet(OWNER_A), { workerId: w.id, action: "pause" }));
    await m.elapse(3000);
    expect(controls(w)).toEqual([]);
    await w.status("COMPLETED", lease.leaseId);
    expect(controls(w)).toEqual([]);
    // Regression: the AVAILABLE handler once took the worker's (non-re-entrant) lock twice and hung.
    // worker-protocol H13 / §5.4: "wait for AVAILABLE (≤ 30 s), then send the action".
    await settles(w.status("AVAILABLE"), DEADLOCK_NOTE);
    // AVAILABLE, but still within 10 s of the lease end: pause waits (H13).
    expect(controls(w)).toEqual([]);
    await m.elapse(6000);
    expect(m.clock.now()).toBe(endedAt + 9000);
    expect(controls(w)).toEqual([]);
    await m.elapse(1000);
    expect(controls(w)).toEqual([{ action: "pause", config: {} }]);
    expect((await m.storage.workers.get(w.id))?.pendingControl).toBeNull();
    await m.elapse(5000);
    expect(controls(w)).toHaveLength(1);
    expect((await m.storage.leases.get(lease.leaseId))?.reason).toBe("provider_action");
    expect(await m.platform.ledgerViolations()).toEqual([]);
  });

  it("bills an interrupted lease with no heartbeat since confirmation for 0 s", async () => {
    const { m, w } = await setup(engine);
    const lease = await activeLease(m, w);
    m.clock.advance(25_000);
    const r = unwrap(
      await m.platform.workers.control(wallet(ADMIN), {
        workerId: w.id,
        action: "set_config",
        config: { difficulty: 8 },
      }),
    );
    expect(r.endedLeaseId).toBe(lease.leaseId);
    expect(await m.storage.settlements.get(lease.leaseId)).toMatchObject({
      billedSec: 0,
      total: 0n,
      refund: 36_000_000n,
    });
    expect(await m.available(RENTER_1)).toBe(xnm(1000));
  });

  it("sends a queued set_config once the worker reports AVAILABLE after the release", async () => {
    const { m, w } = await setup(engine);
    const lease = await activeLease(m, w);
    m.clock.advance(10_000);
    const r = unwrap(
      await m.platform.workers.control(wallet(OWNER_A), {
        workerId: w.id,
        action: "set_config",
        config: { difficulty: 8 },
      }),
    );
    expect(r).toMatchObject({ status: "queued", endedLeaseId: lease.leaseId });
    expect(w.sent().at(-1)).toEqual({ command: "release", lease_id: lease.leaseId });
    await m.elapse(5000);
    expect(controls(w)).toEqual([]);
    await w.status("COMPLETED", lease.leaseId);
    expect(controls(w)).toEqual([]);
    // Regression: the same lock re-entry as above.
    await settles(w.status("AVAILABLE"), DEADLOCK_NOTE);
    expect(w.sent().at(-1)).toEqual({ action: "set_config", config: { difficulty: 8 } });
    expect(controls(w)).toHaveLength(1);
  });

  it("sends the queued action after the 30 s release wait when the worker never answers", async () => {
    const { m, w } = await setup(engine);
    const lease = await activeLease(m, w);
    m.clock.advance(10_000);
    const endedAt = m.clock.now();
    unwrap(await m.platform.workers.control(wallet(OWNER_A), { workerId: w.id, action: "pause" }));
    expect(w.sent().at(-1)).toEqual({ command: "release", lease_id: lease.leaseId });
    await m.elapse(15_000);
    await w.heartbeat(); // still online, still silent about its state
    await m.elapse(14_000);
    expect(m.clock.now()).toBe(endedAt + 29_000);
    expect(controls(w)).toEqual([]);
    await m.elapse(1000);
    expect(controls(w)).toEqual([{ action: "pause", config: {} }]);
    expect((await m.storage.workers.get(w.id))?.pendingControl).toBeNull();
  });

  it("never sends pause within 10 s of a lease end, even with no lease left to end (H13)", async () => {
    const { m, w } = await setup(engine);
    const lease = await activeLease(m, w);
    m.clock.advance(20_000);
    unwrap(await m.platform.rental.stop(wallet(RENTER_1), lease.leaseId));
    const endedAt = m.clock.now();
    await w.status("COMPLETED", lease.leaseId);
    await w.status("AVAILABLE");
    m.clock.advance(3000);
    const r = unwrap(await m.platform.workers.control(wallet(OWNER_A), { workerId: w.id, action: "pause" }));
    expect(r).toEqual({ status: "queued", workerId: w.id, action: "pause" });
    await m.elapse(6000);
    expect(controls(w)).toEqual([]);
    await m.elapse(1000);
    expect(m.clock.now()).toBe(endedAt + 10_000);
    expect(controls(w)).toEqual([{ action: "pause", config: {} }]);
  });

  it("queues a control while a release is still outstanding", async () => {
    const { m, w } = await setup(engine);
    const lease = await activeLease(m, w);
    m.clock.advance(20_000);
    unwrap(await m.platform.rental.stop(wallet(RENTER_1), lease.leaseId));
    m.clock.advance(3000);
    const r = unwrap(
      await m.platform.workers.control(wallet(OWNER_A), {
        workerId: w.id,
        action: "set_config",
        config: { difficulty: 9 },
      }),
    );
    expect(r).toEqual({ status: "queued", workerId: w.id, action: "set_config" });
    expect(controls(w)).toEqual([]);
    // The worker never answers the release: the action goes out once the 30 s release wait passed.
    await m.elapse(26_000);
    expect(controls(w)).toEqual([]);
    await m.elapse(1000);
    expect(controls(w)).toEqual([{ action: "set_config", config: { difficulty: 9 } }]);
  });

  it("writes an admin's control action to the audit log", async () => {
    const { m, w } = await setup(engine);
    const auditBefore = (await m.storage.audit.list({ limit: 100 })).items.length;
    unwrap(await m.platform.workers.control(wallet(ADMIN), { workerId: w.id, action: "pause" }));
    const audit = (await m.storage.audit.list({ limit: 100 })).items;
    // platform-rules §11: "Every admin action is written to an audit log (who, what, target, when, result)".
    expect(audit).toHaveLength(auditBefore + 1);
    expect(audit[0]).toMatchObject({ actor: ADMIN.toLowerCase(), target: w.id });
  });
});

describe.each(engines)("broadcast ($name)", (engine) => {
  it("sends to idle online workers, skips leased ones, and reports offline ones only with onlineOnly: false", async () => {
    const { m, w: idle } = await setup(engine);
    const leased = m.worker("b1b2c3d4e5f60718");
    const offline = m.worker("c1b2c3d4e5f60718");
    await leased.join();
    await offline.join();
    m.clock.advance(3000); // past the register_ack's settle gap
    await activeLease(m, leased);
    await offline.will();
    expect((await m.storage.workers.get(offline.id))?.online).toBe(false);
    m.clock.advance(3000);

    const byDefault = unwrap(await m.platform.workers.broadcast(wallet(ADMIN), { action: "pause" }));
    expect(byDefault.workers).toEqual([idle.id]);
    expect(byDefault.skipped).toEqual([{ workerId: leased.id, reason: "leased" }]);
    expect(controls(idle).at(-1)).toMatchObject({ action: "pause" });
    expect(controls(leased)).toEqual([]);
    expect(controls(offline)).toEqual([]);

    m.clock.advance(3000);
    const everyone = unwrap(
      await m.platform.workers.broadcast(wallet(ADMIN), {
        action: "set_config",
        config: {},
        onlineOnly: false,
      }),
    );
    expect(everyone.skipped).toEqual(
      expect.arrayContaining([
        { workerId: leased.id, reason: "leased" },
        { workerId: offline.id, reason: "offline" },
      ]),
    );
    expect(everyone.workers).not.toContain(offline.id);
    expect(controls(offline)).toEqual([]);
    expect(codeOf(await m.platform.workers.broadcast(wallet(OWNER_A), { action: "pause" }))).toBe(
      "FORBIDDEN",
    );
  });
});

describe.each(engines)("worker bans ($name)", (engine) => {
  it("is admin-only (FORBIDDEN), and NOT_FOUND for unknown workers", async () => {
    const { m, w } = await setup(engine);
    for (const actor of [wallet(OWNER_A), wallet(RENTER_1)]) {
      expect(codeOf(await m.platform.workers.setBanned(actor, w.id, true, "x"))).toBe("FORBIDDEN");
    }
    expect((await m.storage.workers.get(w.id))?.banned).toBe(false);
    expect(codeOf(await m.platform.workers.setBanned(wallet(ADMIN), "ghost", true))).toBe("NOT_FOUND");
    // Only the fund() credit is audited so far.
    const audit = (await m.storage.audit.list({ limit: 10 })).items;
    expect(audit.map((a) => a.action)).toEqual(["credit"]);
  });

  it("interrupts a running lease, refuses registers, ignores heartbeats and rentals; unban restores it", async () => {
    const { m, w } = await setup(engine);
    const lease = await activeLease(m, w);
    m.clock.advance(30_000);
    await w.heartbeat();
    m.clock.advance(12_000);

    // A non-admin's attempt changes nothing.
    expect(codeOf(await m.platform.workers.setBanned(wallet(OWNER_A), w.id, true))).toBe("FORBIDDEN");
    expect((await m.storage.leases.get(lease.leaseId))?.state).toBe("active");

    const banned = unwrap(await m.platform.workers.setBanned(wallet(ADMIN), w.id, true, "abuse"));
    expect(banned).toEqual({ workerId: w.id, banned: true });
    expect(await m.storage.workers.get(w.id)).toMatchObject({ banned: true, banReason: "abuse" });
    expect(await m.storage.leases.get(lease.leaseId)).toMatchObject({
      state: "interrupted",
      reason: "provider_action",
      billedSec: 30,
    });
    expect((await m.storage.settlements.get(lease.leaseId))?.total).toBe(300_000n);
    expect(w.sent().at(-1)).toEqual({ command: "release", lease_id: lease.leaseId });
    expect(await m.platform.ledgerViolations()).toEqual([]);

    // Every register is refused.
    expect(await w.register()).toEqual({ accepted: false, reason: "banned" });
    expect(w.sent().at(-1)).toEqual({ command: "register_ack", accepted: false, reason: "banned" });
    m.clock.advance(5000);
    await w.register();
    expect(w.sent().at(-1)).toEqual({ command: "register_ack", accepted: false, reason: "banned" });
    expect(m.platform.counters.get("register_rejected_total", "banned")).toBe(2);

    // Heartbeats are ignored.
    const seenBefore = (await m.platform.fleet.getWorker(w.id))?.lastSeenAt;
    m.clock.advance(1000);
    expect(await w.heartbeat(9999)).toEqual({ accepted: false, reason: "banned" });
    expect(m.platform.counters.get("heartbeat_ignored_total", "banned")).toBe(1);
    await m.platform.jobs.flushHeartbeats();
    const stored = await m.platform.fleet.getWorker(w.id);
    expect(stored?.lastSeenAt).toBe(seenBefore);
    expect(stored?.hashrate).not.toBe(9999);

    // It cannot be rented.
    await w.status("AVAILABLE");
    m.clock.advance(3000);
    expect(
      codeOf(await m.platform.rental.rent(wallet(RENTER_2), { durationSec: 60, workerId: w.id })),
    ).not.toBe("ok");
    await m.fund(RENTER_2, 100);
    expect(codeOf(await m.platform.rental.rent(wallet(RENTER_2), { durationSec: 60 }))).toBe(
      "NO_WORKER_AVAILABLE",
    );
    expect(codeOf(await m.platform.rental.rent(wallet(RENTER_2), { durationSec: 60, workerId: w.id }))).toBe(
      "WORKER_NOT_AVAILABLE",
    );

    // Unban: the next register is accepted and the worker is rentable again.
    m.clock.advance(1000);
    expect(unwrap(await m.platform.workers.setBanned(wallet(ADMIN), w.id, false))).toEqual({
      workerId: w.id,
      banned: false,
    });
    expect(await m.storage.workers.get(w.id)).toMatchObject({ banned: false, banReason: null });
    expect(await w.register()).toEqual({ accepted: true });
    expect(w.sent().at(-1)).toEqual({ command: "register_ack", accepted: true });
    await w.status("AVAILABLE");
    expect(await w.heartbeat()).toEqual({ accepted: true });
    await m.platform.jobs.flushHeartbeats();
    m.clock.advance(2000);
    const again = unwrap(await m.platform.rental.rent(wallet(RENTER_2), { durationSec: 60, workerId: w.id }));
    expect(again.state).toBe("pending");

    const audit = (await m.storage.audit.list({ limit: 10 })).items;
    const banEntries = audit.filter((a) => a.action === "ban" || a.action === "unban");
    expect(banEntries).toEqual([
      expect.objectContaining({ action: "unban", actor: ADMIN.toLowerCase(), target: w.id }),
      expect.objectContaining({ action: "ban", actor: ADMIN.toLowerCase(), target: w.id, result: "abuse" }),
    ]);
    expect(await m.platform.ledgerViolations()).toEqual([]);
  });

  it("cancels a pending lease with a full refund when the worker is banned", async () => {
    const { m, w } = await setup(engine);
    const lease = unwrap(
      await m.platform.rental.rent(wallet(RENTER_1), { durationSec: 600, workerId: w.id }),
    );
    unwrap(await m.platform.workers.setBanned(wallet(ADMIN), w.id, true));
    expect(await m.storage.leases.get(lease.leaseId)).toMatchObject({ state: "cancelled" });
    expect((await m.storage.settlements.get(lease.leaseId))?.refund).toBe(lease.escrow);
    expect(await m.available(RENTER_1)).toBe(xnm(1000));
    expect(await m.platform.ledgerViolations()).toEqual([]);
  });
});
