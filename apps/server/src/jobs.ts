/** The platform's periodic jobs and their periods (platform-rules §4–§8, §12). */
import type { Platform } from "@xenblocks/core";
import type { Scheduler } from "./scheduler.js";

export function scheduleJobs(scheduler: Scheduler, platform: Platform): Scheduler {
  const { jobs } = platform;
  return scheduler
    .every("expire-leases", 1000, jobs.expireLeases)
    .every("cancel-unconfirmed", 1000, jobs.cancelUnconfirmed)
    .every("dispatch-controls", 1000, jobs.dispatchControls)
    .every("flush-heartbeats", 2000, jobs.flushHeartbeats)
    .every("sweep-liveness", 5000, jobs.sweepLiveness)
    .every("check-chain", 5000, jobs.checkChain)
    .every("snapshot-hashrate", 30_000, jobs.snapshotHashrate)
    .every("rollup-hashrate", 60_000, jobs.rollupHashrate)
    .every("prune-history", 3_600_000, jobs.pruneHistory);
}
