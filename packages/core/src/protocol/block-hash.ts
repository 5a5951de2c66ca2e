/**
 * Content checks on a reported block (worker-protocol §8, platform-rules §6 checks 3–4): the encoded
 * Argon2id string, its salt against the claimed account, and the block class of `hashed_pure`. These run
 * after the schema; a failure here is a stored rejection (`malformed`, `no_block_marker`), not a drop.
 * Argon2id re-verification itself needs a native hash and lives outside core.
 */
import { fail } from "../errors.js";

/** §8, verbatim: v=19, t=1, p=1, a 27-char salt (20 bytes) and an 86-char output (64 bytes), no padding. */
export const ARGON2ID_ENCODED_PATTERN =
  /^\$argon2id\$v=19\$m=(\d+),t=1,p=1\$([A-Za-z0-9+/]{27})\$([A-Za-z0-9+/]{86})$/;

export const DEFAULT_BLOCK_MARKER = "XEN11";

export type EncodedArgon2id = {
  /** Argon2 memory cost in KiB (the difficulty the worker mined at). */
  readonly memoryKiB: number;
  /** The salt segment: unpadded standard base64 of the 20 address bytes. */
  readonly saltB64: string;
  /** The 86-character unpadded base64 of the 64 output bytes; what classification looks at. */
  readonly hashedPure: string;
};

/** Splits an encoded Argon2id string; null when it does not match §8 exactly. */
export function parseEncodedArgon2id(hash: string): EncodedArgon2id | null {
  const match = ARGON2ID_ENCODED_PATTERN.exec(hash);
  if (!match) return null;
  const [, m = "", saltB64 = "", hashedPure = ""] = match;
  const memoryKiB = Number(m);
  // `\d+` alone would admit values that a number cannot hold exactly.
  if (!Number.isSafeInteger(memoryKiB)) return null;
  return { memoryKiB, saltB64, hashedPure };
}

const BASE64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Standard base64 without padding, by hand: core may not use Buffer, and btoa needs a binary string. */
export function base64NoPad(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i] ?? 0;
    const b1 = bytes[i + 1] ?? 0;
    const b2 = bytes[i + 2] ?? 0;
    const chunk = (b0 << 16) | (b1 << 8) | b2;
    const remaining = bytes.length - i;
    out += BASE64_ALPHABET[(chunk >> 18) & 63];
    out += BASE64_ALPHABET[(chunk >> 12) & 63];
    if (remaining > 1) out += BASE64_ALPHABET[(chunk >> 6) & 63];
    if (remaining > 2) out += BASE64_ALPHABET[chunk & 63];
  }
  return out;
}

/** `0x` + 40 hex (any case) as its 20 bytes; null for anything else. */
export function addressBytes(account: string): Uint8Array | null {
  if (!/^0x[0-9a-fA-F]{40}$/.test(account)) return null;
  const bytes = new Uint8Array(20);
  for (let i = 0; i < 20; i++) bytes[i] = Number.parseInt(account.slice(2 + 2 * i, 4 + 2 * i), 16);
  return bytes;
}

/**
 * True when the salt segment is the unpadded base64 of the account's 20 bytes. The account's hex case is
 * irrelevant (EIP-55 vs lowercase name the same bytes); the base64 is compared exactly, since it is
 * case-sensitive and the worker always writes the canonical encoding.
 */
export function saltMatchesAccount(saltB64: string, account: string): boolean {
  const bytes = addressBytes(account);
  return bytes !== null && base64NoPad(bytes) === saltB64;
}

export type BlockClass = "super" | "normal" | "xuni" | "none";

/** A super block has the marker and at least this many uppercase letters A–Z in `hashed_pure`. */
export const SUPER_BLOCK_MIN_UPPERCASE = 50;

const XUNI_PATTERN = /XUNI[0-9]/;

/**
 * Classifies `hashed_pure` (§8), checked in this order: super, normal, xuni, none. `marker` is `XEN11`
 * except on test fleets (`blocks.marker`, platform-rules §6); xuni rules never change.
 */
export function classifyHash(hashedPure: string, marker: string = DEFAULT_BLOCK_MARKER): BlockClass {
  // An empty marker would make every hash a block.
  if (marker.length === 0) fail("VALIDATION", "The block marker must not be empty");
  if (hashedPure.includes(marker)) {
    const uppercase = hashedPure.match(/[A-Z]/g)?.length ?? 0;
    return uppercase >= SUPER_BLOCK_MIN_UPPERCASE ? "super" : "normal";
  }
  return XUNI_PATTERN.test(hashedPure) ? "xuni" : "none";
}

/**
 * A block key: 64 hex. The worker writes lowercase; the case is not enforced because the prefix comparison
 * of platform-rules §6 is case-insensitive anyway.
 */
export function isBlockKey(key: string): boolean {
  return /^[0-9a-fA-F]{64}$/.test(key);
}
