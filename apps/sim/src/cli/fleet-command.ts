/**
 * `fleet`: N simulated workers against a broker, with a live progress line, until SIGINT/SIGTERM or
 * `--seconds`. Closing disconnects every worker silently and clears the retained wills churn left behind,
 * so a stopped fleet does not look like N crashed workers to the next platform that subscribes.
 */
import { DEFAULT_BLOCK_MARKER } from "@xenblocks/core";
import { DEFAULT_PROVIDER_ADDRESSES, Fleet, type FleetOptions } from "../worker/fleet.js";
import { DEFAULT_DIFFICULTY } from "../worker/types.js";
import {
  type CliIo,
  EXIT_FAILURE,
  EXIT_OK,
  type ExitCode,
  println,
  UsageError,
  untilStopped,
} from "./cli-io.js";
import { addressFlag, integerFlag, numberFlag, parseFlags, requiredFlag, urlFlag } from "./flags.js";
import { markerFlag } from "./marker.js";
import { createProgress, formatElapsed, startTicker } from "./progress.js";

export const MQTT_PROTOCOLS = ["mqtt", "mqtts", "tcp", "tls", "ws", "wss"] as const;
export const DEFAULT_BLOCK_MEAN_SEC = 600;
export const DEFAULT_CONNECT_CONCURRENCY = 200;
/** Churn rounds and outages: frequent enough to show in a few minutes, short enough to keep most online. */
export const CHURN_EVERY_SEC = 30;
export const CHURN_DOWN_SEC: readonly [number, number] = [5, 60];

export const FLEET_HELP = `pnpm sim -- fleet — simulated XenblocksMiner workers in platform mode, over real MQTT

Usage: pnpm sim -- fleet --workers N --mqtt URL [options]

  --workers N              workers to run, 1 to 100000 (required)
  --mqtt URL               the platform's broker, mqtt:// mqtts:// ws:// or wss:// (required)
  --owner ADDR             provider (owner) address, 0x + 40 hex; repeat it for several owners,
                           assigned round-robin (default: 4 built-in provider addresses)
  --heartbeat-sec S        seconds between heartbeats (default 30, as the worker)
  --block-marker M         the workers' test block pattern (the worker's --testBlockPattern), e.g. XN;
                           the platform and chain must use the same marker (default XEN11)
  --difficulty D           Argon2 memory in KiB, fixed (the worker's --testFixedDiff: set_config
                           difficulty sticks, no /difficulty poll, no /verify). Without it workers start
                           at ${DEFAULT_DIFFICULTY} and follow the chain's /difficulty when --chain is given
  --blocks-per-gpu-sec S   mean seconds between blocks for one GPU (default ${DEFAULT_BLOCK_MEAN_SEC}; 0 = no blocks)
  --genuine                compute every block with real Argon2id (a few at a time, fleet-wide)
  --synthetic              report synthetic blocks (right format and marker, random hash: they fail
                           Argon2id re-verification). Default: genuine when the marker is not XEN11
  --churn P                every ${CHURN_EVERY_SEC} s each connected worker drops out with chance P (0 to 1) for
                           ${CHURN_DOWN_SEC[0]}-${CHURN_DOWN_SEC[1]} s: half network drops, half process restarts (default 0)
  --chain URL              chain RPC (the worker's --rpcLink): difficulty polled, blocks sent to /verify
  --connect-concurrency N  CONNECTs in flight at once (default ${DEFAULT_CONNECT_CONCURRENCY})
  --seconds T              stop after T seconds (default: run until Ctrl-C or SIGTERM)
  -h, --help               this text

Prints a progress line (workers connected, leased, blocks found) every second on a terminal, every
10 s otherwise. On exit every worker disconnects silently and the retained wills are cleared.

Examples:
  pnpm sim -- fleet --workers 100 --mqtt mqtt://127.0.0.1:1883
  pnpm sim -- fleet --workers 20 --mqtt mqtt://127.0.0.1:1883 --block-marker XN --difficulty 1727 \\
    --blocks-per-gpu-sec 30 --heartbeat-sec 5 --churn 0.05 --seconds 300`;

