/** Shared by the chain tests: accounts, keys and synthetic hashes (verification off) or mined ones (on). */

import type { Clock } from "@xenblocks/core";
import { addressBytes, base64NoPad } from "@xenblocks/core";
import { type MinedBlock, mine, type RandomHex } from "../../hashing/miner.js";

export const ALICE = "0x2ac9de9d494459ab28fd09f10056cfa1d4c6af40";
export const BOB_EIP55 = "0x8d56DA55A9D91b40AfF945714b19E9DfDE32D9C2";

/** The n-th test key: 64 lowercase hex, optionally behind a prefix. */
export const keyOf = (n: number, prefix = "") => prefix + n.toString(16).padStart(64 - prefix.length, "0");

/** An encoded Argon2id string for `account` whose hash segment classifies as `type`; not a real hash. */
export function syntheticHash(account: string, type: "normal" | "super" | "xuni" | "none", marker = "XEN11") {
  const salt = base64NoPad(addressBytes(account)!);
  const fill = (head: string, upper = 0) => head + "A".repeat(upper) + "b".repeat(86 - head.length - upper);
  const segment = {
    normal: fill(marker),
    super: fill(marker, 50),
    xuni: fill("XUNI3"),
    none: fill(""),
  }[type];
  return `$argon2id$v=19$m=1727,t=1,p=1$${salt}$${segment}`;
}

/** A /verify body as the worker sends it (attempts and hashrate as strings). */
export function verifyBody(key: string, account: string, hash: string) {
  return {
    hash_to_verify: hash,
    key,
    account,
    attempts: "12345",
    hashes_per_second: "2408.16",
    worker: "w1",
  };
}

export function manualClock(start = Date.UTC(2026, 10, 27, 14, 23, 42)): Clock & { set(ms: number): void } {
  let now = start;
  return {
    now: () => now,
    set: (ms) => {
      now = ms;
    },
  };
}

/** A genuine block, mined at a tiny m with a short marker so that it takes milliseconds. */
export async function mineGenuine(account: string, seed = 0): Promise<MinedBlock> {
  let n = seed * 1_000_000;
  const randomHex: RandomHex = (length) => (n++).toString(16).padStart(length, "0");
  const block = await mine({ account, memoryKiB: 8, marker: "XN", randomHex, maxAttempts: 100_000 });
  if (block === null) throw new Error("no block mined");
  return block;
}
