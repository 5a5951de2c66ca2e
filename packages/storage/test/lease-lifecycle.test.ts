/** Every lease transition of platform-rules §4.1, driven the way the real worker drives it. */
import { formatMoney, unwrap } from "@xenblocks/core";
import { describe, expect, it } from "vitest";
import { engines } from "./engines.js";
import { ADMIN, blockKey, marketplace, OWNER_A, RENTER_1, RENTER_2, wallet } from "./harness.js";

const PRICE = 10_000n; // default units/s

describe.each(engines)("lease lifecycle ($name)", (engine) => {
  async function rented(durationSec = 3600) {
    const m = await marketplace(await engine.create());
    const w = m.worker("776536cd9695ca58");
    await w.join();
    await m.fund(RENTER_1, 100);
    m.clock.advance(3000);
    const lease = unwrap(await m.platform.rental.rent(wallet(RENTER_1), { durationSec }));
    return { m, w, lease };
  }
  async function active(durationSec = 3600) {
    const r = await rented(durationSec);
    await r.w.confirm(r.lease.leaseId);
    return r;
  }
  const settlementOf = async (m: Awaited<ReturnType<typeof rented>>["m"], leaseId: string) =>
    m.storage.settlements.get(leaseId);

  it("rents, confirms, mines, stops and settles with exact amounts (platform-rules §4.3 example)", async () => {
    const { m, w, lease } = await rented();
    expect(lease.state).toBe("pending");
    expect(lease.escrow).toBe(36_000_000n);
    expect(lease.prefix).toMatch(/^[0-9a-f]{16}$/);
    expect(await m.available(RENTER_1)).toBe(64_000_000n);
    expect(w.sent().at(-1)).toEqual({
      command: "assign_task",
      lease_id: lease.leaseId,
      consumer_id: RENTER_1,
      consumer_address: RENTER_1,
      prefix: lease.prefix,
      duration_sec: 3600,
    });
    await w.confirm(lease.leaseId);
    expect((await m.storage.leases.get(lease.leaseId))?.state).toBe("active");
    const r = await w.block({ key: blockKey(lease.prefix, 1), account: RENTER_1, lease_id: lease.leaseId });
    expect(r).toMatchObject({ accepted: true });
    m.clock.advance(1_234_900);
    const stopped = unwrap(await m.platform.rental.stop(wallet(RENTER_1), lease.leaseId));
    expect(stopped.lease).toMatchObject({ state: "completed", reason: "stopped", billedSec: 1234 });
    expect(stopped.settlement).toMatchObject({
      billedSec: 1234,
      total: 12_340_000n,
      fee: 617_000n,
      providerAmount: 11_723_000n,
      refund: 23_660_000n,
      feeBps: 500,
    });
    expect(formatMoney(await m.available(RENTER_1))).toBe("87.660000");
    expect(await m.available(OWNER_A)).toBe(11_723_000n);
    expect(w.sent().at(-1)).toEqual({ command: "release", lease_id: lease.leaseId });
    expect(await m.platform.ledgerViolations()).toEqual([]);
  });

  it("bills from the MINING confirmation, not from the rent", async () => {
    const { m, w, lease } = await rented();
    m.clock.advance(20_000);
    await w.confirm(lease.leaseId);
    m.clock.advance(100_000);
    const { settlement } = unwrap(await m.platform.rental.stop(wallet(RENTER_1), lease.leaseId));
    expect(settlement.billedSec).toBe(100);
    expect(settlement.total).toBe(100n * PRICE);
  });

  it("cancels an unconfirmed lease after 30 s with a full refund and marks the worker suspect", async () => {
    const { m, w, lease } = await rented();
    await w.status("LEASED");
    await m.elapse(29_000);
    expect((await m.storage.leases.get(lease.leaseId))?.state).toBe("pending");
    await m.elapse(1_000);
    const ended = await m.storage.leases.get(lease.leaseId);
    expect(ended).toMatchObject({ state: "cancelled", reason: "assign_timeout", billedSec: 0 });
    expect(await m.available(RENTER_1)).toBe(100_000_000n);
    expect((await m.storage.workers.get(w.id))?.suspect).toBe(true);
    // LEASED was its last status: it may hold the lease, so it is released.
    expect(w.sent().at(-1)).toEqual({ command: "release", lease_id: lease.leaseId });
    // Suspect workers are not matched until their next AVAILABLE.
    await m.fund(RENTER_2, 100);
    const refused = await m.platform.rental.rent(wallet(RENTER_2), { durationSec: 60, workerId: w.id });
    expect(refused.ok || refused.error.code).toBe("WORKER_NOT_AVAILABLE");
    await w.status("COMPLETED", lease.leaseId);
    await w.status("AVAILABLE");
    m.clock.advance(3000);
    expect((await m.platform.rental.rent(wallet(RENTER_2), { durationSec: 60, workerId: w.id })).ok).toBe(
      true,
    );
    expect((await m.storage.workers.get(w.id))?.leasesFailed).toBe(1);
  });

  it.each(["ERROR", "IDLE"] as const)("cancels a pending lease when the worker reports %s", async (state) => {
    const { m, w, lease } = await rented();
    await w.status(state);
    expect(await m.storage.leases.get(lease.leaseId)).toMatchObject({
      state: "cancelled",
      reason: "worker_failed",
    });
    expect(await m.available(RENTER_1)).toBe(100_000_000n);
  });

  it("cancels a pending lease when the worker registers again", async () => {
    const { m, w, lease } = await rented();
    await w.register();
    expect(await m.storage.leases.get(lease.leaseId)).toMatchObject({
      state: "cancelled",
      reason: "worker_failed",
    });
    expect(w.sent().at(-1)).toEqual({ command: "register_ack", accepted: true });
  });

  it("a renter stop of a pending lease cancels it with a full refund", async () => {
    const { m, lease } = await rented();
    const { lease: ended, settlement } = unwrap(
      await m.platform.rental.stop(wallet(RENTER_1), lease.leaseId),
    );
    expect(ended).toMatchObject({ state: "cancelled", reason: "stopped" });
    expect(settlement).toMatchObject({ total: 0n, refund: 36_000_000n, fee: 0n, providerAmount: 0n });
    expect(await m.available(RENTER_1)).toBe(100_000_000n);
  });

  it("an admin may stop any lease; anyone else is refused before anything changes", async () => {
    const { m, lease } = await active();
    const other = await m.platform.rental.stop(wallet(RENTER_2), lease.leaseId);
    expect(other.ok || other.error.code).toBe("FORBIDDEN");
    expect((await m.storage.leases.get(lease.leaseId))?.state).toBe("active");
    expect((await m.platform.rental.stop(wallet(ADMIN), lease.leaseId)).ok).toBe(true);
  });

  it("a second stop is refused and settles nothing twice", async () => {
    const { m, lease } = await active();
    m.clock.advance(10_000);
    unwrap(await m.platform.rental.stop(wallet(RENTER_1), lease.leaseId));
    const again = await m.platform.rental.stop(wallet(RENTER_1), lease.leaseId);
    expect(again.ok || again.error.code).toBe("LEASE_NOT_ACTIVE");
    const missing = await m.platform.rental.stop(wallet(RENTER_1), "lease-missing");
    expect(missing.ok || missing.error.code).toBe("NOT_FOUND");
    expect(await m.available(RENTER_1)).toBe(100_000_000n - 10n * PRICE);
    expect(await m.platform.ledgerViolations()).toEqual([]);
  });

  it("concurrent stops of one lease settle it exactly once", async () => {
    const { m, lease } = await active();
    m.clock.advance(50_000);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => m.platform.rental.stop(wallet(RENTER_1), lease.leaseId)),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(await m.available(OWNER_A)).toBe((50n * PRICE * 9500n) / 10000n);
    expect(await m.platform.ledgerViolations()).toEqual([]);
  });

  it("completes at the contracted end, billed for the full duration", async () => {
    const { m, w, lease } = await active(120);
    for (let i = 0; i < 4; i++) {
      await m.elapse(30_000, 5000);
      await w.heartbeat();
    }
    const ended = await m.storage.leases.get(lease.leaseId);
    expect(ended).toMatchObject({ state: "completed", reason: "expired", billedSec: 120 });
    expect((await settlementOf(m, lease.leaseId))?.total).toBe(120n * PRICE);
    expect(w.sent().at(-1)).toEqual({ command: "release", lease_id: lease.leaseId });
  });

  it("the worker's own COMPLETED near the end completes the lease without a release", async () => {
    const { m, w, lease } = await active(120);
    m.clock.advance(115_000);
    await w.heartbeat();
    const sentBefore = w.sent().length;
    await w.status("COMPLETED", lease.leaseId);
    const ended = await m.storage.leases.get(lease.leaseId);
    expect(ended).toMatchObject({ state: "completed", reason: "worker_expired", billedSec: 115 });
    expect(w.sent()).toHaveLength(sentBefore);
    expect((await m.storage.workers.get(w.id))?.leasesCompleted).toBe(1);
  });

  it("an early COMPLETED interrupts the lease, billed to the last good heartbeat", async () => {
    const { m, w, lease } = await active(3600);
    m.clock.advance(30_000);
    await w.heartbeat();
    m.clock.advance(20_000);
    await w.status("COMPLETED", lease.leaseId);
    const ended = await m.storage.leases.get(lease.leaseId);
    expect(ended).toMatchObject({ state: "interrupted", reason: "worker_state", billedSec: 30 });
  });

  it.each(["AVAILABLE", "IDLE", "ERROR", "LEASED"] as const)(
    "an active lease is interrupted when the worker reports %s",
    async (state) => {
      const { m, w, lease } = await active();
      m.clock.advance(30_000);
      await w.heartbeat();
      m.clock.advance(12_000);
      await w.status(state);
      const ended = await m.storage.leases.get(lease.leaseId);
      expect(ended).toMatchObject({ state: "interrupted", reason: "worker_state", billedSec: 30 });
      expect((await m.storage.workers.get(w.id))?.leasesFailed).toBe(1);
    },
  );

  it("MINING for another lease id interrupts the lease and releases the stranger", async () => {
    const { m, w, lease } = await active();
    await w.status("MINING", "lease-someone-else");
    expect((await m.storage.leases.get(lease.leaseId))?.state).toBe("interrupted");
    expect(w.sent().at(-1)).toEqual({ command: "release", lease_id: "lease-someone-else" });
  });

  it("a register during an active lease interrupts it", async () => {
    const { m, w, lease } = await active();
    m.clock.advance(31_000);
    await w.heartbeat();
    await w.register();
    expect(await m.storage.leases.get(lease.leaseId)).toMatchObject({
      state: "interrupted",
      reason: "worker_state",
      billedSec: 31,
    });
  });

  it("a worker silent for 90 s is offline and its lease interrupted at the last good heartbeat", async () => {
    const { m, w, lease } = await active();
    await m.elapse(30_000, 5000);
    await w.heartbeat();
    await m.elapse(85_000, 5000);
    expect((await m.storage.leases.get(lease.leaseId))?.state).toBe("active");
    await m.elapse(10_000, 5000);
    const ended = await m.storage.leases.get(lease.leaseId);
    expect(ended).toMatchObject({ state: "interrupted", reason: "worker_offline", billedSec: 30 });
    expect((await m.storage.workers.get(w.id))?.online).toBe(false);
    const settlement = await settlementOf(m, lease.leaseId);
    expect(settlement).toMatchObject({ total: 30n * PRICE, fee: 15_000n, providerAmount: 285_000n });
    // It comes back without re-registering, still mining for the lease: the owed release goes out.
    await w.heartbeat();
    expect((await m.storage.workers.get(w.id))?.online).toBe(true);
    expect(w.sent().at(-1)).toEqual({ command: "release", lease_id: lease.leaseId });
  });

  it("the Last Will interrupts the lease; a retained replay of it is ignored", async () => {
    const { m, w, lease } = await active();
    expect(await w.will(true)).toEqual({ accepted: false, reason: "retained" });
    expect((await m.storage.leases.get(lease.leaseId))?.state).toBe("active");
    await w.will();
    expect(await m.storage.leases.get(lease.leaseId)).toMatchObject({
      state: "interrupted",
      reason: "worker_offline",
    });
    const health = await m.storage.health.list({ limit: 10 });
    expect(health.items[0]).toMatchObject({ workerId: w.id, kind: "offline", reason: "will" });
  });

  it("a broker disconnect interrupts the lease", async () => {
    const { m, w, lease } = await active();
    await m.platform.fleet.onDisconnect(w.id);
    expect(await m.storage.leases.get(lease.leaseId)).toMatchObject({
      state: "interrupted",
      reason: "worker_offline",
    });
  });

  it("a late MINING for a cancelled lease is answered with release and does not revive it", async () => {
    const { m, w, lease } = await rented();
    unwrap(await m.platform.rental.stop(wallet(RENTER_1), lease.leaseId));
    await w.status("LEASED");
    await w.status("MINING", lease.leaseId);
    expect((await m.storage.leases.get(lease.leaseId))?.state).toBe("cancelled");
    expect(w.sent().at(-1)).toEqual({ command: "release", lease_id: lease.leaseId });
    expect(m.platform.counters.get("late_confirmation_total")).toBe(1);
  });

  it("after a restart, a lease whose end passed during downtime completes at its end", async () => {
    const { m, lease } = await active(600);
    m.clock.advance(3_600_000);
    await m.platform.start();
    expect(await m.storage.leases.get(lease.leaseId)).toMatchObject({
      state: "completed",
      reason: "expired",
      billedSec: 600,
    });
  });
});
