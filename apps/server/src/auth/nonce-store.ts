/**
 * Nonces issued for sign-in and not used yet, in memory: single use (`take` removes), bounded overall
 * and per address, expired ones dropped as new ones arrive.
 */
import type { IssuedNonce } from "./siwe.js";

export interface PendingNonce extends IssuedNonce {
  /** Lowercase. */
  address: string;
  chainId: number;
}

/** Issued nonces in issue order (a Map keeps insertion order, so the oldest is first). */
export class NonceStore {
  private readonly byNonce = new Map<string, PendingNonce>();
  private readonly byAddress = new Map<string, string[]>();

  constructor(
    private readonly maxPending: number,
    private readonly maxPerAddress: number,
  ) {}

  get size(): number {
    return this.byNonce.size;
  }

  /**
   * Adds a nonce, first dropping the expired ones, then the address's oldest when it has too many,
   * then the oldest overall when the store is full. Replacing rather than refusing: refusing would
   * let anyone lock an address out of sign-in by asking for its nonces (the request is public).
   */
  add(pending: PendingNonce, now: number): void {
    for (const p of this.byNonce.values()) {
      if (p.expiresAt > now) break;
      this.remove(p);
    }
    const mine = this.byAddress.get(pending.address) ?? [];
    while (mine.length >= this.maxPerAddress)
      this.remove(this.byNonce.get(mine[0] as string) as PendingNonce);
    while (this.byNonce.size >= this.maxPending) {
      this.remove(this.byNonce.values().next().value as PendingNonce);
    }
    this.byNonce.set(pending.nonce, pending);
    mine.push(pending.nonce);
    this.byAddress.set(pending.address, mine);
  }

  /** Removes and returns the nonce: whatever follows, it cannot be used again. */
  take(nonce: string): PendingNonce | null {
    const pending = this.byNonce.get(nonce);
    if (!pending) return null;
    this.remove(pending);
    return pending;
  }

  private remove(pending: PendingNonce): void {
    this.byNonce.delete(pending.nonce);
    // In place: `add` holds the address's array while it evicts.
    const mine = this.byAddress.get(pending.address);
    if (!mine) return;
    const at = mine.indexOf(pending.nonce);
    if (at >= 0) mine.splice(at, 1);
    if (mine.length === 0) this.byAddress.delete(pending.address);
  }
}
