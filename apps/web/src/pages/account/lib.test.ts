import { describe, expect, it } from "vitest";
import { amountUnits, moneyUnits, newIdempotencyKey, TRANSFER_TYPES, transferLabel } from "./lib.js";

describe("account helpers", () => {
  it("reads typed amounts as exact units, refusing incomplete or zero ones", () => {
    expect(amountUnits("250")).toBe(250_000_000n);
    expect(amountUnits("0.000001")).toBe(1n);
    expect(amountUnits("1.5")).toBe(1_500_000n);
    for (const bad of ["", "0", "0.0", "1.", ".5", "1.0000001", "-1", "1e3", "1,5"]) {
      expect(amountUnits(bad)).toBeNull();
    }
  });

  it("reads server money strings, signed, as units (0 when missing)", () => {
    expect(moneyUnits("-40.000000")).toBe(-40_000_000n);
    expect(moneyUnits("9750.000000")).toBe(9_750_000_000n);
    expect(moneyUnits(undefined)).toBe(0n);
    expect(moneyUnits("nonsense")).toBe(0n);
  });

  it("makes distinct 32-hex idempotency keys", () => {
    const a = newIdempotencyKey();
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(newIdempotencyKey()).not.toBe(a);
  });

  it("labels every ledger type the API has", () => {
    for (const t of TRANSFER_TYPES) expect(transferLabel(t)).not.toMatch(/_/);
    expect(transferLabel("lease_fee")).toBe("Platform fee");
    expect(transferLabel("something_new")).toBe("something new");
  });
});
