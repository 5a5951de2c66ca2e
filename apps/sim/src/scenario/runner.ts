/**
 * Runs one scenario against the in-process platform: start the platform and a fleet of simulated
 * workers over real MQTT, let renters drive it for a while (with the scenario's disruption), wind
 * everything down, then check the invariants and report figures.
 */
import { DEFAULT_PRICING, type Platform, type Storage } from "@xenblocks/core";
import { seededRandom } from "@xenblocks/core/testing";
import { createMemoryStorage } from "@xenblocks/storage";
import { Fleet, type SimWorker } from "../worker/index.js";
import { checkInvariants } from "./invariants.js";
import { type LibraryPlatform, startLibraryPlatform } from "./platform-host.js";
import { Renters } from "./renters.js";
import { PLANS, type ScenarioName, type ScenarioPlan } from "./scenarios.js";

export interface ScenarioOptions {
  /** Simulated workers (default 12). */
  workers?: number;
  /** Seconds of renting (default 30); winding down adds a few. */
  seconds?: number;
  seed?: number;
  /** Receives a progress line every second. */
  onProgress?: (line: string) => void;
  /** Storage for the platform (default: memory). */
  storage?: Storage;
}

export interface ScenarioReport {
  name: ScenarioName;
  ok: boolean;
  violations: string[];
  figures: Record<string, number | string>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, predicate: () => Promise<boolean> | boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`scenario: timed out waiting for ${what}`);
    await sleep(200);
  }
}

/** Every worker registered, then priced to accept short leases (providers acting as themselves). */
async function prepareWorkers(platform: Platform, fleet: Fleet) {
  await waitFor(
    "every worker to register",
    async () =>
      (await Promise.all(fleet.workers.map((w) => platform.fleet.getWorker(w.workerId)))).every(
        (w) => w?.online,
      ),
    30_000,
  );
  for (const worker of fleet.workers) {
    const owner = { address: worker.ethAddress.toLowerCase(), via: "wallet" as const };
    const r = await platform.workers.setPricing(owner, worker.workerId, {
      ...DEFAULT_PRICING,
      minDurationSec: 5,
    });
    if (!r.ok) throw r.error;
  }
}

async function disrupt(
  kind: NonNullable<ScenarioPlan["disruption"]>["kind"],
  host: LibraryPlatform,
  fleet: Fleet,
  renters: Renters,
) {
  if (kind === "storm") return renters.storm(6);
  if (kind === "restart-broker") return host.restartBroker(2000);
  // kill-mining: of the workers mining, a third die (the will fires), a third lose the network for 5 s.
  const mining = fleet.workers.filter((w: SimWorker) => w.state === "MINING");
  for (const [i, worker] of mining.entries()) {
    if (i % 3 === 0) await worker.kill();
    else if (i % 3 === 1) worker.dropConnection(5000);
  }
}

export async function runScenario(
  name: ScenarioName,
  options: ScenarioOptions = {},
): Promise<ScenarioReport> {
  const plan = PLANS[name];
  if (!plan) throw new Error(`unknown scenario ${JSON.stringify(name)}`);
  const size = options.workers ?? 12;
  const seconds = options.seconds ?? 30;
  // A seed replays the same choices (fleet rigs, renters, churn).
  const random = seededRandom(options.seed ?? 1);
  const storage = options.storage ?? createMemoryStorage();
  const started = Date.now();

  // A shorter assignment timeout than production (30 s) keeps a run's wind-down short.
  const host = await startLibraryPlatform({ storage, config: { lease: { assignTimeoutSec: 10 } } });
  let fleet: Fleet | null = null;
  try {
    fleet = new Fleet({
      brokerUrl: host.mqttUrl,
      size,
      random,
      connectConcurrency: 50,
      worker: { heartbeatSec: 2, watchdogSec: 1, reconnectMaxMs: 2000, blockPattern: "XN" },
      blocks: { perGpuMeanSec: 6 },
      chain: { url: host.chainUrl, retryDelayMs: 200 },
      ...(plan.churn && { churn: plan.churn }),
    });
    return await drive(name, plan, { host, fleet, storage, size, seconds, random, started, options });
  } finally {
    await fleet?.close({ clearRetained: false }).catch(() => {});
    await host.close();
  }
}

interface Run {
  host: LibraryPlatform;
  fleet: Fleet;
  storage: Storage;
  size: number;
  seconds: number;
  random: () => number;
  started: number;
  options: ScenarioOptions;
}

async function drive(name: ScenarioName, plan: ScenarioPlan, run: Run): Promise<ScenarioReport> {
  const { host, fleet, storage, size, seconds, random, started, options } = run;
  const { platform } = host;
  const start = await fleet.start();
  if (start.failed > 0) throw new Error(`${start.failed} workers could not connect`);
  await prepareWorkers(platform, fleet);
  const renters = new Renters(platform, Math.max(1, Math.round(size * plan.rentersPerWorker)), random);
  await renters.fund(10_000);

  if (plan.stormAtStart) await renters.storm(6);
  let disrupted = false;
  for (let second = 0; second < seconds; second++) {
    if (plan.disruption && !disrupted && second >= seconds * plan.disruption.atShare) {
      disrupted = true;
      await disrupt(plan.disruption.kind, host, fleet, renters);
    }
    await renters.round(plan.rentChance, plan.stopChance, plan.durationSec);
    options.onProgress?.(
      `${name} ${second + 1}/${seconds}s  ${fleet.progressLine()}  leases ${renters.stats.rented}`,
    );
    await sleep(1000);
  }

  // Wind down: nobody rents, everyone stops, workers report AVAILABLE, the jobs settle the rest.
  await renters.stopAll();
  await waitFor(
    "open leases to end",
    async () => (await storage.leases.listOpen()).length === 0,
    45_000,
  ).catch(() => {});
  await sleep(1000);
  await host.runJobs();
  const invariants = await checkInvariants(platform, storage);
  const handlerFailures = Object.entries(host.brokerCounters.snapshot()).filter(([k]) =>
    k.startsWith("mqtt_handler_failed_total"),
  );
  const violations = [...invariants.violations, ...handlerFailures.map(([k, v]) => `${v} × ${k}`)];
  const byState: Record<string, number> = {};
  for (const lease of invariants.leases) byState[lease.state] = (byState[lease.state] ?? 0) + 1;
  const counts = fleet.counts();
  return {
    name,
    ok: violations.length === 0,
    violations,
    figures: {
      workers: size,
      seconds: Math.round((Date.now() - started) / 1000),
      leases: invariants.leases.length,
      ...Object.fromEntries(Object.entries(byState).map(([s, n]) => [`leases ${s}`, n])),
      "rents refused": Object.values(renters.stats.refused).reduce((a, b) => a + b, 0),
      "blocks found": counts.blocksFound,
      "blocks accepted": invariants.acceptedBlocks,
      ...Object.fromEntries(
        Object.entries(invariants.rejectedBlocks).map(([r, n]) => [`blocks rejected ${r}`, n]),
      ),
      settlements: invariants.settlements,
      registers: host.brokerCounters.get("mqtt_inbound_total", "register"),
      "chain blocks": host.chain.chain.stats().total_blocks,
    },
  };
}
