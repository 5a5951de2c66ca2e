/**
 * The simulated worker: a faithful model of XenblocksMiner in platform mode over real MQTT
 * (spec/worker-protocol.md), and a fleet of them.
 */
export {
  ChainSubmitter,
  type ChainSubmitterOptions,
  fetchDifficulty,
  type VerifyOutcome,
  type VerifyRequest,
  type VerifyResult,
} from "./chain-submitter.js";
export {
  DEFAULT_PROVIDER_ADDRESSES,
  Fleet,
  type FleetBlocks,
  type FleetChurn,
  type FleetCounts,
  type FleetOptions,
  type FleetWorkerOptions,
} from "./fleet.js";
export {
  DEFAULT_GENUINE_MAX_ATTEMPTS,
  DEFAULT_MINING_CONCURRENCY,
  type GenuineMiningCounts,
} from "./fleet-mining.js";
export {
  buildRig,
  findGpuModel,
  GPU_MODELS,
  type GpuModel,
  gpuHashrate,
  REFERENCE_DIFFICULTY,
  RIG_SIZES,
  type Rig,
  type RigGpu,
  type RigSize,
  randomRig,
  registerGpus,
  rigHashrate,
  totalMemoryGb,
} from "./gpu-profiles.js";
export { type MiningHost, MiningLoop } from "./mining-loop.js";
export { Scheduler, type SchedulerOptions, sharedScheduler, type TimerTarget } from "./scheduler.js";
export { SimWorker } from "./sim-worker.js";
export type { ChainOptions, SimWorkerOptions } from "./sim-worker-options.js";
export { randomKey, syntheticBlock, syntheticBlockSource } from "./synthetic-blocks.js";
export * from "./types.js";
export { inXuniWindow } from "./worker-machine.js";
