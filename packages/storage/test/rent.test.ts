/** Renting (platform-rules §4.2) and matching (§5) through the platform. */
import { unwrap } from "@xenblocks/core";
import { describe, expect, it } from "vitest";
import { engines } from "./engines.js";
import { marketplace, OWNER_A, OWNER_B, RENTER_1, RENTER_2, wallet } from "./harness.js";

const code = (r: { ok: boolean; error?: { code: string } }) => (r.ok ? "ok" : r.error?.code);

describe.each(engines)("rent ($name)", (engine) => {
  async function fleet() {
    const m = await marketplace(await engine.create());
    await m.fund(RENTER_1, 1000);
    return m;
  }

  it("checks in order: caller, mining address, worker, balance", async () => {
    const m = await fleet();
    const w = m.worker("w-one");
    await w.join();
    m.clock.advance(3000);
    expect(code(await m.platform.rental.rent(wallet("nobody"), { durationSec: 60 }))).toBe("UNAUTHORIZED");
    expect(
      code(await m.platform.rental.rent(wallet(RENTER_1), { durationSec: 60, consumerAddress: "0x12" })),
    ).toBe("VALIDATION");
    expect(code(await m.platform.rental.rent(wallet(RENTER_1), { durationSec: 0 }))).toBe("VALIDATION");
    expect(code(await m.platform.rental.rent(wallet(RENTER_2), { durationSec: 60, workerId: "nope" }))).toBe(
      "NOT_FOUND",
    );
    // RENTER_2 has no money: the worker matches, the balance does not.
    expect(code(await m.platform.rental.rent(wallet(RENTER_2), { durationSec: 60 }))).toBe(
      "INSUFFICIENT_BALANCE",
    );
    expect(await m.storage.leases.openForWorker(w.id)).toBeNull();
    expect(await m.platform.ledgerViolations()).toEqual([]);
  });

  it("sends the mining address lowercase and bills the caller", async () => {
    const m = await fleet();
    const w = m.worker("w-one");
    await w.join();
    m.clock.advance(3000);
    const mixed = "0xAbCdEf0000000000000000000000000000000001";
    const lease = unwrap(
      await m.platform.rental.rent(wallet(RENTER_1), { durationSec: 60, consumerAddress: mixed }),
    );
    expect(lease.consumerAddress).toBe(mixed.toLowerCase());
    expect(lease.renter).toBe(RENTER_1);
    expect(w.sent().at(-1)).toMatchObject({ consumer_address: mixed.toLowerCase(), consumer_id: RENTER_1 });
  });

  it("refuses to rent one's own worker", async () => {
    const m = await fleet();
    await m.worker("w-mine", RENTER_1).join();
    m.clock.advance(3000);
    expect(
      code(await m.platform.rental.rent(wallet(RENTER_1), { durationSec: 60, workerId: "w-mine" })),
    ).toBe("SELF_RENTAL");
    expect(code(await m.platform.rental.rent(wallet(RENTER_1), { durationSec: 60 }))).toBe(
      "NO_WORKER_AVAILABLE",
    );
  });

  it("explains why an explicit worker cannot be rented", async () => {
    const m = await fleet();
    const w = m.worker("w-one");
    await w.join();
    expect(code(await m.platform.rental.rent(wallet(RENTER_1), { durationSec: 60, workerId: w.id }))).toBe(
      "WORKER_BUSY", // the 2 s settle gap after register_ack
    );
    m.clock.advance(3000);
    expect(code(await m.platform.rental.rent(wallet(RENTER_1), { durationSec: 30, workerId: w.id }))).toBe(
      "DURATION_OUT_OF_RANGE",
    );
    expect(
      code(await m.platform.rental.rent(wallet(RENTER_1), { durationSec: 90_000, workerId: w.id })),
    ).toBe("DURATION_OUT_OF_RANGE");
    expect(
      code(
        await m.platform.rental.rent(wallet(RENTER_1), {
          durationSec: 60,
          workerId: w.id,
          maxPricePerSec: 9_999n,
        }),
      ),
    ).toBe("PRICE_ABOVE_MAX");
    expect(
      code(await m.platform.rental.rent(wallet(RENTER_1), { durationSec: 60, workerId: w.id, gpu: "A100" })),
    ).toBe("WORKER_NOT_AVAILABLE");
    unwrap(
      await m.platform.rental.rent(wallet(RENTER_1), { durationSec: 60, workerId: w.id, gpu: "rtx 4090" }),
    );
    m.clock.advance(3000);
    await m.fund(RENTER_2, 10);
    expect(code(await m.platform.rental.rent(wallet(RENTER_2), { durationSec: 60, workerId: w.id }))).toBe(
      "WORKER_BUSY",
    );
  });

  it("never matches an offline worker", async () => {
    const m = await fleet();
    const w = m.worker("w-one");
    await w.join();
    await m.elapse(95_000, 5000);
    expect(code(await m.platform.rental.rent(wallet(RENTER_1), { durationSec: 60 }))).toBe(
      "NO_WORKER_AVAILABLE",
    );
    expect(code(await m.platform.rental.rent(wallet(RENTER_1), { durationSec: 60, workerId: w.id }))).toBe(
      "WORKER_OFFLINE",
    );
  });

  it("picks the best value: price per hash, then reputation, then worker id", async () => {
    const m = await fleet();
    const cheapSlow = m.worker("w-a", OWNER_A);
    const fairFast = m.worker("w-b", OWNER_B);
    const noHashrate = m.worker("w-c", OWNER_B);
    await cheapSlow.join(1000); // 10,000 units/s per 1,000 H/s = 10
    await fairFast.join(4000); // 20,000 units/s per 4,000 H/s = 5
    await noHashrate.register();
    await noHashrate.status("AVAILABLE");
    unwrap(
      await m.platform.workers.setPricing(wallet(OWNER_B), "w-b", {
        pricePerSec: 20_000n,
        minDurationSec: 60,
        maxDurationSec: 86_400,
      }),
    );
    m.clock.advance(3000);
    const first = unwrap(await m.platform.rental.rent(wallet(RENTER_1), { durationSec: 60 }));
    expect(first.workerId).toBe("w-b");
    expect(first.pricePerSec).toBe(20_000n);
    const second = unwrap(await m.platform.rental.rent(wallet(RENTER_1), { durationSec: 60 }));
    expect(second.workerId).toBe("w-a");
    // The worker without a hashrate is never picked by best value, only by name.
    expect(code(await m.platform.rental.rent(wallet(RENTER_1), { durationSec: 60 }))).toBe(
      "NO_WORKER_AVAILABLE",
    );
    expect(code(await m.platform.rental.rent(wallet(RENTER_1), { durationSec: 60, workerId: "w-c" }))).toBe(
      "ok",
    );
  });

  it("filters by maximum price, minimum hashrate and GPU", async () => {
    const m = await fleet();
    await m.worker("w-4090", OWNER_A).join(5000);
    await m.worker("w-3060", OWNER_B, ["NVIDIA GeForce RTX 3060"]).join(1000);
    m.clock.advance(3000);
    expect(
      unwrap(await m.platform.rental.rent(wallet(RENTER_1), { durationSec: 60, gpu: "3060" })).workerId,
    ).toBe("w-3060");
    expect(code(await m.platform.rental.rent(wallet(RENTER_1), { durationSec: 60, minHashrate: 6000 }))).toBe(
      "NO_WORKER_AVAILABLE",
    );
    expect(
      code(await m.platform.rental.rent(wallet(RENTER_1), { durationSec: 60, maxPricePerSec: 5000n })),
    ).toBe("NO_WORKER_AVAILABLE");
    expect(
      unwrap(await m.platform.rental.rent(wallet(RENTER_1), { durationSec: 60, minHashrate: 4000 })).workerId,
    ).toBe("w-4090");
  });

  it("100 concurrent rents of one worker give exactly one lease and one escrow", async () => {
    const m = await fleet();
    await m.worker("w-one").join();
    m.clock.advance(3000);
    const renters = Array.from({ length: 100 }, (_, i) => `0x${(i + 1).toString(16).padStart(40, "0")}`);
    for (const r of renters) await m.fund(r, 1);
    const results = await Promise.all(
      renters.map((r) => m.platform.rental.rent(wallet(r), { durationSec: 60, workerId: "w-one" })),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(new Set(results.filter((r) => !r.ok).map(code))).toEqual(new Set(["WORKER_BUSY"]));
    const open = await m.storage.leases.listOpen();
    expect(open).toHaveLength(1);
    expect(await m.platform.ledgerViolations()).toEqual([]);
  });

  it("gives every lease a unique prefix that is never a dev-fee prefix", async () => {
    const m = await fleet();
    const w = m.worker("w-one");
    await w.join();
    const prefixes = new Set<string>();
    for (let i = 0; i < 20; i++) {
      m.clock.advance(3000);
      const lease = unwrap(
        await m.platform.rental.rent(wallet(RENTER_1), { durationSec: 60, workerId: w.id }),
      );
      expect(lease.prefix).toMatch(/^(?!ffffffff|eeeeeeee)[0-9a-f]{16}$/);
      prefixes.add(lease.prefix);
      unwrap(await m.platform.rental.stop(wallet(RENTER_1), lease.leaseId));
      await w.status("AVAILABLE");
    }
    expect(prefixes.size).toBe(20);
    expect(await m.available(RENTER_1)).toBe(1_000_000_000n);
  });
});
