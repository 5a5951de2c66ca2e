import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyTransfers, ESCROW, TREASURY, userAccount } from "../ledger.js";
import type { Units } from "../money.js";
import {
  type Billing,
  billedSeconds,
  computeBilling,
  settlementRecord,
  settlementTransfers,
} from "./billing.js";

const CONFIRMED = 1_795_788_543_000;
const LEASE_ID = "lease-01a21d56-94d3-74d0-a5fd-cb0423a2b71a";
const RENTER = "0x2ac9de9d494459ab28fd09f10056cfa1d4c6af40";
const PROVIDER = "0x8d56da55a9d91b40aff945714b19e9dfde32d9c2";

// platform-rules §4.3 example: 10,000 units/s for 3,600 s.
const lease = {
  leaseId: LEASE_ID,
  renter: RENTER,
  provider: PROVIDER,
  workerId: "776536cd9695ca58",
  pricePerSec: 10_000n,
  durationSec: 3600,
  escrow: 10_000n * 3600n,
  confirmedAt: CONFIRMED as number | null,
};

describe("billedSeconds", () => {
  it("floors to whole seconds after confirmation", () => {
    expect(billedSeconds(CONFIRMED, CONFIRMED + 1_234_900, 3600)).toBe(1234);
    expect(billedSeconds(CONFIRMED, CONFIRMED + 999, 3600)).toBe(0);
    expect(billedSeconds(CONFIRMED, CONFIRMED + 1000, 3600)).toBe(1);
  });

  it("caps at the contracted duration", () => {
    expect(billedSeconds(CONFIRMED, CONFIRMED + 3_600_000, 3600)).toBe(3600);
    expect(billedSeconds(CONFIRMED, CONFIRMED + 3_600_999, 3600)).toBe(3600);
    expect(billedSeconds(CONFIRMED, CONFIRMED + 10_000_000, 3600)).toBe(3600);
  });

  it("is never negative (end before confirmation)", () => {
    expect(billedSeconds(CONFIRMED, CONFIRMED - 1, 3600)).toBe(0);
    expect(billedSeconds(CONFIRMED, CONFIRMED - 5_000, 3600)).toBe(0);
  });

  it("is 0 for an unconfirmed lease, whatever the end", () => {
    expect(billedSeconds(null, CONFIRMED + 3_000_000, 3600)).toBe(0);
  });
});

describe("computeBilling: the worked examples of platform-rules §4.3", () => {
  it("escrow of 10,000 units/s × 3,600 s is 36,000,000", () => {
    expect(lease.escrow).toBe(36_000_000n);
  });

  it("stopped 1,234.9 s after confirmation", () => {
    expect(computeBilling(lease, CONFIRMED + 1_234_900, 500)).toEqual({
      billedSec: 1234,
      total: 12_340_000n,
      fee: 617_000n,
      providerAmount: 11_723_000n,
      refund: 23_660_000n,
    });
  });

  it("rounds the fee down: total 12,345,679 → fee 617,283, provider 11,728,396", () => {
    // 1 unit/s for 12,345,679 s gives the example's total exactly.
    const b = computeBilling(
      { pricePerSec: 1n, durationSec: 20_000_000, escrow: 20_000_000n, confirmedAt: 0 },
      12_345_679_000,
      500,
    );
    expect(b.total).toBe(12_345_679n);
    expect(b.fee).toBe(617_283n);
    expect(b.providerAmount).toBe(11_728_396n);
    expect(b.refund).toBe(20_000_000n - 12_345_679n);
  });

  it("bills the full duration when the end is past the contracted end", () => {
    expect(computeBilling(lease, CONFIRMED + 5_000_000, 500)).toEqual({
      billedSec: 3600,
      total: 36_000_000n,
      fee: 1_800_000n,
      providerAmount: 34_200_000n,
      refund: 0n,
    });
  });

  it("bills nothing for an unconfirmed lease: full refund", () => {
    expect(computeBilling({ ...lease, confirmedAt: null }, CONFIRMED + 1_000_000, 500)).toEqual({
      billedSec: 0,
      total: 0n,
      fee: 0n,
      providerAmount: 0n,
      refund: 36_000_000n,
    });
  });

  it("bills nothing when the end precedes confirmation", () => {
    const b = computeBilling(lease, CONFIRMED - 10_000, 500);
    expect(b.billedSec).toBe(0);
    expect(b.refund).toBe(36_000_000n);
  });

  it("uses the fee rate it is given", () => {
    expect(computeBilling(lease, CONFIRMED + 1_234_900, 0).fee).toBe(0n);
    expect(computeBilling(lease, CONFIRMED + 1_234_900, 10_000).fee).toBe(12_340_000n);
    expect(computeBilling(lease, CONFIRMED + 1_234_900, 10_000).providerAmount).toBe(0n);
    expect(computeBilling(lease, CONFIRMED + 1_234_900, 1).fee).toBe(1234n);
  });
});

