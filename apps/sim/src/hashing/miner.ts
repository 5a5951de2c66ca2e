/**
 * A small CPU miner for the simulated worker: random keys, real Argon2id, core's classification. It is
 * far slower than a GPU (one hash at a time) but honest: every block it finds verifies anywhere.
 * With a short test marker (e.g. `XN`, platform-rules §6) and m = 8..64 KiB a block takes milliseconds.
 */
import { randomBytes } from "node:crypto";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import {
  addressBytes,
  type BlockClass,
  classifyHash,
  DEFAULT_BLOCK_MARKER,
  isBlockKey,
} from "@xenblocks/core";
import { blockHash, MIN_MEMORY_KIB } from "./argon2.js";

/** Returns `length` random lowercase hex characters. */
export type RandomHex = (length: number) => string;

export const cryptoRandomHex: RandomHex = (length) =>
  randomBytes(Math.ceil(length / 2))
    .toString("hex")
    .slice(0, length);

/** A lease prefix is 16 hex; `set_config` prefixes may be longer, but at least 16 random hex must remain. */
export const MAX_KEY_PREFIX_LENGTH = 48;
const KEY_PREFIX_PATTERN = /^[0-9a-fA-F]{0,48}$/;

export const DEFAULT_MAX_ATTEMPTS = 1_000_000;

export interface MineOptions {
  /** Mining address (`0x` + 40 hex): the salt, and the account the block pays. */
  account: string;
  /** Argon2 m in KiB (the chain difficulty); at least 8. */
  memoryKiB: number;
  /** Block marker (default `XEN11`); test fleets use a short one such as `XN`. */
  marker?: string;
  /** Hex the key starts with (lease prefix or `set_config` prefix), 0..48 characters. */
  keyPrefix?: string;
  /** Give up (resolve null) after this many hashes (default 1,000,000). */
  maxAttempts?: number;
  /** Stops between two hashes; the call then resolves null. */
  signal?: AbortSignal;
  /** Source of the random part of each key (default: node:crypto); tests inject a deterministic one. */
  randomHex?: RandomHex;
}

export interface MinedBlock {
  key: string;
  /** The encoded Argon2id string the worker reports as `hash` / `hash_to_verify`. */
  hash: string;
  hashedPure: string;
  blockType: Exclude<BlockClass, "none">;
  /** Hashes computed in this call, the found one included. */
  attempts: number;
}

/**
 * Hashes random keys until one classifies as a block. Resolves null when `maxAttempts` runs out or the
 * signal aborts: for a miner, being stopped is an ordinary outcome, not an error. Throws only on invalid
 * options. Yields to the event loop after every hash, so a process running thousands of MQTT clients
 * keeps serving them while it mines.
 */
export async function mine(options: MineOptions): Promise<MinedBlock | null> {
  const { account, memoryKiB, signal } = options;
  const marker = options.marker ?? DEFAULT_BLOCK_MARKER;
  const keyPrefix = options.keyPrefix ?? "";
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const randomHex = options.randomHex ?? cryptoRandomHex;
  checkOptions(options, marker, keyPrefix, maxAttempts);

  for (let attempts = 1; attempts <= maxAttempts; attempts++) {
    if (signal?.aborted) return null;
    const key = keyPrefix + randomHex(64 - keyPrefix.length);
    if (!isBlockKey(key)) throw new TypeError(`randomHex produced an invalid key: ${key}`);
    const { encoded, hashedPure } = await blockHash(key, account, memoryKiB);
    const blockType = classifyHash(hashedPure, marker);
    if (blockType !== "none") return { key, hash: encoded, hashedPure, blockType, attempts };
    await yieldToEventLoop();
  }
  return null;
}

function checkOptions(options: MineOptions, marker: string, keyPrefix: string, maxAttempts: number): void {
  if (addressBytes(options.account) === null) throw new TypeError("account must be 0x + 40 hex");
  if (!Number.isSafeInteger(options.memoryKiB) || options.memoryKiB < MIN_MEMORY_KIB) {
    throw new RangeError(`memoryKiB must be an integer >= ${MIN_MEMORY_KIB}`);
  }
  if (marker.length === 0) throw new RangeError("marker must not be empty");
  if (!KEY_PREFIX_PATTERN.test(keyPrefix)) {
    throw new RangeError(`keyPrefix must be 0..${MAX_KEY_PREFIX_LENGTH} hex characters`);
  }
  if (!(maxAttempts >= 1)) throw new RangeError("maxAttempts must be at least 1");
}
