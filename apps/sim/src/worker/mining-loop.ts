/**
 * The worker's GPU loop, reduced to calls of a block source: it hashes for the current mining context until
 * the context changes (a lease starts or ends, `set_config`, a new difficulty), then starts over with the
 * new one, as the worker restarts its GPU loop. A block from an aborted job is dropped: it belongs to the
 * previous context.
 */
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { BlockSource, FoundBlock, MiningJob } from "./types.js";

export interface MiningHost {
  /** False once platform mode ends (shutdown, kill, close). */
  isRunning(): boolean;
  currentJob(signal: AbortSignal): MiningJob;
  foundBlock(found: FoundBlock, job: MiningJob): boolean;
  minerFailed(message: string): void;
}

export class MiningLoop {
  private controller: AbortController | null = null;
  private running = false;

  constructor(
    private readonly miner: BlockSource,
    private readonly host: MiningHost,
    /** Pause after a miner error before the next job (an invalid account fails every time: H11). */
    private readonly errorPauseMs = 1000,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.run();
  }

  /** The mining context changed: the job in progress is stale. */
  restart(): void {
    this.controller?.abort();
  }

  stop(): void {
    this.running = false;
    this.controller?.abort();
  }

  private async run(): Promise<void> {
    try {
      while (this.running && this.host.isRunning()) {
        const controller = new AbortController();
        this.controller = controller;
        const job = this.host.currentJob(controller.signal);
        try {
          const found = await this.miner(job);
          if (found && !controller.signal.aborted) this.host.foundBlock(found, job);
          else await yieldToEventLoop();
        } catch (error) {
          // A failing miner or report (a listener that throws) is reported, never an unhandled
          // rejection; the loop pauses and goes on.
          this.host.minerFailed(error instanceof Error ? error.message : String(error));
          await new Promise((resolve) => setTimeout(resolve, this.errorPauseMs));
        }
      }
    } finally {
      this.running = false;
    }
  }
}
