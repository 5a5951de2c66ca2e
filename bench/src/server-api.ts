/**
 * Server API benchmark (issue 6): the marketplace read path under a closed-loop HTTP load.
 * Three processes on the same 2 cores:
 *   - the server (`src/server/server-process.ts`): `startServer` on a libSQL file in a temporary
 *     folder, the embedded broker and HTTP on free ports of 127.0.0.1;
 *   - the simulated fleet (`src/server/fleet-process.ts`): 10,000 sim workers (random rigs, 200 owners)
 *     registered over MQTT, online, heartbeating every 30 s; their owners price them (× 0.6–1.6 of the
 *     GPU table price, varied duration bounds) and unlist 5 %;
 *   - this process: the load generator, `--connections` keep-alive connections in a closed loop.
 * Phases (each `--warmup` s, then `--seconds` s measured):
 *   trpc       `GET /trpc/marketplace.list?input=…`, a realistic mix of filters, sorts and pages
 *              (a third ask the landing page; the rest draw filters, so some queries repeat within
 *              the server's 1 s view cache and most do not);
 *   trpc-cold  the same mix with every input distinct, so no answer comes from the view cache;
 *   rest       `GET /api/marketplace?…`, the same mix in the REST parameters of api.md §4.
 * Reported per phase: requests/s, latency p50/p99/max, errors, the CPU of each process (1 = one full
 * core) and the server's RSS.
 * Usage: pnpm --filter @xenblocks/bench server-api -- [--workers 10000] [--connections 50]
 *        [--seconds 20] [--warmup 3] [--phases trpc,trpc-cold,rest]
 * Environment: BENCH_CPU_PROFILE=<dir> writes the server process's CPU profile there;
 *              BENCH_CPU_PROFILE_INTERVAL_US=<µs> sets its sampling interval (default 1000);
 *              BENCH_NODE_FLAGS="--max-semi-space-size=32" passes V8 flags to the server process.
 */
import { parseArgs } from "node:util";
import {
  ask,
  cpuSecondsOfPid,
  forkTs,
  line,
  mib,
  nextMessage,
  rssOfPid,
  scratchDir,
  stopChild,
} from "./server/children.js";
import type { FleetReady } from "./server/fleet-process.js";
import { closedLoop, getJson, type LoadResult } from "./server/http-load.js";
import type { ServerReady, ServerStats } from "./server/server-process.js";

const { values } = parseArgs({
  // pnpm hands the script a literal `--` before the flags.
  args: process.argv.slice(2).filter((a) => a !== "--"),
  options: {
    workers: { type: "string", default: "10000" },
    connections: { type: "string", default: "50" },
    seconds: { type: "string", default: "20" },
    warmup: { type: "string", default: "3" },
    phases: { type: "string", default: "trpc,trpc-cold,rest" },
  },
});
const WORKERS = Number(values.workers);
const CONNECTIONS = Number(values.connections);
const SECONDS = Number(values.seconds);
const WARMUP = Number(values.warmup);
const PHASES = (values.phases ?? "").split(",").filter(Boolean);

// ---- the query mix ----------------------------------------------------------------------------------

/** A fixed-seed generator, so every run asks the same sequence. */
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

interface MarketQuery {
  page: number;
  limit: number;
  sortBy?: "value" | "price" | "hashrate" | "gpus" | "memory" | "reputation";
  sortDir?: "asc" | "desc";
  gpu?: string;
  minHashrate?: number;
  /** XNM per second, 6 decimals. */
  maxPricePerSec?: string;
  minGpus?: number;
  minMemoryGb?: number;
  durationSec?: number;
  availableOnly?: boolean;
  search?: string;
}

/**
 * What visitors of the marketplace ask: a third the landing page (first page, default sort); the rest
 * a sort, often a GPU model or a price cap, sometimes more filters, mostly the first pages.
 */
function marketQuery(random: () => number): MarketQuery {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  if (random() < 0.33) return { page: 1, limit: 20 };
  const q: MarketQuery = {
    page: pick([1, 1, 1, 1, 1, 2, 2, 3, 4, 5, 8]),
    limit: pick([20, 20, 20, 50, 100]),
  };
  if (random() < 0.6)
    q.sortBy = pick(["value", "price", "hashrate", "gpus", "memory", "reputation"] as const);
  if (random() < 0.2) q.sortDir = pick(["asc", "desc"] as const);
  if (random() < 0.35) q.gpu = pick(["4090", "3090", "RTX 40", "A100", "H100", "7900", "3060", "RTX"]);
  if (random() < 0.25) q.minHashrate = pick([1000, 2500, 5000, 10_000]);
  if (random() < 0.25) q.maxPricePerSec = pick(["0.010000", "0.025000", "0.050000", "0.100000"]);
  if (random() < 0.2) q.minGpus = pick([2, 4, 8]);
  if (random() < 0.15) q.minMemoryGb = pick([16, 24, 48, 80]);
  if (random() < 0.15) q.durationSec = pick([600, 3600, 86_400]);
  if (random() < 0.05) q.availableOnly = false;
  if (random() < 0.05) q.search = pick(["be7c5e11", "RTX 4090", "0x1"]);
  return q;
}

