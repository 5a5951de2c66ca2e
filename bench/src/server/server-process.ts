/**
 * The server under test, in its own process: `startServer` exactly as `xenblocks-server` runs it
 * (libSQL file given by `--db`, the embedded broker and HTTP on free ports of 127.0.0.1, the embedded
 * chain simulator), plus a small IPC side door for the benchmark: wait until N workers are online, give
 * the workers varied prices as their owners would, report memory and event-loop delay, stop.
 * The server source is imported by path and run through tsx (the server package exports no library
 * entry), so it is the code in the working tree; its workspace dependencies are their built `dist`.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { suggestPrice, type WorkerRecord } from "@xenblocks/core";
import { configSchema } from "../../../apps/server/src/config.js";
import { createLogger } from "../../../apps/server/src/log.js";
import { startServer } from "../../../apps/server/src/server.js";
import { exitWithParent } from "./children.js";

export type ServerCommand =
  | { cmd: "waitOnline"; count: number; timeoutMs: number }
  | { cmd: "waitHeartbeats"; count: number; timeoutMs: number }
  | { cmd: "price" }
  | { cmd: "stats" }
  | { cmd: "stop" };

export interface ServerReady {
  ready: true;
  httpPort: number;
  mqttPort: number;
}

export interface ServerStats {
  rssBytes: number;
  heapUsedBytes: number;
  /** Event-loop delay since the previous `stats`, ms. */
  loopP50: number;
  loopP99: number;
  loopMax: number;
  online: number;
  total: number;
  /** Log lines of level warn/error by message, since start. */
  logs: Record<string, number>;
}

exitWithParent();
const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { db: { type: "string" } },
});
if (!values.db) throw new Error("--db is required");

const logs: Record<string, number> = {};
const logger = createLogger("warn", (entry) => {
  let msg = "?";
  try {
    msg = (JSON.parse(entry) as { msg: string }).msg;
  } catch {}
  const seen = (logs[msg] ?? 0) + 1;
  logs[msg] = seen;
  if (seen <= 3) process.stderr.write(`[server] ${entry}`);
});

const server = await startServer(
  configSchema.parse({
    httpPort: 0,
    mqttPort: 0,
    host: "127.0.0.1",
    db: values.db,
    blockMarker: "XN",
    logLevel: "warn",
  }),
  logger,
);
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Draws from a fixed seed so every run prices the fleet the same way. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Every worker gets a price around its GPU table price (× 0.6–1.6) and duration bounds, set by its
 * owner through the platform's own service (as `provider.setPricing` does); 5 % are unlisted.
 */
async function priceFleet(): Promise<{ priced: number; unlisted: number; ms: number }> {
  const started = performance.now();
  const random = seeded(6);
  const queries = server.platform.queries.fleet;
  const workers: WorkerRecord[] = [];
  for (let page = 1; ; page++) {
    const { items } = await queries.page({ page, limit: 1000, sortBy: "workerId", sortDir: "asc" });
    workers.push(...items);
    if (items.length < 1000) break;
  }
  let unlisted = 0;
  const minDurations = [60, 300, 600, 3600];
  const maxDurations = [3600, 4 * 3600, 86_400, 7 * 86_400];
  for (const record of workers) {
    const actor = { address: record.owner, via: "wallet" as const };
    const base = suggestPrice(record).pricePerSec;
    const factor = BigInt(Math.round((0.6 + random()) * 1000));
    const price = (base * factor) / 1000n;
    const result = await server.platform.workers.setPricing(actor, record.workerId, {
      pricePerSec: price > 0n ? price : 1n,
      minDurationSec: minDurations[Math.floor(random() * minDurations.length)] as number,
      maxDurationSec: maxDurations[Math.floor(random() * maxDurations.length)] as number,
    });
    if (!result.ok) throw new Error(`setPricing ${record.workerId}: ${result.error.message}`);
    if (random() < 0.05) {
      const off = await server.platform.workers.setListed(actor, record.workerId, false);
      if (!off.ok) throw new Error(`setListed ${record.workerId}: ${off.error.message}`);
      unlisted++;
    }
  }
  return { priced: workers.length, unlisted, ms: performance.now() - started };
}

async function stats(): Promise<ServerStats> {
  const fleet = await server.platform.queries.fleet.stats();
  const memory = process.memoryUsage();
  const value: ServerStats = {
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    loopP50: loop.percentile(50) / 1e6,
    loopP99: loop.percentile(99) / 1e6,
    loopMax: loop.max / 1e6,
    online: fleet.online,
    total: fleet.totalWorkers,
    logs: { ...logs },
  };
  loop.reset();
  return value;
}

process.on("message", async (message: ServerCommand & { reply?: number }) => {
  const answer = (value: unknown) => process.send?.({ reply: message.reply, value });
  switch (message.cmd) {
    case "waitOnline": {
      const started = performance.now();
      let online = 0;
      while (performance.now() - started < message.timeoutMs) {
        online = (await server.platform.queries.fleet.stats()).online;
        if (online >= message.count) break;
        await sleep(250);
      }
      answer({ online, ms: performance.now() - started });
      return;
    }
    case "waitHeartbeats": {
      // Until `count` workers show a hashrate in storage: each has heartbeated and the batch was flushed.
      const started = performance.now();
      let reporting = 0;
      while (performance.now() - started < message.timeoutMs) {
        reporting = (
          await server.platform.queries.fleet.page({
            page: 1,
            limit: 1,
            sortBy: "workerId",
            sortDir: "asc",
            minHashrate: 0.001,
          })
        ).total;
        if (reporting >= message.count) break;
        await sleep(1000);
      }
      answer({ reporting, ms: performance.now() - started });
      return;
    }
    case "price":
      answer(await priceFleet());
      return;
    case "stats":
      answer(await stats());
      return;
    case "stop":
      await server.close();
      process.exit(0);
  }
});

process.send?.({
  ready: true,
  httpPort: server.httpPort,
  mqttPort: server.mqttPort ?? 0,
} satisfies ServerReady);
