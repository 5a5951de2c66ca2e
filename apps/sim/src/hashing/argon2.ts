/**
 * Real XenBlocks block hashes (worker-protocol §8): Argon2id v19, t=1, p=1, m = difficulty in KiB,
 * 64-byte output, password = the 64 ASCII characters of the key, salt = the 20 bytes of the account.
 * hash-wasm computes them (WASM, no native build); core owns the encoding, parsing and classification.
 */
import {
  type Argon2Verifier,
  addressBytes,
  base64NoPad,
  isBlockKey,
  parseEncodedArgon2id,
  saltMatchesAccount,
} from "@xenblocks/core";
import { argon2id } from "hash-wasm";

/** Argon2 needs at least 8 KiB per lane, and XenBlocks always mines with one lane. */
export const MIN_MEMORY_KIB = 8;

/**
 * Verification takes m from an untrusted string: without a ceiling, one request could make the process
 * allocate gigabytes. 256 MiB is well above the chain's cap (100,000 KiB) and the worker's 42,069 default.
 */
export const DEFAULT_MAX_VERIFY_MEMORY_KIB = 262_144;

export interface BlockHash {
  /** `$argon2id$v=19$m=<m>,t=1,p=1$<salt, 27 chars>$<hashed_pure, 86 chars>` */
  encoded: string;
  /** Unpadded standard base64 of the 64 output bytes: what classification looks at. */
  hashedPure: string;
}

/** The raw 64 output bytes; exported for tests that compare with another implementation. */
export async function blockHashBytes(key: string, account: string, memoryKiB: number): Promise<Uint8Array> {
  if (!isBlockKey(key)) throw new TypeError("key must be 64 hex characters");
  const salt = addressBytes(account);
  if (salt === null) throw new TypeError("account must be 0x + 40 hex");
  if (!Number.isSafeInteger(memoryKiB) || memoryKiB < MIN_MEMORY_KIB) {
    throw new RangeError(`memoryKiB must be an integer >= ${MIN_MEMORY_KIB}, got ${memoryKiB}`);
  }
  return argon2id({
    password: key,
    salt,
    iterations: 1,
    parallelism: 1,
    memorySize: memoryKiB,
    hashLength: 64,
    outputType: "binary",
  });
}

/** Hashes a block key for an account at a difficulty, as the real worker does. Throws on invalid input. */
export async function blockHash(key: string, account: string, memoryKiB: number): Promise<BlockHash> {
  const bytes = await blockHashBytes(key, account, memoryKiB);
  // addressBytes cannot be null here: blockHashBytes has already refused a malformed account.
  const saltB64 = base64NoPad(addressBytes(account)!);
  const hashedPure = base64NoPad(bytes);
  return { encoded: `$argon2id$v=19$m=${memoryKiB},t=1,p=1$${saltB64}$${hashedPure}`, hashedPure };
}

export interface VerifyOptions {
  /** Hashes claiming a larger m are refused without hashing (default 262,144 KiB). */
  maxMemoryKiB?: number;
}

/**
 * True when `encoded` is exactly what the worker would have produced for `key` and `account`: the
 * string parses, its salt segment is the account's bytes, and recomputing at its m gives its hash segment.
 * Never throws: anything malformed is simply not a valid block hash.
 */
export async function verifyBlockHash(
  encoded: string,
  key: string,
  account: string,
  options: VerifyOptions = {},
): Promise<boolean> {
  const parsed = parseEncodedArgon2id(encoded);
  if (parsed === null || !isBlockKey(key) || !saltMatchesAccount(parsed.saltB64, account)) return false;
  const max = options.maxMemoryKiB ?? DEFAULT_MAX_VERIFY_MEMORY_KIB;
  if (parsed.memoryKiB < MIN_MEMORY_KIB || parsed.memoryKiB > max) return false;
  const recomputed = await blockHash(key, account, parsed.memoryKiB);
  return recomputed.hashedPure === parsed.hashedPure;
}

/** core's `Argon2Verifier` port (platform-rules §6 check 5), for hosts that switch re-verification on. */
export function createArgon2Verifier(options: VerifyOptions = {}): Argon2Verifier {
  const max = options.maxMemoryKiB ?? DEFAULT_MAX_VERIFY_MEMORY_KIB;
  return {
    async verify({ key, account, memoryKiB, hashedPure }) {
      if (!isBlockKey(key) || addressBytes(account) === null) return false;
      if (!Number.isSafeInteger(memoryKiB) || memoryKiB < MIN_MEMORY_KIB || memoryKiB > max) return false;
      const recomputed = await blockHash(key, account, memoryKiB);
      return recomputed.hashedPure === hashedPure;
    },
  };
}
