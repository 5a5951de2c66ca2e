/**
 * The CI scenarios. Each is a fleet shape plus what happens to it while renters rent; the runner
 * does the rest (start, drive, wind down, check invariants) the same way for all of them.
 */
import type { FleetOptions } from "../worker/index.js";

export const SCENARIO_NAMES = [
  "steady",
  "churn",
  "lease-storm",
  "worker-failures",
  "broker-restart",
] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export const SCENARIO_DESCRIPTIONS: Record<ScenarioName, string> = {
  steady: "a steady fleet; renters rent, mine and stop, some leases run to expiry",
  churn: "workers drop off the network and come back, or restart, while leases run",
  "lease-storm": "twice as many renters as workers all rent at once, twice; one lease per worker at most",
  "worker-failures": "a third of the mining workers die mid-lease, another third lose the network",
  "broker-restart": "the MQTT broker restarts mid-run; workers reconnect without registering again",
};

/** What a scenario does on top of the common run. */
export interface ScenarioPlan {
  /** Renters per worker. */
  rentersPerWorker: number;
  /** Per round (1 s): chance a renter without a lease rents, and one with a lease stops. */
  rentChance: number;
  stopChance: number;
  /** Lease durations asked, in seconds (workers accept from 5 s). */
  durationSec: readonly [number, number];
  churn?: FleetOptions["churn"];
  /** Happens once, at the given share of the run. */
  disruption?: { atShare: number; kind: "storm" | "kill-mining" | "restart-broker" };
  /** A storm at the start too. */
  stormAtStart?: boolean;
}

export const PLANS: Record<ScenarioName, ScenarioPlan> = {
  steady: { rentersPerWorker: 1, rentChance: 0.5, stopChance: 0.1, durationSec: [5, 20] },
  churn: {
    rentersPerWorker: 1,
    rentChance: 0.5,
    stopChance: 0.1,
    durationSec: [5, 20],
    churn: { everySec: 2, probability: 0.08, downSec: [1, 4], restartShare: 0.5 },
  },
  "lease-storm": {
    rentersPerWorker: 2,
    rentChance: 0,
    stopChance: 0.2,
    durationSec: [6, 6],
    stormAtStart: true,
    // After the first leases (6 s) have ended and their workers are matchable again.
    disruption: { atShare: 0.7, kind: "storm" },
  },
  "worker-failures": {
    rentersPerWorker: 1,
    rentChance: 0.6,
    stopChance: 0.05,
    durationSec: [20, 40],
    disruption: { atShare: 0.4, kind: "kill-mining" },
  },
  "broker-restart": {
    rentersPerWorker: 1,
    rentChance: 0.5,
    stopChance: 0.1,
    durationSec: [10, 30],
    disruption: { atShare: 0.4, kind: "restart-broker" },
  },
};
