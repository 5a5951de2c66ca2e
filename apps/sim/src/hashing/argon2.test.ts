import { readFileSync } from "node:fs";
import { classifyHash, parseEncodedArgon2id } from "@xenblocks/core";
import { describe, expect, it } from "vitest";
import {
  blockHash,
  createArgon2Verifier,
  DEFAULT_MAX_VERIFY_MEMORY_KIB,
  MIN_MEMORY_KIB,
  verifyBlockHash,
} from "./argon2.js";

// src/hashing → src → sim → apps → repository root → its parent, which holds shared/.
const VECTORS_DIR = new URL("../../../../../shared/vectors/", import.meta.url);

type BlockPayload = { hash: string; key: string; account: string };
const vector = (name: string): BlockPayload =>
  JSON.parse(readFileSync(new URL(name, VECTORS_DIR), "utf8")).payload as BlockPayload;

const GENUINE = ["block_lease_xuni.json", "block_self_mined_xuni.json"] as const;
const ACCOUNT = "0x2ac9de9d494459ab28fd09f10056cfa1d4c6af40";
const KEY = "0baa4a90372c24cf".padEnd(64, "0");

describe("blockHash", () => {
  it.each(GENUINE)("recomputes the genuine vector %s exactly", async (name) => {
    const { hash, key, account } = vector(name);
    const { encoded, hashedPure } = await blockHash(key, account, 1727);
    expect(encoded).toBe(hash);
    expect(classifyHash(hashedPure)).toBe("xuni");
  });

  it("writes the §8 encoding that core parses back", async () => {
    const { encoded, hashedPure } = await blockHash(KEY, ACCOUNT, 16);
    expect(encoded).toMatch(/^\$argon2id\$v=19\$m=16,t=1,p=1\$[A-Za-z0-9+/]{27}\$[A-Za-z0-9+/]{86}$/);
    expect(parseEncodedArgon2id(encoded)).toEqual({
      memoryKiB: 16,
      saltB64: "KsnenUlEWaso/QnxAFbPodTGr0A",
      hashedPure,
    });
  });

  it("salts with the address bytes, so the hex case of the account does not matter", async () => {
    const lower = await blockHash(KEY, ACCOUNT, 8);
    const eip55 = await blockHash(KEY, "0x2ac9de9d494459AB28fd09F10056cfA1d4C6Af40", 8);
    expect(eip55).toEqual(lower);
  });

  it("refuses invalid input instead of hashing something else", async () => {
    await expect(blockHash("abc", ACCOUNT, 8)).rejects.toThrow(TypeError);
    await expect(blockHash(KEY, "0x1234", 8)).rejects.toThrow(TypeError);
    await expect(blockHash(KEY, ACCOUNT, MIN_MEMORY_KIB - 1)).rejects.toThrow(RangeError);
    await expect(blockHash(KEY, ACCOUNT, 8.5)).rejects.toThrow(RangeError);
  });
});

describe("verifyBlockHash", () => {
  it.each(GENUINE)("accepts the genuine vector %s", async (name) => {
    const { hash, key, account } = vector(name);
    expect(await verifyBlockHash(hash, key, account)).toBe(true);
  });

  it("rejects block.json, whose hash segment is synthetic", async () => {
    const { hash, key, account } = vector("block.json");
    expect(parseEncodedArgon2id(hash)).not.toBeNull();
    expect(await verifyBlockHash(hash, key, account)).toBe(false);
  });

  it("rejects a tampered hash, a different key, a different account and a different m", async () => {
    const { encoded } = await blockHash(KEY, ACCOUNT, 8);
    expect(await verifyBlockHash(encoded, KEY, ACCOUNT)).toBe(true);
    const last = encoded.at(-1) === "A" ? "B" : "A";
    expect(await verifyBlockHash(encoded.slice(0, -1) + last, KEY, ACCOUNT)).toBe(false);
    expect(await verifyBlockHash(encoded, KEY.replace(/0$/, "1"), ACCOUNT)).toBe(false);
    expect(await verifyBlockHash(encoded, KEY, `0x${"1".repeat(40)}`)).toBe(false);
    expect(await verifyBlockHash(encoded.replace("m=8,", "m=9,"), KEY, ACCOUNT)).toBe(false);
  });

  it("never throws on malformed input, and refuses absurd memory without hashing", async () => {
    const { encoded } = await blockHash(KEY, ACCOUNT, 8);
    expect(await verifyBlockHash("not a hash", KEY, ACCOUNT)).toBe(false);
    expect(await verifyBlockHash(encoded, "xyz", ACCOUNT)).toBe(false);
    expect(await verifyBlockHash(encoded, KEY, "nope")).toBe(false);
    expect(await verifyBlockHash(encoded.replace("m=8,", "m=4,"), KEY, ACCOUNT)).toBe(false);
    const huge = encoded.replace("m=8,", `m=${DEFAULT_MAX_VERIFY_MEMORY_KIB + 1},`);
    expect(await verifyBlockHash(huge, KEY, ACCOUNT)).toBe(false);
    expect(await verifyBlockHash(encoded, KEY, ACCOUNT, { maxMemoryKiB: 7 })).toBe(false);
  });
});

describe("createArgon2Verifier (core's Argon2Verifier port)", () => {
  it("accepts genuine vectors and rejects the synthetic one", async () => {
    const verifier = createArgon2Verifier();
    for (const name of [...GENUINE, "block.json"]) {
      const { hash, key, account } = vector(name);
      const parsed = parseEncodedArgon2id(hash)!;
      const ok = await verifier.verify({ key, account, ...parsed });
      expect(ok, name).toBe(name !== "block.json");
    }
    expect(await verifier.verify({ key: KEY, account: ACCOUNT, memoryKiB: 1e9, hashedPure: "x" })).toBe(
      false,
    );
  });
});
