/**
 * One scheduler for every periodic job. Jobs run one at a time, in registration order, when due by the
 * injected clock; a tick that finds the previous one still running is skipped, so slow jobs never pile
 * up. Tests call `tick()` with a fake clock; the server starts the timer.
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
}

export class Scheduler {
  private readonly jobs: Job[] = [];
  private running: Promise<void> | null = null;
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
    });
    return this;
  }

  /** Runs the jobs that are due now; resolves when they are done. */
  tick(): Promise<void> {
    if (this.running) return this.running;
    this.running = this.runDue().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async runDue(): Promise<void> {
    for (const job of this.jobs) {
      const now = this.clock.now();
      if (now < job.nextAt) continue;
      // The next run is a period after this one started: a late tick does not cause a burst of runs.
      job.nextAt = now + job.everyMs;
      try {
        await job.run();
        job.runs += 1;
      } catch (e) {
        job.failures += 1;
        this.logger.error("job failed", { job: job.name, error: e instanceof Error ? e.message : String(e) });
      }
    }
  }

  start(resolutionMs = 250): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), resolutionMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Per job: runs and failures (for `/metrics`). */
  stats(): Array<{ name: string; runs: number; failures: number }> {
    return this.jobs.map(({ name, runs, failures }) => ({ name, runs, failures }));
  }
}
