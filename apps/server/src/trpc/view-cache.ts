/**
 * A short-lived cache for public views that many clients ask at once (the marketplace, the fleet
 * table, the stats cards): one database read per distinct query per second, shared by every caller
 * asking in that second (single flight). Registry and lease changes clear it at once, so a listing
 * change shows on the next request; heartbeat figures may be up to `ttlMs` old, which the live
 * events cover.
 */

export interface ViewCacheOptions {
  ttlMs?: number;
  /** Distinct queries kept; the oldest goes first. */
  maxEntries?: number;
  now?: () => number;
}

export class ViewCache {
  private readonly entries = new Map<string, { at: number; value: Promise<unknown> }>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  hits = 0;
  misses = 0;

  constructor(options: ViewCacheOptions = {}) {
    this.ttlMs = options.ttlMs ?? 1000;
    this.maxEntries = options.maxEntries ?? 500;
    this.now = options.now ?? Date.now;
  }

  /** The cached answer for `key`, or `load()`'s, shared by concurrent callers. Failures are not kept. */
  get<T>(key: string, load: () => Promise<T>): Promise<T> {
    const now = this.now();
    const entry = this.entries.get(key);
    if (entry && now - entry.at < this.ttlMs) {
      this.hits++;
      return entry.value as Promise<T>;
    }
    this.misses++;
    const value = load();
    this.entries.delete(key);
    this.entries.set(key, { at: now, value });
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return value;
  }

  clear(): void {
    this.entries.clear();
  }
}
