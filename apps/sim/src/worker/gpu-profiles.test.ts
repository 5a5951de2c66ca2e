import { registerMessageSchema } from "@xenblocks/core";
import { describe, expect, it } from "vitest";
import {
  buildRig,
  findGpuModel,
  GPU_MODELS,
  gpuHashrate,
  HASHRATE_JITTER,
  REFERENCE_DIFFICULTY,
  RIG_SIZES,
  randomRig,
  registerGpus,
} from "./gpu-profiles.js";
import { registerPayload } from "./payloads.js";

describe("GPU profiles", () => {
  it("has NVIDIA and AMD cards with sane figures", () => {
    expect(new Set(GPU_MODELS.map((m) => m.vendor))).toEqual(new Set(["nvidia", "amd"]));
    for (const m of GPU_MODELS) {
      expect(m.memoryGb).toBeGreaterThan(0);
      expect(m.hashrate[0]).toBeLessThan(m.hashrate[1]);
    }
  });

  it("builds the vector's rig: two RTX 4090 on buses 1 and 33", () => {
    const rig = buildRig(findGpuModel("NVIDIA GeForce RTX 4090")!, 2);
    expect(registerGpus(rig)).toEqual([
      { index: 0, name: "NVIDIA GeForce RTX 4090", memory_gb: 24, bus_id: 1 },
      { index: 1, name: "NVIDIA GeForce RTX 4090", memory_gb: 24, bus_id: 33 },
    ]);
  });

  it("draws rigs of 1, 2, 4 or 8 GPUs whose register payload passes core's schema", () => {
    let seed = 1;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const sizes = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const rig = randomRig(random);
      sizes.add(rig.gpus.length);
      const payload = registerPayload("w1", "0x8d56DA55A9D91b40AfF945714b19E9DfDE32D9C2", rig, Date.now());
      expect(registerMessageSchema.safeParse(payload).success).toBe(true);
      expect(payload.total_memory_gb).toBe(rig.gpus.reduce((s, g) => s + g.memoryGb, 0));
    }
    expect([...sizes].sort((a, b) => a - b)).toEqual([...RIG_SIZES]);
    // The 8-GPU payload is the largest the worker sends: well under 2 KiB.
    const big = randomRig(random, { size: 8, model: findGpuModel("NVIDIA A100-SXM4-80GB")! });
    expect(
      JSON.stringify(registerPayload("w".repeat(16), "0x" + "a".repeat(40), big, 0)).length,
    ).toBeLessThan(2048);
  });

  it("jitters around the base rate and scales with 1/difficulty", () => {
    const [gpu] = buildRig(findGpuModel("NVIDIA GeForce RTX 4090")!, 1, () => 0).gpus;
    expect(gpu!.baseHashrate).toBe(2350);
    for (const r of [0, 0.5, 0.999]) {
      const rate = gpuHashrate(gpu!, REFERENCE_DIFFICULTY, () => r);
      expect(Math.abs(rate - 2350)).toBeLessThanOrEqual(2350 * HASHRATE_JITTER);
    }
    expect(gpuHashrate(gpu!, REFERENCE_DIFFICULTY * 2, () => 0.5)).toBeCloseTo(1175, 5);
  });
});