/** The same query with a tiny distinct hashrate floor: it filters nothing out, but no two keys match. */
function coldQuery(random: () => number, n: number): MarketQuery {
  const q = marketQuery(random);
  return { ...q, minHashrate: (q.minHashrate ?? 0) + n * 1e-6 };
}

const trpcPath = (q: MarketQuery) => `/trpc/marketplace.list?input=${encodeURIComponent(JSON.stringify(q))}`;

function restPath(q: MarketQuery): string {
  const p = new URLSearchParams({ page: String(q.page), limit: String(q.limit) });
  if (q.sortBy) p.set("sort_by", q.sortBy);
  if (q.gpu) p.set("gpu_type", q.gpu);
  if (q.minHashrate !== undefined) p.set("min_hashrate", String(q.minHashrate));
  // REST caps the price per minute.
  if (q.maxPricePerSec) p.set("max_price", (Number(q.maxPricePerSec) * 60).toFixed(6));
  if (q.minGpus !== undefined) p.set("min_gpus", String(q.minGpus));
  if (q.availableOnly === false) p.set("available_only", "false");
  if (q.search) p.set("search", q.search);
  return `/api/marketplace?${p}`;
}

// ---- the run ------------------------------------------------------------------------------------------

const dir = scratchDir("xb-bench-api-");
const serverFlags = [
  // V8 flags for the server process only, e.g. BENCH_NODE_FLAGS="--max-semi-space-size=32" (as broker.ts).
  ...(process.env.BENCH_NODE_FLAGS ? process.env.BENCH_NODE_FLAGS.split(" ").filter(Boolean) : []),
  ...(process.env.BENCH_CPU_PROFILE
    ? [
        "--cpu-prof",
        `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE}`,
        // A long run at the default 1 ms interval can outgrow what the profiler keeps; a coarser one helps.
        ...(process.env.BENCH_CPU_PROFILE_INTERVAL_US
          ? [`--cpu-prof-interval=${process.env.BENCH_CPU_PROFILE_INTERVAL_US}`]
          : []),
      ]
    : []),
];
const server = forkTs(
  new URL("./server/server-process.ts", import.meta.url),
  ["--db", `${dir}/xenblocks.db`],
  serverFlags,
);
const ready = await nextMessage<ServerReady>(server, (m) => (m as ServerReady).ready === true);
const serverPid = server.pid as number;
console.log(
  `server API benchmark: ${WORKERS} workers, ${CONNECTIONS} keep-alive connections, ${WARMUP} s warm-up + ${SECONDS} s per phase`,
);
line("server", `pid ${serverPid}, http 127.0.0.1:${ready.httpPort}, mqtt :${ready.mqttPort}, libSQL file`);

const fleet = forkTs(new URL("./server/fleet-process.ts", import.meta.url), [
  "--mqtt",
  `mqtt://127.0.0.1:${ready.mqttPort}`,
  "--workers",
  String(WORKERS),
]);
const fleetReady = await nextMessage<FleetReady>(fleet, (m) => (m as FleetReady).ready === true);
const online = await ask<{ online: number; ms: number }>(server, {
  cmd: "waitOnline",
  count: WORKERS,
  timeoutMs: 120_000,
});
line(
  "fleet",
  `${fleetReady.connected} connected (${fleetReady.failed} failed) in ${(fleetReady.connectMs / 1000).toFixed(1)} s; ${online.online} online on the server`,
);
const priced = await ask<{ priced: number; unlisted: number; ms: number }>(server, { cmd: "price" });
line(
  "pricing by owners",
  `${priced.priced} priced, ${priced.unlisted} unlisted, ${(priced.ms / 1000).toFixed(1)} s`,
);

// Every worker has sent its first heartbeat (a hashrate) before the marketplace is read.
const heartbeated = await ask<{ reporting: number; ms: number }>(server, {
  cmd: "waitHeartbeats",
  count: WORKERS,
  timeoutMs: 90_000,
});
line(
  "first heartbeats stored",
  `${heartbeated.reporting} workers with a hashrate, after ${(heartbeated.ms / 1000).toFixed(1)} s more`,
);

// Sanity: the answers have the expected shape and the fleet is there.
const probe = await getJson(ready.httpPort, trpcPath({ page: 1, limit: 20 }));
const probeData = (probe.body as { result?: { data?: { total: number; facets: { gpuModels: unknown[] } } } })
  .result?.data;
