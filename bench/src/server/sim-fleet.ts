/**
 * The simulated fleet both server benchmarks use: the simulator's `Fleet` (mqtt.js workers with the
 * real worker's state machine), with random rigs (varied GPU models and counts) at the reference
 * difficulty, spread over 200 owners, no mining. Worker ids are `<8 hex prefix><index as 8 hex>`.
 */
import { createHash } from "node:crypto";
import { Fleet, REFERENCE_DIFFICULTY } from "@xenblocks/sim/worker";

export const OWNERS: readonly string[] = Array.from(
  { length: 200 },
  (_, i) => `0x${createHash("sha256").update(`bench-owner-${i}`).digest("hex").slice(0, 40)}`,
);

export const ID_PREFIX = "be7c5e11";

/** The index of a worker id made by this fleet. */
export const indexOfWorker = (workerId: string) => Number.parseInt(workerId.slice(ID_PREFIX.length), 16);

export async function startFleet(options: { mqttUrl: string; size: number; heartbeatSec: number }) {
  const fleet = new Fleet({
    brokerUrl: options.mqttUrl,
    size: options.size,
    idPrefix: ID_PREFIX,
    owners: OWNERS,
    connectConcurrency: 200,
    worker: {
      heartbeatSec: options.heartbeatSec,
      fixedDifficulty: true,
      difficulty: REFERENCE_DIFFICULTY,
      blockPattern: "XN",
      logLimit: 0,
    },
  });
  const started = performance.now();
  const result = await fleet.start();
  return { fleet, ...result, connectMs: performance.now() - started };
}
