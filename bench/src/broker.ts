/**
 * Broker benchmark (issue: MQTT broker and worker channel). For each target — the embedded aedes
 * broker, and a fresh Mosquitto (started on a free port, so its memory figure starts from nothing)
 * read through the external adapter — it measures:
 *   - connections: time to connect N workers (CONNACK received), resident memory per idle connection;
 *   - fan-in: N workers publishing QoS 1 heartbeats at a set rate; PUBACKed messages per second and
 *     publish → handler latency p50/p99 (the handler runs the real pipeline: rules, JSON, zod);
 *   - saturation: the same with the rate uncapped (bounded in flight), to see the ceiling.
 * Usage: pnpm --filter @xenblocks/bench broker -- [--target embedded|mosquitto|both] [--workers 10000]
 *        [--rate 20000] [--seconds 15] [--in-flight 5000]
 */
import { type ChildProcess, fork, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { type AddressInfo, connect, createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { LoadGenerator } from "./broker/load.js";
import type { PlatformCommand, PlatformStats } from "./broker/platform-process.js";
import { percentile } from "./stats.js";

const { values } = parseArgs({
  // pnpm hands the script a literal `--` before the flags.
  args: process.argv.slice(2).filter((a) => a !== "--"),
  options: {
    target: { type: "string", default: "both" },
    workers: { type: "string", default: "10000" },
    rate: { type: "string", default: "20000" },
    seconds: { type: "string", default: "15" },
    "in-flight": { type: "string", default: "5000" },
  },
});
const WORKERS = Number(values.workers);
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const IN_FLIGHT = Number(values["in-flight"]);

function request<T>(child: ChildProcess, command: PlatformCommand): Promise<T> {
  return new Promise((resolve) => {
    child.once("message", (m) => resolve(m as T));
    child.send(command);
  });
}

function rssOfPid(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  return Number(kb) * 1024;
}

const line = (label: string, value: string) => console.log(`  ${label.padEnd(34)} ${value}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function fanIn(load: LoadGenerator, child: ChildProcess, rate: number, seconds: number) {
  await request(child, { cmd: "reset" });
  const ackedBefore = load.acked;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await load.run(rate, seconds, IN_FLIGHT);
  const elapsed = (performance.now() - started) / 1000;
  const generatorCpu = process.cpuUsage(cpuBefore);
  const ackedInWindow = load.acked - ackedBefore;
  // Drain what is in flight so the next phase starts clean (bounded wait).
  for (let i = 0; i < 200 && load.acked < load.sent; i++) await sleep(50);
  const stats = await request<PlatformStats>(child, { cmd: "stats" });
  const sorted = stats.latencies.sort((a, b) => a - b);
  return {
    ackedPerSec: ackedInWindow / elapsed,
    handled: stats.handled,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
    drops: Object.entries(stats.counters).filter(([k]) => k.startsWith("mqtt_dropped_total")),
    gc: stats.gcPauses,
    counters: stats.counters,
    // Shares of one core over the window (the drain after it is included for the platform).
    platformCpu: stats.cpuMs / 1000 / elapsed,
    maxBurst: load.maxBurst,
    generatorCpu: (generatorCpu.user + generatorCpu.system) / 1e6 / elapsed,
    loopP99: stats.loopDelayP99,
    loopMax: stats.loopDelayMax,
  };
}

/** A private Mosquitto (no config file: anonymous, loopback only) on a free port. */
async function startMosquitto(): Promise<{ port: number; child: ChildProcess }> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  const child = spawn("mosquitto", ["-p", String(port)], { stdio: "ignore" });
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const s = connect(port, "127.0.0.1", () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (up) return { port, child };
    await sleep(50);
  }
  throw new Error("mosquitto did not start");
}

async function bench(target: "embedded" | "mosquitto") {
  const mosquitto = target === "mosquitto" ? await startMosquitto() : null;
  console.log(
    `\n${mosquitto ? `Mosquitto (fresh, 127.0.0.1:${mosquitto.port}) + external adapter` : "Embedded aedes broker"}`,
  );
  const args = mosquitto ? [target, `mqtt://127.0.0.1:${mosquitto.port}`] : [target];
  const child = fork(fileURLToPath(new URL("./broker/platform-process.ts", import.meta.url)), args, {
    execArgv: [
      "--import",
      "tsx",
      "--expose-gc",
      ...(process.env.BENCH_NODE_FLAGS ? process.env.BENCH_NODE_FLAGS.split(" ") : []),
      ...(process.env.BENCH_CPU_PROFILE
        ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE}`]
        : []),
    ],
  });
  const ready = await new Promise<{ port: number }>((resolve) =>
    child.once("message", (m) => resolve(m as { port: number })),
  );
  const rssOf = async () =>
    mosquitto?.child.pid
      ? rssOfPid(mosquitto.child.pid)
      : (await request<PlatformStats>(child, { cmd: "stats", gc: true })).rssBytes;

  const rssBefore = await rssOf();
  const load = new LoadGenerator(ready.port);
  const t0 = performance.now();
  await load.connectAll(WORKERS);
  const connectSec = (performance.now() - t0) / 1000;
  await sleep(2000);
  const rssAfter = await rssOf();
  line(`connect ${WORKERS} workers`, `${connectSec.toFixed(2)} s (${Math.round(WORKERS / connectSec)}/s)`);
  line(
    "resident memory per idle connection",
    `${((rssAfter - rssBefore) / WORKERS / 1024).toFixed(1)} KiB (${target === "embedded" ? "platform process" : "mosquitto process"})`,
  );

  await load.run(Math.min(RATE, 5000), 2, IN_FLIGHT); // warm-up: JIT, buffers
  const steady = await fanIn(load, child, RATE, SECONDS);
  line(
    `fan-in at ${RATE} msg/s, ${SECONDS} s`,
    `${Math.round(steady.ackedPerSec)} PUBACKed msg/s, ${steady.handled} handled`,
  );
  line(
    "publish → handler latency",
    `p50 ${steady.p50.toFixed(2)} ms, p99 ${steady.p99.toFixed(2)} ms, max ${steady.max.toFixed(1)} ms`,
  );
  line(
    "CPU (share of one core)",
    `load generator ${(steady.generatorCpu * 100).toFixed(0)} %, platform process ${(steady.platformCpu * 100).toFixed(0)} %; largest burst ${steady.maxBurst} messages in one 2 ms tick`,
  );
  if (target === "embedded") {
    const longest = Math.max(0, ...steady.gc);
    line(
      "platform event loop",
      `delay p99 ${steady.loopP99.toFixed(1)} ms, max ${steady.loopMax.toFixed(1)} ms; ${steady.gc.length} GC pauses > 5 ms (longest ${longest.toFixed(1)} ms)`,
    );
  }
  const max = await fanIn(load, child, 1_000_000, Math.min(SECONDS, 10));
  line(
    `saturation (≤ ${IN_FLIGHT} in flight)`,
    `${Math.round(max.ackedPerSec)} PUBACKed msg/s, p50 ${max.p50.toFixed(1)} ms, p99 ${max.p99.toFixed(1)} ms`,
  );
  if (process.env.BENCH_VERBOSE) line("platform counters", JSON.stringify(max.counters));
  if (steady.drops.length + max.drops.length > 0)
    line("drops (should be none)", JSON.stringify([...steady.drops, ...max.drops]));

  await load.disconnectAll();
  // The child answers "stop" by exiting.
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.send({ cmd: "stop" } satisfies PlatformCommand);
  await exited;
  mosquitto?.child.kill();
}

console.log(
  `broker benchmark: ${WORKERS} workers, ${RATE} msg/s target, load generator and platform in separate processes on this machine`,
);
for (const target of values.target === "both"
  ? (["embedded", "mosquitto"] as const)
  : [values.target as "embedded" | "mosquitto"]) {
  await bench(target);
}
process.exit(0);
