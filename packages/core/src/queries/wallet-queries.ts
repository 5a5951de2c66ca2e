/**
 * An owner's mining history and achievements (platform-rules §9), from roll-ups, counters and
 * settlements. Reads touch the owner's own rows only.
 */
import type { Context } from "../context.js";
import type { Units } from "../money.js";
import type { HashratePoint } from "../ports.js";
import type { WorkerRecord } from "../types.js";
import { round2 } from "./fleet-queries.js";

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export type WalletPeriod = "24h" | "7d" | "30d" | "all";

export interface WalletPoint {
  ts: number;
  avgHashrate: number;
  peakHashrate: number;
  onlineWorkers: number;
  totalWorkers: number;
  blocks: number;
  earnings: Units;
}

export interface WalletTotals {
  currentHashrate: number;
  onlineWorkers: number;
  totalWorkers: number;
  totalGpus: number;
  peakHashrate: number;
  leaseBlocks: number;
  selfBlocks: number;
  totalBlocks: number;
  totalEarnings: Units;
  leasesServed: number;
  /** Σ online seconds / 86,400, 1 dp. */
  miningDays: number;
  /** Earliest registeredAt, null without workers. */
  firstSeen: number | null;
  workerCount: number;
}

export class WalletQueries {
  constructor(private readonly ctx: Context) {}

  /** Buckets of the period (§9): hourly roll-ups (+ the current hour from raw for 24 h), or daily. */
  async history(owner: string, period: WalletPeriod): Promise<{ bucketSec: number; points: WalletPoint[] }> {
    const me = owner.toLowerCase();
    const { storage, clock } = this.ctx;
    const now = clock.now();
    const bucketMs = period === "all" ? DAY_MS : HOUR_MS;
    const end = Math.floor(now / bucketMs) * bucketMs + bucketMs;
    const spanMs =
      period === "24h" ? 24 * HOUR_MS : period === "7d" ? 7 * DAY_MS : period === "30d" ? 30 * DAY_MS : null;
    const totals = await storage.workers.totals({ owner: me });
    const from =
      spanMs !== null ? end - spanMs : Math.floor((totals.firstRegisteredAt ?? now) / DAY_MS) * DAY_MS;
    const currentHour = Math.floor(now / HOUR_MS) * HOUR_MS;
    const [rolled, partial, accepted, self, earnings] = await Promise.all([
      storage.monitoring.series({
        owner: me,
        from,
        to: period === "24h" ? currentHour : end,
        bucketMs,
        source: period === "all" ? "daily" : "hourly",
      }),
      period === "24h"
        ? storage.monitoring.series({ owner: me, from: currentHour, to: end, bucketMs, source: "raw" })
        : Promise.resolve([] as HashratePoint[]),
      storage.blocks.countByBucket({ owner: me, status: "accepted", from, to: end, bucketMs }),
      // Self-mined blocks count once the chain verified them (§6, §9).
      storage.blocks.countByBucket({
        owner: me,
        status: "self",
        chainStatus: "verified",
        from,
        to: end,
        bucketMs,
      }),
      storage.settlements.providerEarningsByBucket({ provider: me, from, to: end, bucketMs }),
    ]);
    // Every bucket of the period is a point (§9: 24 for 24h, 168 for 7d, 720 for 30d), zero where
    // nothing happened.
    const points = new Map<number, WalletPoint>();
    const at = (ts: number): WalletPoint => {
      let p = points.get(ts);
      if (!p) {
        p = {
          ts,
          avgHashrate: 0,
          peakHashrate: 0,
          onlineWorkers: 0,
          totalWorkers: totals.total,
          blocks: 0,
          earnings: 0n,
        };
        points.set(ts, p);
      }
      return p;
    };
    for (let ts = from; ts < end; ts += bucketMs) at(ts);
    for (const s of [...rolled, ...partial]) {
      const p = at(s.ts);
      p.avgHashrate = round2(s.hashrate);
      // Roll-ups keep per-worker averages only; the bucket's summed average is its peak lower bound.
      p.peakHashrate = round2(s.hashrate);
      p.onlineWorkers = s.onlineWorkers;
    }
    for (const b of [...accepted, ...self]) at(b.ts).blocks += b.count;
    for (const e of earnings) at(e.ts).earnings += e.sum;
    return {
      bucketSec: bucketMs / 1000,
      points: [...points.values()].sort((a, b) => a.ts - b.ts),
    };
  }

  /** Achievements and stats cards (§9) for one owner. */
  async totals(owner: string): Promise<WalletTotals> {
    const me = owner.toLowerCase();
    const { storage, clock } = this.ctx;
    const now = clock.now();
    const [workers, fleet, earned, served, hourly] = await Promise.all([
      storage.workers.listByOwner(me),
      storage.workers.totals({ owner: me }),
      storage.settlements.totals({ provider: me }),
      storage.leases.count({ provider: me, state: "completed" }),
      storage.monitoring.series({
        owner: me,
        from: now - 30 * DAY_MS,
        to: now,
        bucketMs: HOUR_MS,
        source: "hourly",
      }),
    ]);
    const onlineSec = workers.reduce((sum: number, w: WorkerRecord) => sum + w.onlineSec, 0);
    const peak = Math.max(fleet.hashrate, ...hourly.map((p) => p.hashrate));
    return {
      currentHashrate: round2(fleet.hashrate),
      onlineWorkers: fleet.online,
      totalWorkers: fleet.total,
      totalGpus: fleet.gpus,
      peakHashrate: round2(peak),
      leaseBlocks: fleet.leaseBlocks,
      selfBlocks: fleet.selfBlocks,
      totalBlocks: fleet.leaseBlocks + fleet.selfBlocks,
      totalEarnings: earned.providerAmount,
      leasesServed: served,
      miningDays: Math.round((onlineSec / 86_400) * 10) / 10,
      firstSeen: fleet.firstRegisteredAt,
      workerCount: fleet.total,
    };
  }
}
