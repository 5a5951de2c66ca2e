import { formatMoney, unwrap } from "@xenblocks/core";
import { describe, expect, it } from "vitest";
import { engines } from "./engines.js";
import { blockKey, marketplace, OWNER_A, RENTER_1, wallet } from "./harness.js";

describe.each(engines)("a lease from rent to settlement ($name)", (engine) => {
  it("rents, confirms, mines, stops and settles with exact amounts", async () => {
    const m = await marketplace(await engine.create());
    const w = m.worker("776536cd9695ca58");
    await w.join();
    await m.fund(RENTER_1, 100);
    m.clock.advance(3000);
    const lease = unwrap(await m.platform.rental.rent(wallet(RENTER_1), { durationSec: 3600 }));
    expect(lease.state).toBe("pending");
    expect(lease.escrow).toBe(36_000_000n);
    expect(await m.available(RENTER_1)).toBe(64_000_000n);
    const assign = w.sent().at(-1);
    expect(assign).toEqual({
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
    expect(stopped.lease.state).toBe("completed");
    expect(stopped.settlement).toMatchObject({
      billedSec: 1234,
      total: 12_340_000n,
      fee: 617_000n,
      providerAmount: 11_723_000n,
      refund: 23_660_000n,
    });
    expect(formatMoney(await m.available(RENTER_1))).toBe("87.660000");
    expect(await m.available(OWNER_A)).toBe(11_723_000n);
    expect(w.sent().at(-1)).toEqual({ command: "release", lease_id: lease.leaseId });
    expect(await m.platform.ledgerViolations()).toEqual([]);
  });
});
