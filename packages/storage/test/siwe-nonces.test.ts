/**
 * The sign-in nonce repository (`SiweNonceRepo`, platform-rules §10): a nonce is taken once, by one
 * caller under concurrency; expired nonces are not counted and are pruned; the per-address bound
 * drops the oldest first. Same engines as the repository contract (`engines.ts`).
 */
import type { SiweNonceRecord } from "@xenblocks/core";
import { describe, expect, it } from "vitest";
import { engines } from "./engines.js";

const T0 = Date.UTC(2026, 8, 1, 10);
const TTL = 5 * 60_000;
const ALICE = "0x8d56da55a9d91b40aff945714b19e9dfde32d9c2";
const BOB = "0xb0b0000000000000000000000000000000000002";

let counter = 0;
function nonce(address: string, overrides: Partial<SiweNonceRecord> = {}): SiweNonceRecord {
  const n = `n${(++counter).toString(36).padStart(8, "0")}${"a".repeat(16)}`;
  return {
    nonce: n,
    address,
    chainId: 1,
    message: `xenblocks.example wants you to sign in with your Ethereum account:\n${address}\n\nNonce: ${n}`,
    issuedAt: T0,
    expiresAt: T0 + TTL,
    ...overrides,
  };
}

describe.each(engines)("siwe nonces ($name)", (engine) => {
  const open = () => engine.create();

  it("gives a nonce back once, exactly as stored; then, and for an unknown nonce, null", async () => {
    const s = await open();
    const record = nonce(ALICE, { chainId: 8453, issuedAt: T0 + 1, expiresAt: T0 + 1 + TTL });
    await s.siweNonces.insert(record);
    expect(await s.siweNonces.countForAddress(ALICE, T0)).toBe(1);
    expect(await s.siweNonces.take(record.nonce)).toEqual(record);
    expect(await s.siweNonces.take(record.nonce)).toBeNull();
    expect(await s.siweNonces.take("never-issued-0000")).toBeNull();
    expect(await s.siweNonces.countForAddress(ALICE, T0)).toBe(0);
  });

  it("refuses a second insert of the same nonce", async () => {
    const s = await open();
    const record = nonce(ALICE);
    await s.siweNonces.insert(record);
    await expect(s.siweNonces.insert({ ...record, address: BOB })).rejects.toThrow();
    expect(await s.siweNonces.take(record.nonce)).toEqual(record);
  });

  it("20 concurrent takes of one nonce: exactly one gets it", async () => {
    const s = await open();
    const record = nonce(ALICE);
    const other = nonce(ALICE);
    await s.siweNonces.insert(record);
    await s.siweNonces.insert(other);
    const results = await Promise.all(Array.from({ length: 20 }, () => s.siweNonces.take(record.nonce)));
    const winners = results.filter((r) => r !== null);
    expect(winners).toEqual([record]);
    // Another nonce of the same address is untouched.
    expect(await s.siweNonces.countForAddress(ALICE, T0)).toBe(1);
    expect(await s.siweNonces.take(other.nonce)).toEqual(other);
  });

  it("concurrent takes of many nonces: each is given out once", async () => {
    const s = await open();
    const records = Array.from({ length: 10 }, (_, i) => nonce(i % 2 ? ALICE : BOB));
    for (const r of records) await s.siweNonces.insert(r);
    const results = await Promise.all(
      [...records, ...records, ...records].map((r) => s.siweNonces.take(r.nonce)),
    );
    const taken = results.filter((r) => r !== null).map((r) => r.nonce);
    expect(taken.sort()).toEqual(records.map((r) => r.nonce).sort());
  });

  it("counts only unexpired nonces; takes an expired one (the caller refuses it); prunes the expired", async () => {
    const s = await open();
    const early = nonce(ALICE, { expiresAt: T0 + 1_000 });
    const late = nonce(ALICE, { expiresAt: T0 + TTL });
    const bobs = nonce(BOB, { expiresAt: T0 + 2_000 });
    for (const r of [early, late, bobs]) await s.siweNonces.insert(r);
    expect(await s.siweNonces.countForAddress(ALICE, T0)).toBe(2);
    expect(await s.siweNonces.countForAddress(ALICE, T0 + 1_000)).toBe(1); // dead at its expiry
    expect(await s.siweNonces.countForAddress(BOB, T0 + 1_999)).toBe(1);

    expect(await s.siweNonces.prune(T0 + 1_000)).toBe(0); // expiring at the cutoff is not before it
    expect(await s.siweNonces.prune(T0 + 2_001)).toBe(2);
    expect(await s.siweNonces.prune(T0 + 2_001)).toBe(0);
    expect(await s.siweNonces.take(early.nonce)).toBeNull();
    expect(await s.siweNonces.take(bobs.nonce)).toBeNull();
    // Not pruned yet: still given back, expired or not; refusing it is the caller's check.
    expect(await s.siweNonces.take(late.nonce)).toEqual(late);
  });

  it("keeps the address's newest nonces: trimming drops the oldest first, even within one millisecond", async () => {
    const s = await open();
    const alices = Array.from({ length: 7 }, () => nonce(ALICE)); // all issued at T0
    const bobs = Array.from({ length: 3 }, () => nonce(BOB));
    for (const [i, r] of alices.entries()) {
      await s.siweNonces.insert(r);
      if (i === 1) for (const b of bobs) await s.siweNonces.insert(b);
    }
    expect(await s.siweNonces.trimForAddress(ALICE, 5)).toBe(2);
    expect(await s.siweNonces.trimForAddress(ALICE, 5)).toBe(0);
    expect(await s.siweNonces.countForAddress(ALICE, T0)).toBe(5);
    expect(await s.siweNonces.countForAddress(BOB, T0)).toBe(3);
    expect(await s.siweNonces.take(alices[0]!.nonce)).toBeNull();
    expect(await s.siweNonces.take(alices[1]!.nonce)).toBeNull();
    expect(await s.siweNonces.take(alices[2]!.nonce)).toEqual(alices[2]);

    // Fewer than the bound: nothing goes; a bound of 0 empties the address.
    expect(await s.siweNonces.trimForAddress(BOB, 5)).toBe(0);
    expect(await s.siweNonces.trimForAddress(BOB, 0)).toBe(3);
    expect(await s.siweNonces.countForAddress(BOB, T0)).toBe(0);
    expect(await s.siweNonces.trimForAddress("0x0000000000000000000000000000000000000000", 1)).toBe(0);
    await expect(s.siweNonces.trimForAddress(ALICE, -1)).rejects.toThrow(RangeError);
    expect(await s.siweNonces.countForAddress(ALICE, T0)).toBe(4);
  });

  it("the bound holds when inserts and trims of one address interleave", async () => {
    const s = await open();
    const records = Array.from({ length: 12 }, () => nonce(ALICE));
    await Promise.all(
      records.map(async (r) => {
        await s.siweNonces.insert(r);
        await s.siweNonces.trimForAddress(ALICE, 5);
      }),
    );
    expect(await s.siweNonces.countForAddress(ALICE, T0)).toBe(5);
  });

  it("inside a transaction: an insert rolls back with the body", async () => {
    const s = await open();
    const record = nonce(ALICE);
    await expect(
      s.transaction(async (tx) => {
        await tx.siweNonces.insert(record);
        expect(await tx.siweNonces.countForAddress(ALICE, T0)).toBe(1);
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await s.siweNonces.take(record.nonce)).toBeNull();
  });
});
