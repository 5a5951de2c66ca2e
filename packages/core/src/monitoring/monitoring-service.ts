/**
 * Hashrate history (platform-rules §8): a snapshot of every online worker every 30 s in one batched
 * insert, hourly roll-ups a few seconds after each hour, daily roll-ups from the hourly ones, and
 * retention. Storage does the aggregation; this decides what and when.
 */
import type { Context } from "../context.js";
import { nextTurn } from "../next-turn.js";

const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Snapshot rows per insert (see `snapshot`). */
const SNAPSHOT_SLICE = 500;

export class MonitoringService {
  /** The last hour whose roll-up was built by this process (null = none yet). */
  private lastRolledHour: number | null = null;

  constructor(private readonly ctx: Context) {}

  /**
   * Every 30 s: one row per online worker, from the live state (no database read). Inserted in slices
   * of `SNAPSHOT_SLICE` rows with a turn of the event loop between them: on an embedded database an
   * insert runs synchronously, and 10,000 rows at once held the loop for ~100 ms. (The storage inserts
   * in chunks of 1,000 without a transaction either way: the rows of one snapshot were never atomic.)
   */
  async snapshot(): Promise<number> {
    const ts = this.ctx.clock.now();
    const rows = this.ctx.live
      .online()
      .map((w) => ({ workerId: w.workerId, hashrate: w.hashrate, activeGpus: w.activeGpus, ts }));
    for (let start = 0; start < rows.length; start += SNAPSHOT_SLICE) {
      if (start > 0) await nextTurn();
      await this.ctx.storage.monitoring.insertSnapshots(rows.slice(start, start + SNAPSHOT_SLICE));
    }
    return rows.length;
  }

  /**
   * Rolls up every hour that ended since the last run (at start: every hour raw snapshots still
   * cover), and the day when an hour closes one. Rebuilding an hour twice gives the same rows.
   */
  async rollup(): Promise<{ hours: number; days: number }> {
    const { monitoring } = this.ctx.storage;
    const currentHour = Math.floor(this.ctx.clock.now() / HOUR) * HOUR;
    // The first run in a process goes back as far as raw snapshots are kept: an hour that ended while
    // the platform was down (or before a crash let it roll up) would otherwise never be rolled up and
    // its snapshots would be pruned. Rebuilding an hour already rolled up is harmless.
    const firstHour = currentHour - this.ctx.config.retention.rawHours * HOUR;
    let hour = this.lastRolledHour === null ? firstHour : this.lastRolledHour + HOUR;
    let hours = 0;
    let days = 0;
    for (; hour < currentHour; hour += HOUR) {
      await monitoring.rollupHour(hour);
      hours++;
      if ((hour + HOUR) % DAY === 0) {
        await monitoring.rollupDay(hour + HOUR - DAY);
        days++;
      }
      this.lastRolledHour = hour;
    }
    return { hours, days };
  }

  /** Retention: raw 24 h, hourly 90 days, daily 2 years, health events 90 days (configurable). */
  prune() {
    const now = this.ctx.clock.now();
    const r = this.ctx.config.retention;
    return this.ctx.storage.monitoring.prune({
      raw: now - r.rawHours * HOUR,
      hourly: now - r.hourlyDays * DAY,
      daily: now - r.dailyDays * DAY,
      health: now - r.healthDays * DAY,
    });
  }
}