describe("settlementTransfers", () => {
  const billing = computeBilling(lease, CONFIRMED + 1_234_900, 500);

  it("posts payment, fee and refund with deterministic ids", () => {
    const ref = { kind: "lease", id: LEASE_ID };
    expect(settlementTransfers(lease, billing)).toEqual([
      {
        id: `settle:${LEASE_ID}:payment`,
        type: "lease_payment",
        from: ESCROW,
        to: userAccount(PROVIDER),
        amount: 11_723_000n,
        reference: ref,
      },
      {
        id: `settle:${LEASE_ID}:fee`,
        type: "lease_fee",
        from: ESCROW,
        to: TREASURY,
        amount: 617_000n,
        reference: ref,
      },
      {
        id: `settle:${LEASE_ID}:refund`,
        type: "lease_refund",
        from: ESCROW,
        to: userAccount(RENTER),
        amount: 23_660_000n,
        reference: ref,
      },
    ]);
  });

  it("gives the same transfers on a retry", () => {
    expect(settlementTransfers(lease, billing)).toEqual(settlementTransfers(lease, billing));
  });

  it("credits lowercase user accounts even for mixed-case addresses", () => {
    const mixed = {
      ...lease,
      provider: "0x8d56DA55A9D91b40AfF945714b19E9DfDE32D9C2",
      renter: RENTER.toUpperCase(),
    };
    const [payment, , refund] = settlementTransfers(mixed, billing);
    expect(payment?.to).toBe(`user:${PROVIDER}`);
    expect(refund?.to).toBe(`user:${RENTER.toLowerCase()}`);
  });

  it("a cancelled (unconfirmed) lease posts only its refund", () => {
    const cancelled = computeBilling({ ...lease, confirmedAt: null }, CONFIRMED, 500);
    const transfers = settlementTransfers(lease, cancelled);
    expect(transfers.map((t) => [t.type, t.amount])).toEqual([["lease_refund", 36_000_000n]]);
  });

  it("a fully used lease posts no refund", () => {
    const full = computeBilling(lease, CONFIRMED + 3_600_000, 500);
    expect(settlementTransfers(lease, full).map((t) => t.type)).toEqual(["lease_payment", "lease_fee"]);
  });

  it("a zero fee is skipped", () => {
    const noFee = computeBilling(lease, CONFIRMED + 1_000, 0);
    expect(settlementTransfers(lease, noFee).map((t) => t.type)).toEqual(["lease_payment", "lease_refund"]);
  });

  it("a fee that rounds to 0 is skipped (1 s at 19 units/s, 5 %)", () => {
    const tiny = computeBilling({ ...lease, pricePerSec: 19n, escrow: 19n * 3600n }, CONFIRMED + 1_000, 500);
    expect(tiny.fee).toBe(0n);
    expect(settlementTransfers(lease, tiny).map((t) => [t.type, t.amount])).toEqual([
      ["lease_payment", 19n],
      ["lease_refund", 19n * 3599n],
    ]);
  });

  it("nothing at all for an empty billing", () => {
    const zero: Billing = { billedSec: 0, total: 0n, fee: 0n, providerAmount: 0n, refund: 0n };
    expect(settlementTransfers(lease, zero)).toEqual([]);
  });

  it("empties the lease's escrow exactly when applied to the ledger", () => {
    const { balances } = applyTransfers(
      new Map<string, Units>([[ESCROW, lease.escrow]]),
      settlementTransfers(lease, billing),
      0,
    );
    expect(balances.get(ESCROW)).toBe(0n);
    expect(balances.get(userAccount(PROVIDER))).toBe(11_723_000n);
    expect(balances.get(TREASURY)).toBe(617_000n);
    expect(balances.get(userAccount(RENTER))).toBe(23_660_000n);
  });
});

describe("settlementRecord", () => {
  it("copies the lease, the billing and the fee rate", () => {
    const billing = computeBilling(lease, CONFIRMED + 1_234_900, 500);
    expect(settlementRecord(lease, "completed", billing, 500, 42)).toEqual({
      leaseId: LEASE_ID,
      renter: RENTER,
      workerId: "776536cd9695ca58",
      provider: PROVIDER,
      state: "completed",
      billedSec: 1234,
      total: 12_340_000n,
      fee: 617_000n,
      providerAmount: 11_723_000n,
      refund: 23_660_000n,
      feeBps: 500,
      settledAt: 42,
    });
  });
});

describe("property: no unit is created or lost", () => {
  it("total + refund = escrow, fee + provider = total, fee = floor(total × bps / 10000)", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 1_000_000_000n }),
        fc.integer({ min: 1, max: 604_800 }),
        fc.integer({ min: -10_000_000, max: 700_000_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.boolean(),
        (pricePerSec, durationSec, elapsedMs, feeBps, confirmed) => {
          const escrow = pricePerSec * BigInt(durationSec);
          const b = computeBilling(
            { pricePerSec, durationSec, escrow, confirmedAt: confirmed ? CONFIRMED : null },
            CONFIRMED + elapsedMs,
            feeBps,
          );
          expect(b.total + b.refund).toBe(escrow);
          expect(b.fee + b.providerAmount).toBe(b.total);
          expect(b.billedSec).toBeGreaterThanOrEqual(0);
          expect(b.billedSec).toBeLessThanOrEqual(durationSec);
          expect(b.billedSec).toBe(
            confirmed ? Math.max(0, Math.min(Math.floor(elapsedMs / 1000), durationSec)) : 0,
          );
          expect(b.total).toBe(pricePerSec * BigInt(b.billedSec));
          expect(b.refund >= 0n && b.fee >= 0n && b.providerAmount >= 0n).toBe(true);
          expect(b.fee * 10_000n <= b.total * BigInt(feeBps)).toBe(true);
          expect((b.fee + 1n) * 10_000n > b.total * BigInt(feeBps)).toBe(true);
          const transfers = settlementTransfers(lease, b);
          expect(transfers.every((t) => t.amount > 0n)).toBe(true);
          expect(transfers.reduce((s, t) => s + t.amount, 0n)).toBe(escrow);
        },
      ),
      { numRuns: 500 },
    );
  });
});
