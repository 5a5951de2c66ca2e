/**
 * One scheduler for every periodic job. Each job runs when due by the injected clock and never
 * overlaps itself (a tick that finds it still running skips it, so a slow job never piles up), and
 * jobs are independent: a chain check stuck on a slow external chain does not hold up lease expiry.
 * Tests call `tick()` with a fake clock; the server starts the timer.
 */
import type { Clock } from "@xenblocks/core";
import type { ServerLogger } from "./log.js";

interface Job {
  name: string;
  everyMs: number;
  run: () => Promise<unknown>;
  nextAt: number;
  runs: number;
  failures: number;
  running: Promise<void> | null;
}

export class Scheduler {
  private readonly jobs: Job[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly logger: ServerLogger,
  ) {}

  /** Registers a job; its first run is one period from now unless `runAtStart`. */
  every(name: string, everyMs: number, run: () => Promise<unknown>, runAtStart = false): this {
    this.jobs.push({
      name,
      everyMs,
      run,
      nextAt: this.clock.now() + (runAtStart ? 0 : everyMs),
      runs: 0,
      failures: 0,
      running: null,
    });
    return this;
  }

  /** Starts the jobs that are due now and not already running; resolves when those are done. */
  tick(): Promise<void> {
    const started: Promise<void>[] = [];
    for (const job of this.jobs) {
      const now = this.clock.now();
      if (job.running || now < job.nextAt) continue;
      // The next run is a period after this one started: a late tick does not cause a burst of runs.
      job.nextAt = now + job.everyMs;
      job.running = this.runJob(job).finally(() => {
        job.running = null;
      });
      started.push(job.running);
    }
    return Promise.all(started).then(() => {});
  }

  private async runJob(job: Job): Promise<void> {
    try {
      await job.run();
      job.runs += 1;
    } catch (e) {
      job.failures += 1;
      this.logger.error("job failed", { job: job.name, error: e instanceof Error ? e.message : String(e) });
    }
  }

  start(resolutionMs = 250): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), resolutionMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await Promise.all(this.jobs.map((job) => job.running));
  }

  /** Per job: runs and failures (for `/metrics`). */
  stats(): Array<{ name: string; runs: number; failures: number }> {
    return this.jobs.map(({ name, runs, failures }) => ({ name, runs, failures }));
  }
}
