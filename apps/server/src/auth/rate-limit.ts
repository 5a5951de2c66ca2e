/**
 * A token-bucket rate limiter keyed by string (a client IP, an address). Each key holds up to
 * `capacity` tokens and regains `capacity` per `windowMs`, continuously. Memory is bounded: a key
 * idle long enough to be full again is the same as an unknown key and is dropped, and past `maxKeys`
 * the least recently used key goes.
 */
import type { Clock } from "@xenblocks/core";

export interface RateLimit {
  /** Burst size and tokens regained per window. */
  capacity: number;
  windowMs: number;
}

/** Sign-in (`auth.nonce` and `auth.verify`, REST included): per client IP. */
export const SIGN_IN_LIMIT: RateLimit = { capacity: 10, windowMs: 60_000 };
/** Mutations: per actor address. */
export const MUTATION_LIMIT: RateLimit = { capacity: 60, windowMs: 60_000 };
export const MAX_RATE_LIMIT_KEYS = 10_000;

export interface RateLimiterOptions extends RateLimit {
  clock: Clock;
  maxKeys?: number;
}

interface Bucket {
  tokens: number;
  /** Epoch ms of the last refill. */
  at: number;
}

export class RateLimiter {
  private readonly capacity: number;
  private readonly windowMs: number;
  private readonly clock: Clock;
  private readonly maxKeys: number;
  /** Least recently used first (a Map keeps insertion order; `take` re-inserts). */
  private readonly buckets = new Map<string, Bucket>();

  constructor(options: RateLimiterOptions) {
    if (!(options.capacity >= 1) || !(options.windowMs > 0)) {
      throw new Error("a rate limit needs capacity ≥ 1 and windowMs > 0");
    }
    this.capacity = options.capacity;
    this.windowMs = options.windowMs;
    this.clock = options.clock;
    this.maxKeys = options.maxKeys ?? MAX_RATE_LIMIT_KEYS;
  }

  /** How many keys are tracked (for tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }

  /** Takes one token for the key: true if there was one, false when the caller must wait. */
  take(key: string): boolean {
    const now = this.clock.now();
    this.dropIdle(now);
    const bucket = this.buckets.get(key) ?? { tokens: this.capacity, at: now };
    this.buckets.delete(key);
    const elapsed = Math.max(0, now - bucket.at);
    bucket.tokens = Math.min(this.capacity, bucket.tokens + (elapsed * this.capacity) / this.windowMs);
    bucket.at = now;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    this.buckets.set(key, bucket);
    while (this.buckets.size > this.maxKeys) {
      this.buckets.delete(this.buckets.keys().next().value as string);
    }
    return allowed;
  }

  /** Milliseconds until the key has a token again (0 if it has one now); for `Retry-After`. */
  retryAfterMs(key: string): number {
    const bucket = this.buckets.get(key);
    if (!bucket) return 0;
    const tokens =
      bucket.tokens + (Math.max(0, this.clock.now() - bucket.at) * this.capacity) / this.windowMs;
    return tokens >= 1 ? 0 : Math.ceil(((1 - tokens) * this.windowMs) / this.capacity);
  }

  /** Keys untouched for a whole window are full again: forgetting them changes nothing. */
  private dropIdle(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (now - bucket.at < this.windowMs) break;
      this.buckets.delete(key);
    }
  }
}
