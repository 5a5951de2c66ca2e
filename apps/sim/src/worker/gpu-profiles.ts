/**
 * GPU models and mining rigs for simulated workers. Names are spelled the way the drivers report them
 * (that is what the real worker puts in `register.gpus[].name`); memory is GiB as the worker rounds it.
 * Hashrates are illustrative figures at the reference difficulty (m = 1727 KiB, where an RTX 4090 does
 * about 2,400 H/s as in the test vectors); Argon2id is memory-bound, so a rate scales with 1/difficulty.
 */
import type { GpuInfo } from "@xenblocks/core";

export const REFERENCE_DIFFICULTY = 1727;

export interface GpuModel {
  readonly name: string;
  readonly vendor: "nvidia" | "amd";
  readonly memoryGb: number;
  /** H/s at `REFERENCE_DIFFICULTY`, [min, max]: each card of a rig draws its own base rate in it. */
  readonly hashrate: readonly [number, number];
  /** Relative popularity when a model is drawn at random. */
  readonly weight: number;
}

export const GPU_MODELS: readonly GpuModel[] = [
  { name: "NVIDIA GeForce RTX 4090", vendor: "nvidia", memoryGb: 24, hashrate: [2350, 2460], weight: 12 },
  {
    name: "NVIDIA GeForce RTX 4080 SUPER",
    vendor: "nvidia",
    memoryGb: 16,
    hashrate: [1650, 1750],
    weight: 5,
  },
  { name: "NVIDIA GeForce RTX 4080", vendor: "nvidia", memoryGb: 16, hashrate: [1560, 1660], weight: 5 },
  { name: "NVIDIA GeForce RTX 4070 Ti", vendor: "nvidia", memoryGb: 12, hashrate: [1150, 1250], weight: 6 },
  { name: "NVIDIA GeForce RTX 4060 Ti", vendor: "nvidia", memoryGb: 8, hashrate: [600, 680], weight: 4 },
  { name: "NVIDIA GeForce RTX 3090", vendor: "nvidia", memoryGb: 24, hashrate: [1450, 1560], weight: 10 },
  { name: "NVIDIA GeForce RTX 3080", vendor: "nvidia", memoryGb: 10, hashrate: [1150, 1250], weight: 8 },
  { name: "NVIDIA GeForce RTX 3070", vendor: "nvidia", memoryGb: 8, hashrate: [780, 850], weight: 7 },
  { name: "NVIDIA GeForce RTX 3060", vendor: "nvidia", memoryGb: 12, hashrate: [480, 540], weight: 7 },
  { name: "NVIDIA RTX A6000", vendor: "nvidia", memoryGb: 48, hashrate: [1500, 1600], weight: 2 },
  { name: "NVIDIA A100-SXM4-80GB", vendor: "nvidia", memoryGb: 80, hashrate: [2600, 2800], weight: 1 },
  { name: "NVIDIA H100 80GB HBM3", vendor: "nvidia", memoryGb: 80, hashrate: [4200, 4500], weight: 1 },
  { name: "AMD Radeon RX 7900 XTX", vendor: "amd", memoryGb: 24, hashrate: [1500, 1650], weight: 4 },
  { name: "AMD Radeon RX 7900 XT", vendor: "amd", memoryGb: 20, hashrate: [1300, 1400], weight: 2 },
  { name: "AMD Radeon RX 6900 XT", vendor: "amd", memoryGb: 16, hashrate: [950, 1050], weight: 2 },
  { name: "AMD Radeon RX 6800 XT", vendor: "amd", memoryGb: 16, hashrate: [880, 960], weight: 2 },
  { name: "AMD Radeon RX 6700 XT", vendor: "amd", memoryGb: 12, hashrate: [560, 620], weight: 2 },
];

/** Rigs have 1, 2, 4 or 8 cards; most hobby rigs are small. */
export const RIG_SIZES = [1, 2, 4, 8] as const;
export type RigSize = (typeof RIG_SIZES)[number];
const RIG_SIZE_WEIGHTS: readonly number[] = [50, 25, 15, 10];

/** One card in a rig. */
export interface RigGpu {
  readonly index: number;
  readonly name: string;
  readonly memoryGb: number;
  /** PCI bus number, as the worker reports it. */
  readonly busId: number;
  /** This card's H/s at `REFERENCE_DIFFICULTY`. */
  readonly baseHashrate: number;
}

export interface Rig {
  readonly gpus: readonly RigGpu[];
}

// Riser boards put consecutive slots 32 buses apart (the test vector's two cards sit on buses 1 and 33).
const busIdFor = (index: number): number => 1 + 32 * index;

function pickWeighted<T>(items: readonly T[], weights: readonly number[], random: () => number): T {
  const total = weights.reduce((a, b) => a + b, 0);
  let r = random() * total;
  for (let i = 0; i < items.length; i++) {
    r -= weights[i] ?? 0;
    if (r < 0) return items[i]!;
  }
  return items[items.length - 1]!;
}

/** A rig of `count` identical cards (what miners build), each with its own base rate. */
export function buildRig(model: GpuModel, count: number, random: () => number = Math.random): Rig {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`GPU count must be >= 1, got ${count}`);
  const [min, max] = model.hashrate;
  const gpus = Array.from({ length: count }, (_, index) => ({
    index,
    name: model.name,
    memoryGb: model.memoryGb,
    busId: busIdFor(index),
    baseHashrate: min + (max - min) * random(),
  }));
  return { gpus };
}

export function findGpuModel(name: string): GpuModel | undefined {
  return GPU_MODELS.find((m) => m.name === name);
}

/** A random rig: a model by popularity, 1/2/4/8 cards. */
export function randomRig(
  random: () => number = Math.random,
  options: { readonly size?: RigSize; readonly model?: GpuModel } = {},
): Rig {
  const model =
    options.model ??
    pickWeighted(
      GPU_MODELS,
      GPU_MODELS.map((m) => m.weight),
      random,
    );
  const size = options.size ?? pickWeighted(RIG_SIZES, RIG_SIZE_WEIGHTS, random);
  return buildRig(model, size, random);
}

/** `register.gpus` exactly as the vector: `{index, name, memory_gb, bus_id}`. */
export function registerGpus(rig: Rig): GpuInfo[] {
  return rig.gpus.map((g) => ({ index: g.index, name: g.name, memory_gb: g.memoryGb, bus_id: g.busId }));
}

export function totalMemoryGb(rig: Rig): number {
  return rig.gpus.reduce((sum, g) => sum + g.memoryGb, 0);
}

/** Relative jitter of a reported rate: ±1.5 %, like a GPU's rate between two stat windows. */
export const HASHRATE_JITTER = 0.015;

/** One card's current H/s at `difficulty`, with jitter. */
export function gpuHashrate(gpu: RigGpu, difficulty: number, random: () => number = Math.random): number {
  const scaled = (gpu.baseHashrate * REFERENCE_DIFFICULTY) / Math.max(1, difficulty);
  return scaled * (1 + HASHRATE_JITTER * (2 * random() - 1));
}

/** Nominal rig H/s at `difficulty`, without jitter (for expectations and block-rate sampling). */
export function rigHashrate(rig: Rig, difficulty: number): number {
  return rig.gpus.reduce(
    (sum, g) => sum + (g.baseHashrate * REFERENCE_DIFFICULTY) / Math.max(1, difficulty),
    0,
  );
}
