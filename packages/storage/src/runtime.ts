/**
 * The real Clock and Ids for a Node host: wall-clock time, crypto randomness and SHA-256. Core never
 * touches these itself (it stays pure); the host hands them to `createPlatform`.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Clock, Ids } from "@xenblocks/core";

export const systemClock: Clock = { now: () => Date.now() };

/** UUIDv7 per RFC 9562: 48-bit ms timestamp, version 7, 74 random bits, variant 10. */
function uuidv7(): string {
  const bytes = randomBytes(16);
  const ms = BigInt(Date.now());
  for (let i = 0; i < 6; i++) bytes[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const nodeIds: Ids = {
  uuidv7,
  randomHex: (bytes) => randomBytes(bytes).toString("hex"),
  randomBase64Url: (bytes) => randomBytes(bytes).toString("base64url"),
  sha256Hex: async (text) => createHash("sha256").update(text, "utf8").digest("hex"),
};