if (probe.status !== 200 || !probeData || probeData.total < WORKERS * 0.5) {
  throw new Error(
    `unexpected marketplace.list answer: ${probe.status} ${JSON.stringify(probe.body).slice(0, 300)}`,
  );
}
line(
  "marketplace.list landing page",
  `${probeData.total} listings, ${probeData.facets.gpuModels.length} GPU models`,
);
const rest = await getJson(ready.httpPort, restPath({ page: 1, limit: 18 }));
const restAvailable = rest.status === 200 && typeof (rest.body as { total?: unknown }).total === "number";
line(
  "GET /api/marketplace",
  restAvailable ? `${(rest.body as { total: number }).total} listings` : `not available (${rest.status})`,
);
await ask<ServerStats>(server, { cmd: "stats" });

interface PhaseResult {
  name: string;
  load: LoadResult;
  serverCpu: number;
  fleetCpu: number;
  serverRssMax: number;
  stats: ServerStats;
}
const results: PhaseResult[] = [];
for (const phase of PHASES) {
  if (phase === "rest" && !restAvailable) {
    line("rest", "not yet measurable: GET /api/marketplace does not answer");
    continue;
  }
  const random = seeded(phase === "rest" ? 3 : 2);
  let n = 0;
  const nextPath =
    phase === "trpc"
      ? () => trpcPath(marketQuery(random))
      : phase === "trpc-cold"
        ? () => trpcPath(coldQuery(random, n++))
        : () => restPath(marketQuery(random));
  // The children's CPU is read from /proc at the edges of the measured window.
  const fleetPid = fleet.pid as number;
  let cpu0 = { server: 0, fleet: 0, at: 0 };
  let cpu1 = { server: 0, fleet: 0, at: 0 };
  const readCpu = () => ({
    server: cpuSecondsOfPid(serverPid),
    fleet: cpuSecondsOfPid(fleetPid),
    at: performance.now(),
  });
  let serverRssMax = 0;
  const load = await closedLoop({
    port: ready.httpPort,
    connections: CONNECTIONS,
    warmupSec: WARMUP,
    seconds: SECONDS,
    nextPath,
    onWindowStart: () => {
      cpu0 = readCpu();
    },
    onWindowEnd: () => {
      cpu1 = readCpu();
    },
    onSecond: () => {
      serverRssMax = Math.max(serverRssMax, rssOfPid(serverPid));
    },
  });
  const window = (cpu1.at - cpu0.at) / 1000;
  const stats = await ask<ServerStats>(server, { cmd: "stats" });
  const result: PhaseResult = {
    name: phase,
    load,
    serverCpu: (cpu1.server - cpu0.server) / window,
    fleetCpu: (cpu1.fleet - cpu0.fleet) / window,
    serverRssMax: Math.max(serverRssMax, stats.rssBytes),
    stats,
  };
  results.push(result);
  report(result);
}

function report(r: PhaseResult): void {
  const { load } = r;
  const ms = (n: number) => `${n.toFixed(1)} ms`;
  console.log(`\n  phase ${r.name}`);
  line("throughput", `${load.perSec.toFixed(0)} req/s (${load.requests} in ${load.seconds.toFixed(1)} s)`);
  line("latency", `p50 ${ms(load.p50)}, p99 ${ms(load.p99)}, max ${ms(load.max)}`);
  line(
    "errors",
    `${load.errors}${load.errors > 0 ? ` ${JSON.stringify(load.statuses)} e.g. ${load.errorSamples.join(" | ")}` : ""}`,
  );
  line("answer size", `${(load.bytesPerRequest / 1024).toFixed(1)} KiB average`);
  line("asked again within 1 s", `${(load.repeatWithin1s * 100).toFixed(0)} % of requests (view-cache TTL)`);
  line(
    "CPU (1.00 = one core)",
    `server ${r.serverCpu.toFixed(2)}, load generator ${load.clientCpu.toFixed(2)}, fleet ${r.fleetCpu.toFixed(2)}`,
  );
  line(
    "server memory",
    `RSS ${mib(r.stats.rssBytes)} at end (max ${mib(r.serverRssMax)}), heap ${mib(r.stats.heapUsedBytes)}`,
  );
  line(
    "server event loop",
    `p50 ${ms(r.stats.loopP50)}, p99 ${ms(r.stats.loopP99)}, max ${ms(r.stats.loopMax)}; ${r.stats.online} online`,
  );
  const logs = Object.entries(r.stats.logs);
  if (logs.length > 0) line("server warnings/errors so far", JSON.stringify(r.stats.logs));
}

await stopChild(fleet);
await stopChild(server);
process.exit(0);
