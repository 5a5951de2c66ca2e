/**
 * Property: any sequence of marketplace operations keeps the ledger invariants after every step
 * (conservation, no negative balance but `world`, escrow = open leases + requested withdrawals),
 * and every lease is settled at most once, exactly when it is final, with no unit created or lost.
 */
import { type Platform, type Storage, xnm } from "@xenblocks/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { engines, release } from "./engines.js";
import { ADMIN, marketplace, OWNER_A, OWNER_B, wallet } from "./harness.js";

const RENTERS = ["0x1000000000000000000000000000000000000001", "0x2000000000000000000000000000000000000002"];
const WORKERS = ["w-0", "w-1", "w-2"];

type Op =
  | { kind: "deposit"; renter: number; xnm: number }
  | { kind: "rent"; renter: number; worker: number | null; durationSec: number }
  | { kind: "confirm"; worker: number }
  | { kind: "stop"; renter: number; pick: number }
  | { kind: "heartbeat"; worker: number }
  | {
      kind: "fail";
      worker: number;
      how: "ERROR" | "AVAILABLE" | "will" | "disconnect" | "register" | "COMPLETED";
    }
  | { kind: "available"; worker: number }
  | { kind: "withdraw"; renter: number; xnm: number }
  | { kind: "resolve"; pick: number; action: "complete" | "reject" | "cancel" }
  | { kind: "elapse"; ms: number };

const idx = (n: number) => fc.integer({ min: 0, max: n - 1 });
const weighted = <T>(weight: number, arbitrary: fc.Arbitrary<T>) => ({ weight, arbitrary });
const op: fc.Arbitrary<Op> = fc.oneof(
  weighted(
    1,
    fc.record({
      kind: fc.constant("deposit" as const),
      renter: idx(2),
      xnm: fc.integer({ min: 1, max: 500 }),
    }),
  ),
  weighted(
    5,
    fc.record({
      kind: fc.constant("rent" as const),
      renter: idx(2),
      worker: fc.option(idx(3), { nil: null }),
      durationSec: fc.constantFrom(60, 61, 90, 600, 3600),
    }),
  ),
  weighted(5, fc.record({ kind: fc.constant("confirm" as const), worker: idx(3) })),
  weighted(2, fc.record({ kind: fc.constant("stop" as const), renter: idx(2), pick: fc.nat() })),
  weighted(3, fc.record({ kind: fc.constant("heartbeat" as const), worker: idx(3) })),
  weighted(
    2,
    fc.record({
      kind: fc.constant("fail" as const),
      worker: idx(3),
      how: fc.constantFrom("ERROR", "AVAILABLE", "will", "disconnect", "register", "COMPLETED"),
    }),
  ),
  weighted(4, fc.record({ kind: fc.constant("available" as const), worker: idx(3) })),
  weighted(
    1,
    fc.record({
      kind: fc.constant("withdraw" as const),
      renter: idx(2),
      xnm: fc.integer({ min: 1, max: 300 }),
    }),
  ),
  weighted(
    1,
    fc.record({
      kind: fc.constant("resolve" as const),
      pick: fc.nat(),
      action: fc.constantFrom("complete", "reject", "cancel"),
    }),
  ),
  weighted(
    3,
    fc.record({ kind: fc.constant("elapse" as const), ms: fc.integer({ min: 100, max: 120_000 }) }),
  ),
);

async function checkInvariants(platform: Platform, storage: Storage) {
  expect(await platform.ledgerViolations()).toEqual([]);
  const leases = (await storage.leases.list({ limit: 10_000 })).items;
  for (const lease of leases) {
    const settlement = await storage.settlements.get(lease.leaseId);
    const final = lease.state !== "pending" && lease.state !== "active";
    expect(settlement !== null).toBe(final);
    if (settlement) {
      expect(settlement.total + settlement.refund).toBe(lease.escrow);
      expect(settlement.fee + settlement.providerAmount).toBe(settlement.total);
      expect(settlement.billedSec).toBeLessThanOrEqual(lease.durationSec);
    }
  }
}

