/**
 * Starts simulated workers against the real broker with test-friendly timers, watched by a `TestPlatform`,
 * and tears everything down (including retained wills) afterwards.
 */
import { buildRig, findGpuModel } from "../gpu-profiles.js";
import { SimWorker } from "../sim-worker.js";
import type { SimWorkerOptions } from "../sim-worker-options.js";
import { BROKER_URL, OWNER, TestPlatform, testWorkerId } from "./test-platform.js";

/** Two RTX 4090 like the vectors' worker, with fixed base rates. */
export const VECTOR_RIG = buildRig(findGpuModel("NVIDIA GeForce RTX 4090")!, 2, () => 0.5);

export type TestWorkerOptions = Partial<SimWorkerOptions>;

export class WorkerHarness {
  private readonly workers: SimWorker[] = [];

  private constructor(readonly platform: TestPlatform) {}

  static async create(): Promise<WorkerHarness> {
    return new WorkerHarness(await TestPlatform.connect());
  }

  /** A worker that is not started yet; the platform already watches its topics. */
  async create(tag: string, options: TestWorkerOptions = {}): Promise<SimWorker> {
    const workerId = options.workerId ?? testWorkerId(tag);
    await this.platform.watch(workerId);
    const worker = new SimWorker({
      brokerUrl: BROKER_URL,
      ethAddress: OWNER,
      rig: VECTOR_RIG,
      difficulty: 1727,
      fixedDifficulty: true,
      // Long heartbeat unless a test wants them; fast watchdog and reconnect so the suite stays short.
      heartbeatSec: 60,
      watchdogSec: 0.2,
      reconnectMinMs: 100,
      reconnectMaxMs: 800,
      ...options,
      workerId,
    });
    this.workers.push(worker);
    return worker;
  }

  /** A started worker whose register and AVAILABLE status the platform has received. */
  async spawn(tag: string, options: TestWorkerOptions = {}): Promise<SimWorker> {
    const worker = await this.create(tag, options);
    if (!(await worker.start())) throw new Error(`worker ${worker.workerId} could not connect`);
    await this.platform.waitForStatus(worker.workerId, "AVAILABLE");
    return worker;
  }

  async dispose(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
    for (const w of this.workers) await this.platform.clearRetained(w.workerId);
    await this.platform.close();
  }
}