const OPTIONS = {
  workers: { type: "string" },
  mqtt: { type: "string" },
  owner: { type: "string", multiple: true },
  "heartbeat-sec": { type: "string" },
  "block-marker": { type: "string" },
  difficulty: { type: "string" },
  "blocks-per-gpu-sec": { type: "string" },
  genuine: { type: "boolean" },
  synthetic: { type: "boolean" },
  churn: { type: "string" },
  chain: { type: "string" },
  "connect-concurrency": { type: "string" },
  seconds: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

export interface FleetPlan {
  readonly options: FleetOptions;
  readonly seconds: number | undefined;
  /** One line saying what runs, for the log. */
  readonly summary: string;
}

/** Turns the flags into fleet options; throws `UsageError` on anything wrong. Null means `--help`. */
export function planFleet(args: readonly string[]): FleetPlan | null {
  const { values } = parseFlags("fleet", { args: [...args], options: OPTIONS });
  if (values.help) return null;
  const size = integerFlag(
    "workers",
    requiredFlag("fleet", "workers", values.workers),
    { min: 1, max: 100_000 },
    0,
  );
  const brokerUrl = urlFlag("mqtt", requiredFlag("fleet", "mqtt", values.mqtt), MQTT_PROTOCOLS);
  const owners = (values.owner ?? []).map((raw) => addressFlag("owner", raw));
  const heartbeatSec = numberFlag(
    "heartbeat-sec",
    values["heartbeat-sec"],
    { min: 0, max: 86_400, exclusiveMin: true },
    30,
  );
  const marker = markerFlag("block-marker", values["block-marker"]);
  const difficulty = integerFlag("difficulty", values.difficulty, { min: 8, max: 1_000_000 }, undefined);
  const meanSec = numberFlag(
    "blocks-per-gpu-sec",
    values["blocks-per-gpu-sec"],
    { min: 0, max: 1e9 },
    DEFAULT_BLOCK_MEAN_SEC,
  );
  if (values.genuine && values.synthetic)
    throw new UsageError("--genuine and --synthetic exclude each other", "fleet");
  const genuine = values.genuine ? true : values.synthetic ? false : undefined;
  const churn = numberFlag("churn", values.churn, { min: 0, max: 1 }, 0);
  const chainUrl = values.chain === undefined ? undefined : urlFlag("chain", values.chain, ["http", "https"]);
  const connectConcurrency = integerFlag(
    "connect-concurrency",
    values["connect-concurrency"],
    { min: 1, max: 10_000 },
    DEFAULT_CONNECT_CONCURRENCY,
  );
  const seconds = numberFlag(
    "seconds",
    values.seconds,
    { min: 0, max: 31_536_000, exclusiveMin: true },
    undefined,
  );

  const options: FleetOptions = {
    brokerUrl,
    size,
    connectConcurrency,
    ...(owners.length > 0 && { owners }),
    worker: {
      heartbeatSec,
      ...(difficulty !== undefined && { difficulty, fixedDifficulty: true }),
      ...(marker !== undefined && { blockPattern: marker }),
    },
    ...(meanSec > 0 && {
      blocks: { perGpuMeanSec: meanSec, ...(genuine !== undefined && { genuine }) },
    }),
    ...(churn > 0 && { churn: { everySec: CHURN_EVERY_SEC, probability: churn, downSec: CHURN_DOWN_SEC } }),
    ...(chainUrl !== undefined && { chain: { url: chainUrl } }),
  };
  const blockKind =
    genuine === undefined
      ? marker && marker !== DEFAULT_BLOCK_MARKER
        ? "genuine"
        : "synthetic"
      : genuine
        ? "genuine"
        : "synthetic";
  const summary =
    `fleet: ${size} workers -> ${brokerUrl}, ${owners.length || DEFAULT_PROVIDER_ADDRESSES.length} owners, ` +
    `heartbeat ${heartbeatSec} s, marker ${marker ?? DEFAULT_BLOCK_MARKER}, ` +
    `difficulty ${difficulty !== undefined ? `${difficulty} KiB fixed` : chainUrl ? "from the chain" : `${DEFAULT_DIFFICULTY} KiB`}, ` +
    (meanSec > 0 ? `${blockKind} blocks every ~${meanSec} s per GPU` : "no blocks") +
    (churn > 0 ? `, churn ${churn}` : "") +
    (chainUrl ? `, chain ${chainUrl}` : "");
  return { options, seconds, summary };
}

export async function fleetCommand(args: readonly string[], io: CliIo): Promise<ExitCode> {
  const plan = planFleet(args);
  if (plan === null) {
    println(io.out, FLEET_HELP);
    return EXIT_OK;
  }
  println(io.out, plan.summary);
  const fleet = new Fleet(plan.options);
  const startedAt = Date.now();
  const line = (): string => `[${formatElapsed(Date.now() - startedAt)}] ${fleet.progressLine()}`;
  const { connected, failed } = await fleet.start();
  println(
    io.out,
    `connected ${connected}/${plan.options.size} in ${((Date.now() - startedAt) / 1000).toFixed(2)} s`,
  );
  if (connected === 0) {
    await fleet.close();
    println(io.err, `fleet: no worker could connect to ${plan.options.brokerUrl}`);
    return EXIT_FAILURE;
  }
  if (failed > 0) {
    // A worker whose first connect fails keeps platform mode off until restarted (H17): it stays out.
    println(io.err, `fleet: ${failed} workers could not connect and stay offline (as the real worker does)`);
  }

  const progress = createProgress(io.out);
  progress.update(line());
  const ticker = startTicker(progress, line);
  const why = await untilStopped(io.stop, plan.seconds === undefined ? undefined : plan.seconds * 1000);
  ticker.stop();
  println(io.out, why === "elapsed" ? `stopping after ${plan.seconds} s` : "stopping");
  const final = line();
  await fleet.close();
  println(io.out, final);
  println(io.out, "fleet closed, retained wills cleared");
  return EXIT_OK;
}
