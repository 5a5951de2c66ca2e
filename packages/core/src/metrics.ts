/**
 * Counters for everything the platform refuses or drops, by name and reason. Hosts export them
 * (e.g. Prometheus); tests read them to prove a refusal was counted exactly once.
 */
export class Counters {
  private readonly values = new Map<string, number>();

  inc(name: string, reason?: string, by = 1): void {
    const key = reason === undefined ? name : `${name}{${reason}}`;
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }

  get(name: string, reason?: string): number {
    return this.values.get(reason === undefined ? name : `${name}{${reason}}`) ?? 0;
  }

  /** Every counter as `name{reason}` → value, sorted by key. */
  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.values].sort(([a], [b]) => a.localeCompare(b)));
  }
}