describe.each(engines)("marketplace invariants under random operations ($name)", (engine) => {
  it("hold after every step of thousands of random sequences", { timeout: 600_000 }, async () => {
    /** How many leases ended in each state across all runs: proves the sequences reach every path. */
    const reached = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 30 }), fc.integer(), async (ops, seed) => {
        const m = await marketplace(await engine.create(), { seed });
        const workers = WORKERS.map((id, i) => m.worker(id, i === 2 ? OWNER_B : OWNER_A));
        for (const w of workers) await w.join();
        for (const renter of RENTERS) await m.fund(renter, 1000);
        m.clock.advance(3000);
        const withdrawals: string[] = [];
        for (const o of ops) {
          await apply(o);
          await checkInvariants(m.platform, m.storage);
        }
        for (const lease of (await m.storage.leases.list({ limit: 10_000 })).items) {
          const key = `${lease.state}:${lease.reason ?? ""}`;
          reached.set(key, (reached.get(key) ?? 0) + 1);
        }
        await release(m.storage);

        async function apply(o: Op) {
          const { platform } = m;
          switch (o.kind) {
            case "deposit":
              await platform.payments.credit(
                wallet(ADMIN),
                RENTERS[o.renter]!,
                xnm(o.xnm),
                `ref-${m.clock.now()}-${o.renter}`,
              );
              return;
            case "rent":
              await platform.rental.rent(wallet(RENTERS[o.renter]!), {
                durationSec: o.durationSec,
                ...(o.worker !== null && { workerId: WORKERS[o.worker]! }),
              });
              return;
            case "confirm": {
              const open = await m.storage.leases.openForWorker(WORKERS[o.worker]!);
              if (open?.state === "pending") await workers[o.worker]!.confirm(open.leaseId);
              return;
            }
            case "stop": {
              const mine = (await m.storage.leases.list({ limit: 100, renter: RENTERS[o.renter]! })).items;
              const lease = mine[o.pick % Math.max(mine.length, 1)];
              if (lease) await platform.rental.stop(wallet(RENTERS[o.renter]!), lease.leaseId);
              return;
            }
            case "heartbeat":
              await workers[o.worker]!.heartbeat();
              return;
            case "available":
              await workers[o.worker]!.status("AVAILABLE");
              return;
            case "fail": {
              const w = workers[o.worker]!;
              if (o.how === "will") await w.will();
              else if (o.how === "disconnect") await platform.fleet.onDisconnect(w.id);
              else if (o.how === "register") await w.register();
              else if (o.how === "COMPLETED") {
                const open = await m.storage.leases.openForWorker(w.id);
                await w.status("COMPLETED", open?.leaseId ?? "lease-none");
              } else await w.status(o.how);
              return;
            }
            case "withdraw": {
              const r = await platform.payments.withdraw(wallet(RENTERS[o.renter]!), xnm(o.xnm));
              if (r.ok) withdrawals.push(r.value.id);
              return;
            }
            case "resolve": {
              const id = withdrawals[o.pick % Math.max(withdrawals.length, 1)];
              if (!id) return;
              if (o.action === "cancel") {
                const owner = (await m.storage.withdrawals.get(id))!.address;
                await platform.payments.cancelWithdrawal(wallet(owner), id);
              } else {
                await platform.payments.resolveWithdrawal(wallet(ADMIN), id, o.action, {
                  reference: "0xpaid",
                  reason: "no",
                });
              }
              return;
            }
            case "elapse":
              await m.elapse(o.ms, 5000);
              return;
          }
        }
      }),
      // Thousands of sequences on the in-process store; SQL engines (a fresh migrated database per
      // run) take fewer runs of the same generator to keep the suite within minutes.
      { numRuns: engine.name === "memory" ? 1000 : 60 },
    );
    // Only the thousand-run engine is sure to reach every ending; the others check the invariants.
    for (const path of engine.name !== "memory"
      ? []
      : [
          "completed:stopped",
          "completed:expired",
          "cancelled:stopped",
          "cancelled:assign_timeout",
          "cancelled:worker_failed",
          "interrupted:worker_state",
          "interrupted:worker_offline",
        ]) {
      expect(reached.get(path) ?? 0, `no run reached ${path}`).toBeGreaterThan(0);
    }
  });
});
