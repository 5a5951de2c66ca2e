/**
 * The acceptance checks of platform-rules §6 that need no storage, in the spec's order. The block
 * service runs the duplicate-key check (storage) before these and Argon2id re-verification (a port)
 * between the format checks and the lease checks.
 */
import { classifyHash, isBlockKey, parseEncodedArgon2id, saltMatchesAccount } from "../protocol/index.js";
import type { BlockRejectReason, BlockType, LeaseRecord } from "../types.js";

export interface BlockFacts {
  key: string;
  hash: string;
  account: string;
  leaseId: string;
}

export type FormatVerdict =
  | { ok: true; blockType: Exclude<BlockType, "none">; memoryKiB: number; hashedPure: string }
  | { ok: false; reason: "malformed" | "no_block_marker"; blockType: BlockType; memoryKiB: number | null };

/** Checks 3 and 4: key and encoded hash well formed, salt = account bytes, a block marker present. */
export function checkFormat(block: BlockFacts, marker: string): FormatVerdict {
  const parsed = parseEncodedArgon2id(block.hash);
  if (!isBlockKey(block.key) || parsed === null || !saltMatchesAccount(parsed.saltB64, block.account)) {
    return { ok: false, reason: "malformed", blockType: "none", memoryKiB: parsed?.memoryKiB ?? null };
  }
  const blockType = classifyHash(parsed.hashedPure, marker);
  if (blockType === "none") {
    return { ok: false, reason: "no_block_marker", blockType, memoryKiB: parsed.memoryKiB };
  }
  return { ok: true, blockType, memoryKiB: parsed.memoryKiB, hashedPure: parsed.hashedPure };
}

/** Checks 7–11 for a lease block: the first failing one, or null when the block is accepted. */
export function checkLeaseBlock(
  block: BlockFacts,
  workerId: string,
  lease: Pick<LeaseRecord, "workerId" | "prefix" | "consumerAddress" | "state" | "endedAt"> | null,
  receivedAt: number,
  graceAfterEndMs: number,
): BlockRejectReason | null {
  if (lease === null) return "unknown_lease";
  if (lease.workerId !== workerId) return "wrong_worker";
  if (block.key.slice(0, 16).toLowerCase() !== lease.prefix.toLowerCase()) return "prefix_mismatch";
  if (block.account.toLowerCase() !== lease.consumerAddress.toLowerCase()) return "account_mismatch";
  if (lease.state === "active") return null;
  const endedRecently =
    (lease.state === "completed" || lease.state === "interrupted") &&
    lease.endedAt !== null &&
    receivedAt <= lease.endedAt + graceAfterEndMs;
  return endedRecently ? null : "outside_lease_window";
}

/** When to ask the chain next, or null once the schedule is exhausted (→ `not_found`). */
export function nextChainCheckAt(receivedAt: number, checksDone: number, scheduleSec: readonly number[]) {
  const offset = scheduleSec[checksDone];
  return offset === undefined ? null : receivedAt + offset * 1000;
}
