/**
 * Fleet benchmark (issue: simulator): how many simulated workers one process holds, against the whole
 * platform. The simulator's Fleet (mqtt.js workers with the real worker's state machine and timers)
 * runs in this process; the platform (core, embedded broker, chain simulator, jobs) in a child.
 * Reported: time to connect every worker, time until the platform has them all registered and online,
 * memory per worker in the fleet process, and then a hold period of ordinary heartbeats with the CPU
 * and event-loop delay of both sides.
 * Usage: pnpm --filter @xenblocks/bench fleet -- [--workers 10000] [--concurrency 200] [--hold 60]
 *        [--heartbeat-sec 30] [--mqtt URL (an external broker instead of the platform child)]
 */
import { type ChildProcess, fork } from "node:child_process";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Fleet } from "@xenblocks/sim/worker";
import type { FleetPlatformCommand, FleetPlatformStats } from "./fleet/platform-process.js";

const { values } = parseArgs({
  // pnpm hands the script a literal `--` before the flags.
  args: process.argv.slice(2).filter((a) => a !== "--"),
  options: {
    workers: { type: "string", default: "10000" },
    concurrency: { type: "string", default: "200" },
    hold: { type: "string", default: "60" },
    "heartbeat-sec": { type: "string", default: "30" },
    mqtt: { type: "string" },
  },
});
const WORKERS = Number(values.workers);
const HOLD_SEC = Number(values.hold);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const line = (label: string, value: string) => console.log(`  ${label.padEnd(30)} ${value}`);
const gc = (globalThis as { gc?: () => void }).gc;
async function settledMemory() {
  gc?.();
  await sleep(500);
  gc?.();
  return process.memoryUsage();
}

function request(child: ChildProcess, command: FleetPlatformCommand): Promise<FleetPlatformStats> {
  return new Promise((resolve) => {
    child.once("message", (m) => resolve(m as FleetPlatformStats));
    child.send(command);
  });
}

let platform: ChildProcess | null = null;
let mqttUrl = values.mqtt;
if (!mqttUrl) {
  platform = fork(fileURLToPath(new URL("./fleet/platform-process.ts", import.meta.url)), [], {
    execArgv: ["--import", "tsx"],
  });
  const child = platform;
  mqttUrl = await new Promise<string>((resolve) =>
    child.once("message", (m) => resolve((m as { mqttUrl: string }).mqttUrl)),
  );
}
console.log(
  `fleet benchmark: ${WORKERS} simulated workers in one process, ${platform ? "against the platform (child process)" : mqttUrl}`,
);

const before = await settledMemory();
const fleet = new Fleet({
  brokerUrl: mqttUrl,
  size: WORKERS,
  connectConcurrency: Number(values.concurrency),
  worker: {
    heartbeatSec: Number(values["heartbeat-sec"]),
    fixedDifficulty: true,
    difficulty: 64,
    blockPattern: "XN",
  },
});
const t0 = performance.now();
const started = await fleet.start();
const connectSec = (performance.now() - t0) / 1000;
line(`connect ${WORKERS} workers`, `${connectSec.toFixed(2)} s, ${started.failed} failed`);
if (platform) {
  const child = platform;
  let stats = await request(child, { cmd: "stats" });
  while (stats.workersOnline < WORKERS && performance.now() - t0 < 120_000) {
    await sleep(250);
    stats = await request(child, { cmd: "stats" });
  }
  line(
    "all registered and online",
    `${((performance.now() - t0) / 1000).toFixed(2)} s after the first CONNECT (${stats.workersOnline} online)`,
  );
}
const after = await settledMemory();
line(
  "fleet process memory per worker",
  `RSS ${((after.rss - before.rss) / WORKERS / 1024).toFixed(1)} KiB, heap ${((after.heapUsed - before.heapUsed) / WORKERS / 1024).toFixed(1)} KiB`,
);

if (HOLD_SEC > 0) {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const cpu = process.cpuUsage();
  const platformBefore = platform ? await request(platform, { cmd: "stats" }) : null;
  await sleep(HOLD_SEC * 1000);
  const used = process.cpuUsage(cpu);
  line(
    `fleet process, ${HOLD_SEC} s of heartbeats`,
    `CPU ${((used.user + used.system) / 10 / 1000 / HOLD_SEC).toFixed(1)} % of a core, event loop p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms, max ${(delay.max / 1e6).toFixed(1)} ms`,
  );
  if (platform && platformBefore) {
    const p = await request(platform, { cmd: "stats" });
    line(
      "platform process, same period",
      `${Math.round((p.heartbeats - platformBefore.heartbeats) / HOLD_SEC)} heartbeats/s handled, CPU ${((p.cpuMs - platformBefore.cpuMs) / 10 / HOLD_SEC).toFixed(1)} % of a core, event loop p99 ${p.loopDelayP99.toFixed(1)} ms, max ${p.loopDelayMax.toFixed(1)} ms, RSS ${(p.rssBytes / 1024 / 1024).toFixed(0)} MiB, ${p.workersOnline} online`,
    );
  }
  console.log(`  ${fleet.progressLine()}`);
}

const t1 = performance.now();
await fleet.close({ clearRetained: !platform });
line("fleet closed", `${((performance.now() - t1) / 1000).toFixed(2)} s`);
if (platform) {
  const child = platform;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.send({ cmd: "stop" } satisfies FleetPlatformCommand);
  await exited;
}
process.exit(0);
