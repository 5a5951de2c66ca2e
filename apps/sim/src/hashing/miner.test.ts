import { argon2id as nobleArgon2id } from "@noble/hashes/argon2.js";
import { addressBytes, base64NoPad, classifyHash, parseEncodedArgon2id } from "@xenblocks/core";
import { describe, expect, it } from "vitest";
import { verifyBlockHash } from "./argon2.js";
import { mine, type RandomHex } from "./miner.js";

const ACCOUNT = "0x2ac9de9d494459ab28fd09f10056cfa1d4c6af40";
const PREFIX = "0baa4a90372c24cf";

/** Deterministic hex: a counter, so each test mines the same keys on every run. */
function counterHex(): RandomHex {
  let n = 0;
  return (length) => (n++).toString(16).padStart(length, "0");
}

describe("mine", () => {
  it("finds blocks that an independent Argon2id implementation (@noble/hashes) reproduces", async () => {
    const random = counterHex();
    for (const memoryKiB of [8, 32, 64]) {
      const block = await mine({
        account: ACCOUNT,
        memoryKiB,
        marker: "XN",
        keyPrefix: PREFIX,
        randomHex: random,
      });
      expect(block).not.toBeNull();
      const { key, hash, hashedPure, blockType } = block!;
      const noble = nobleArgon2id(key, addressBytes(ACCOUNT)!, { t: 1, p: 1, m: memoryKiB, dkLen: 64 });
      expect(base64NoPad(noble)).toBe(hashedPure);
      expect(key.startsWith(PREFIX)).toBe(true);
      expect(key).toMatch(/^[0-9a-f]{64}$/);
      // The encoded string is §8 exact: core parses it and finds the same class.
      const parsed = parseEncodedArgon2id(hash);
      expect(parsed).toEqual({ memoryKiB, saltB64: base64NoPad(addressBytes(ACCOUNT)!), hashedPure });
      expect(classifyHash(parsed!.hashedPure, "XN")).toBe(blockType);
      expect(blockType).not.toBe("none");
      expect(await verifyBlockHash(hash, key, ACCOUNT)).toBe(true);
    }
  });

  it("is deterministic with an injected random source and counts attempts", async () => {
    const a = await mine({ account: ACCOUNT, memoryKiB: 8, marker: "XN", randomHex: counterHex() });
    const b = await mine({ account: ACCOUNT, memoryKiB: 8, marker: "XN", randomHex: counterHex() });
    expect(a).toEqual(b);
    expect(a!.attempts).toBe(Number.parseInt(a!.key, 16) + 1);
  });

  it("gives up after maxAttempts", async () => {
    // XEN11 at m=8 essentially never appears in 3 tries.
    const block = await mine({ account: ACCOUNT, memoryKiB: 8, maxAttempts: 3, randomHex: counterHex() });
    expect(block).toBeNull();
  });

  it("stops when the signal aborts, between two hashes", async () => {
    const controller = new AbortController();
    let calls = 0;
    const randomHex: RandomHex = (length) => {
      calls++;
      if (calls === 5) controller.abort();
      return "f".repeat(length);
    };
    const block = await mine({ account: ACCOUNT, memoryKiB: 8, signal: controller.signal, randomHex });
    expect(block).toBeNull();
    expect(calls).toBe(5);
  });

  it("keeps the event loop responsive while it mines", async () => {
    const controller = new AbortController();
    let ticks = 0;
    const timer = setInterval(() => {
      ticks++;
      if (ticks === 3) controller.abort();
    }, 1);
    const block = await mine({
      account: ACCOUNT,
      memoryKiB: 8,
      marker: "NEVERFOUND",
      signal: controller.signal,
    });
    clearInterval(timer);
    expect(block).toBeNull();
    // The timer could only fire because mine() kept handing the loop back.
    expect(ticks).toBeGreaterThanOrEqual(3);
  });

  it("refuses invalid options", async () => {
    const base = { account: ACCOUNT, memoryKiB: 8 };
    await expect(mine({ ...base, memoryKiB: 4 })).rejects.toThrow(RangeError);
    await expect(mine({ ...base, marker: "" })).rejects.toThrow(RangeError);
    await expect(mine({ ...base, keyPrefix: "zz" })).rejects.toThrow(RangeError);
    await expect(mine({ ...base, keyPrefix: "a".repeat(49) })).rejects.toThrow(RangeError);
    await expect(mine({ ...base, maxAttempts: 0 })).rejects.toThrow(RangeError);
    await expect(mine({ ...base, account: "0x12" })).rejects.toThrow(TypeError);
    await expect(mine({ ...base, randomHex: () => "zz" })).rejects.toThrow(TypeError);
  });
});
