/** Domain records as the API's shared objects (api.md §1.1): money as decimal strings, time in ms. */
import { keccak_256 } from "@noble/hashes/sha3.js";
import type { BlockRecord } from "@xenblocks/core";

/** EIP-55: hex letters upper-cased where the keccak-256 of the lowercase address has a nibble ≥ 8. */
export function checksumAddress(address: string): string {
  const hex = address.toLowerCase().replace(/^0x/, "");
  const hash = keccak_256(new TextEncoder().encode(hex));
  let out = "0x";
  for (let i = 0; i < hex.length; i++) {
    const nibble = ((hash[i >> 1] as number) >> (i % 2 === 0 ? 4 : 0)) & 0xf;
    out += nibble >= 8 ? (hex[i] as string).toUpperCase() : hex[i];
  }
  return out;
}

export function blockView(b: BlockRecord) {
  return {
    id: b.id,
    key: b.key,
    workerId: b.workerId,
    leaseId: b.leaseId,
    hash: b.hash,
    account: b.account,
    attempts: b.attempts,
    hashrate: b.hashrate,
    blockType: b.blockType,
    difficulty: b.difficulty,
    status: b.status,
    ...(b.rejectReason !== null && { rejectReason: b.rejectReason }),
    chainStatus: b.chainStatus,
    ...(b.chainBlockId !== null && { chainBlockId: b.chainBlockId }),
    receivedAt: b.receivedAt,
  };
}
