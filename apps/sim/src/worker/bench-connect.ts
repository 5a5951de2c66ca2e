/**
 * Measures connecting a fleet to a broker from one process: time until every worker has its CONNACK (and
 * has sent register + AVAILABLE), and memory per worker. Not a test: figures go to stdout.
 *
 *   NODE_OPTIONS=--expose-gc npx tsx src/worker/bench-connect.ts [workers=2000] [concurrency=100] [holdSec=0] [url]
 *
 * With holdSec > 0 the fleet then runs that long (heartbeats every 30 s) and the script reports the CPU
 * time used and the event-loop delay meanwhile.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { Fleet } from "./fleet.js";

const size = Number(process.argv[2] ?? 2000);
const concurrency = Number(process.argv[3] ?? 100);
const holdSec = Number(process.argv[4] ?? 0);
const brokerUrl = process.argv[5] ?? "mqtt://127.0.0.1:1883";
const gc = (globalThis as { gc?: () => void }).gc;

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const settle = async (): Promise<NodeJS.MemoryUsage> => {
  gc?.();
  await new Promise((resolve) => setTimeout(resolve, 500));
  gc?.();
  return process.memoryUsage();
};

const before = await settle();
const fleet = new Fleet({
  brokerUrl,
  size,
  connectConcurrency: concurrency,
  worker: { fixedDifficulty: true, difficulty: 1727 },
});
const t0 = performance.now();
const { connected, failed } = await fleet.start();
const elapsedMs = performance.now() - t0;
const after = await settle();

console.log(`workers ${size}, connect concurrency ${concurrency}, broker ${brokerUrl}`);
console.log(`connected ${connected}, failed ${failed} in ${(elapsedMs / 1000).toFixed(2)} s`);
console.log(`  ${((connected / elapsedMs) * 1000).toFixed(0)} connects/s`);
console.log(
  `rss ${mib(before.rss)} → ${mib(after.rss)}: ${((after.rss - before.rss) / size / 1024).toFixed(1)} KiB/worker`,
);
console.log(
  `heap ${mib(before.heapUsed)} → ${mib(after.heapUsed)}: ${((after.heapUsed - before.heapUsed) / size / 1024).toFixed(1)} KiB/worker` +
    (gc ? "" : " (run with --expose-gc for settled figures)"),
);
console.log(fleet.progressLine());
if (holdSec > 0) {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const cpu = process.cpuUsage();
  await new Promise((resolve) => setTimeout(resolve, holdSec * 1000));
  delay.disable();
  const used = process.cpuUsage(cpu);
  const heartbeats = fleet.workers.reduce(
    (n, w) => n + w.sent.filter((s) => s.suffix === "heartbeat").length,
    0,
  );
  console.log(
    `held ${holdSec} s: ${heartbeats} heartbeats, CPU ${((used.user + used.system) / 1000 / holdSec / 10).toFixed(1)} %` +
      `, event-loop delay p50 ${(delay.percentile(50) / 1e6).toFixed(1)} ms, max ${(delay.max / 1e6).toFixed(1)} ms`,
  );
  console.log(fleet.progressLine());
}
const t1 = performance.now();
await fleet.close();
console.log(`closed in ${((performance.now() - t1) / 1000).toFixed(2)} s`);
