/**
 * Server live-events benchmark (issue 6): heartbeats from 10,000 simulated workers fanned out to 500
 * WebSocket subscribers of `live.events` (topics ["heartbeat"]).
 * Two processes on the same 2 cores:
 *   - the server (`src/server/server-process.ts`): `startServer` on a libSQL file in a temporary folder,
 *     the embedded broker and HTTP on free ports of 127.0.0.1;
 *   - this process, the load generator: the simulator's `Fleet` (10,000 mqtt.js sim workers, random
 *     rigs) and 500 lean tRPC-WS subscribers (`src/server/ws-subscriber.ts`: raw WebSocket speaking
 *     tRPC's protocol, as `wsLink` does, without `@trpc/client`'s per-message cost).
 * The workers' own heartbeat timers are parked (1 h); this process calls each worker's `sendHeartbeat()`
 * on a schedule and notes `Date.now()` just before, so every publish has a known send time:
 *   - realistic: each worker every 30 s, phases spread evenly (333 heartbeats/s), all the time;
 *   - burst: on top of that, every worker once within 1 s, `--bursts` times, `--burst-every` s apart.
 * Freshness is a heartbeat's send time → its event arriving at a subscriber (same machine clock). Each
 * event carries the server's `lastSeenAt` (when the platform handled the heartbeat), which matches it to
 * its publish and splits the time into inbound (MQTT → platform) and fan-out (platform → subscriber).
 * Reported per mode: freshness p50/p99/max, the share of (heartbeat × subscriber) pairs delivered,
 * subscription errors (queue overflow), disconnects and reconnects, the CPU of both processes and the
 * server's RSS.
 * Usage: pnpm --filter @xenblocks/bench server-live -- [--workers 10000] [--subscribers 500]
 *        [--seconds 30] [--bursts 3] [--burst-every 10] [--drain 15] [--modes realistic,burst]
 * Environment: BENCH_CPU_PROFILE=<dir> writes the server process's CPU profile there.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";
import type { SimWorker } from "@xenblocks/sim/worker";
import {
  ask,
  cpuSecondsOfPid,
  forkTs,
  line,
  mib,
  nextMessage,
  rssOfPid,
  scratchDir,
  sleep,
  stopChild,
} from "./server/children.js";
import type { ServerReady, ServerStats } from "./server/server-process.js";
import { indexOfWorker, startFleet } from "./server/sim-fleet.js";
import { LiveSubscriber, newCounters, type SubscriberCounters } from "./server/ws-subscriber.js";

const { values } = parseArgs({
  // pnpm hands the script a literal `--` before the flags.
  args: process.argv.slice(2).filter((a) => a !== "--"),
  options: {
    workers: { type: "string", default: "10000" },
    subscribers: { type: "string", default: "500" },
    seconds: { type: "string", default: "30" },
    "heartbeat-sec": { type: "string", default: "30" },
    bursts: { type: "string", default: "3" },
    "burst-every": { type: "string", default: "10" },
    drain: { type: "string", default: "15" },
    modes: { type: "string", default: "realistic,burst" },
  },
});
const WORKERS = Number(values.workers);
const SUBSCRIBERS = Number(values.subscribers);
const SECONDS = Number(values.seconds);
const HEARTBEAT_MS = Number(values["heartbeat-sec"]) * 1000;
const BURSTS = Number(values.bursts);
const BURST_EVERY_MS = Number(values["burst-every"]) * 1000;
const DRAIN_MS = Number(values.drain) * 1000;
const MODES = (values.modes ?? "").split(",").filter(Boolean);

// ---- publish bookkeeping ------------------------------------------------------------------------------

/** Mode tags of publishes. */
const Mode = { Setup: 0, Realistic: 1, Burst: 2, Between: 3 } as const;
const MODE_NAMES = ["setup", "realistic", "burst", "between"];
let currentMode: number = Mode.Setup;

/** The last RING publishes of each worker: send time and mode. */
const RING = 8;
const sentAt = new Float64Array(WORKERS * RING);
const sentMode = new Uint8Array(WORKERS * RING);
/** 1 when the worker's previous publish was less than 1 s before: the server's coalescing may hold it. */
const sentHeld = new Uint8Array(WORKERS * RING);
const ringHead = new Uint8Array(WORKERS);
const publishes = [0, 0, 0, 0];

let workers: readonly SimWorker[] = [];
function publish(index: number, mode: number): void {
  const previous = index * RING + ((ringHead[index]! + RING - 1) % RING);
  const slot = index * RING + ringHead[index]!;
  ringHead[index] = (ringHead[index]! + 1) % RING;
  const now = Date.now();
  sentHeld[slot] = now - sentAt[previous]! < 1000 ? 1 : 0;
  sentAt[slot] = now;
  sentMode[slot] = mode;
  publishes[mode]!++;
  workers[index]!.sendHeartbeat();
}

/** 1 ms buckets up to 2 minutes, then one overflow bucket. */
class Histogram {
  private readonly bins = new Uint32Array(120_001);
  count = 0;
  max = 0;
  add(ms: number): void {
    const v = Math.max(ms, 0);
    this.bins[Math.min(120_000, Math.floor(v))]!++;
    this.count++;
    if (v > this.max) this.max = v;
  }
  percentile(p: number): number {
    if (this.count === 0) return Number.NaN;
    const target = Math.ceil((p / 100) * this.count);
    let seen = 0;
    for (let i = 0; i < this.bins.length; i++) {
      seen += this.bins[i]!;
      if (seen >= target) return i;
    }
    return this.max;
  }
}

interface ModeFigures {
  freshness: Histogram;
  /** Only heartbeats that came at least 1 s after the worker's previous one (never held back). */
  unheld: Histogram;
  inbound: Histogram;
  fanout: Histogram;
}
const figures: ModeFigures[] = MODE_NAMES.map(() => ({
  freshness: new Histogram(),
  unheld: new Histogram(),
  inbound: new Histogram(),
  fanout: new Histogram(),
}));
let unmatched = 0;

/** A heartbeat event reached a subscriber: match it to the newest publish sent before the server saw it. */
function onHeartbeat(workerId: string, lastSeenAt: number, arrivedAt: number): void {
  const index = indexOfWorker(workerId);
  if (!(index >= 0 && index < WORKERS)) {
    unmatched++;
    return;
  }
  let best = -1;
  for (let k = 0; k < RING; k++) {
    const slot = index * RING + k;
    const t = sentAt[slot]!;
    if (t > 0 && t <= lastSeenAt && (best < 0 || t > sentAt[best]!)) best = slot;
  }
  if (best < 0) {
    unmatched++;
    return;
  }
  const f = figures[sentMode[best]!]!;
  const sent = sentAt[best]!;
  f.freshness.add(arrivedAt - sent);
  if (sentHeld[best] === 0) f.unheld.add(arrivedAt - sent);
  f.inbound.add(lastSeenAt - sent);
  f.fanout.add(arrivedAt - lastSeenAt);
}

// ---- the heartbeat schedule -------------------------------------------------------------------------

/** Every worker every HEARTBEAT_MS, phase spread evenly; and bursts when asked. */
class Schedule {
  private timer: ReturnType<typeof setInterval> | null = null;
  private started = 0;
  private done = 0;
  private burst: { at: number; done: number } | null = null;

  start(): void {
    this.started = performance.now();
    this.timer = setInterval(() => this.tick(), 5);
  }

  /** Every worker once over the next second. */
  startBurst(): void {
    this.burst = { at: performance.now(), done: 0 };
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private tick(): void {
    const now = performance.now();
    const due = Math.floor(((now - this.started) / HEARTBEAT_MS) * WORKERS);
    while (this.done < due) {
      publish(this.done % WORKERS, currentMode);
      this.done++;
    }
    const burst = this.burst;
    if (burst) {
      const burstDue = Math.min(WORKERS, Math.floor(((now - burst.at) / 1000) * WORKERS));
      while (burst.done < burstDue) {
        publish(burst.done, Mode.Burst);
        burst.done++;
      }
      if (burst.done >= WORKERS) this.burst = null;
    }
  }
}

// ---- the run ------------------------------------------------------------------------------------------

const dir = scratchDir("xb-bench-live-");
const serverFlags = process.env.BENCH_CPU_PROFILE
  ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE}`]
  : [];
const server = forkTs(
  new URL("./server/server-process.ts", import.meta.url),
  ["--db", `${dir}/xenblocks.db`],
  serverFlags,
);
const ready = await nextMessage<ServerReady>(server, (m) => (m as ServerReady).ready === true);
const serverPid = server.pid as number;
console.log(
  `server live benchmark: ${WORKERS} sim workers (heartbeat every ${HEARTBEAT_MS / 1000} s), ${SUBSCRIBERS} subscribers of live.events ["heartbeat"]`,
);
line("server", `pid ${serverPid}, http 127.0.0.1:${ready.httpPort}, mqtt :${ready.mqttPort}, libSQL file`);

// Subscribers first, so that what they receive later is heartbeats, not a backlog of their own start.
const counters = newCounters();
const subscribers: LiveSubscriber[] = [];
const subscribeStarted = performance.now();
let nextSubscriber = 0;
await Promise.all(
  Array.from({ length: 25 }, async () => {
    while (nextSubscriber < SUBSCRIBERS) {
      nextSubscriber++;
      const s = new LiveSubscriber(ready.httpPort, { topics: ["heartbeat"] }, onHeartbeat, counters);
      subscribers.push(s);
      await s.start();
    }
  }),
);
line(
  "subscribers",
  `${subscribers.length} subscribed in ${((performance.now() - subscribeStarted) / 1000).toFixed(1)} s`,
);
const started = await startFleet({
  mqttUrl: `mqtt://127.0.0.1:${ready.mqttPort}`,
  size: WORKERS,
  // Parked: this script sends the heartbeats.
  heartbeatSec: 3600,
});
workers = started.fleet.workers;
const online = await ask<{ online: number; ms: number }>(server, {
  cmd: "waitOnline",
  count: WORKERS,
  timeoutMs: 120_000,
});
line(
  "fleet",
  `${started.connected} connected (${started.failed} failed) in ${(started.connectMs / 1000).toFixed(1)} s; ${online.online} online on the server`,
);

line(
  "server memory, idle",
  `RSS ${mib(rssOfPid(serverPid))} with ${WORKERS} workers and ${SUBSCRIBERS} subscribers connected`,
);

// Heartbeats start once everything is connected; the first 5 s are a warm-up.
const schedule = new Schedule();
schedule.start();
await sleep(5000);
await ask<ServerStats>(server, { cmd: "stats" }, 30_000).catch(() => null);

const loop = monitorEventLoopDelay({ resolution: 10 });
const snapshotCounters = (): SubscriberCounters => ({ ...counters, closes: { ...counters.closes } });

async function metric(name: string): Promise<string> {
  const text = await fetch(`http://127.0.0.1:${ready.httpPort}/metrics`, {
    signal: AbortSignal.timeout(5_000),
  })
    .then((res) => res.text())
    .catch(() => "");
  if (text === "") return "(no answer from /metrics within 5 s)";
  return (
    text
      .split("\n")
      .filter((l) => l.startsWith(name))
      .map((l) => l.slice(name.length).trim())
      .join(", ") || "?"
  );
}

async function runMode(mode: "realistic" | "burst"): Promise<void> {
  const tag = mode === "realistic" ? Mode.Realistic : Mode.Burst;
  const before = snapshotCounters();
  const publishedBefore = publishes[tag]!;
  const cpu0 = { server: cpuSecondsOfPid(serverPid), client: process.cpuUsage(), at: performance.now() };
  let rssMax = 0;
  const rssTimer = setInterval(() => {
    rssMax = Math.max(rssMax, rssOfPid(serverPid));
  }, 250);
  loop.reset();
  loop.enable();
  currentMode = tag;
  if (mode === "burst") {
    for (let b = 0; b < BURSTS; b++) {
      schedule.startBurst();
      await sleep(b === BURSTS - 1 ? Math.max(1000, SECONDS * 1000 - b * BURST_EVERY_MS) : BURST_EVERY_MS);
    }
  } else {
    await sleep(SECONDS * 1000);
  }
  currentMode = Mode.Between;
  const window = (performance.now() - cpu0.at) / 1000;
  const serverCpu = (cpuSecondsOfPid(serverPid) - cpu0.server) / window;
  const clientUsage = process.cpuUsage(cpu0.client);
  const clientCpu = (clientUsage.user + clientUsage.system) / 1e6 / window;
  const loopP99 = loop.percentile(99) / 1e6;
  const loopMax = loop.max / 1e6;
  loop.disable();
  // Drain: late events of this mode still count, until none came for 2 s (or the drain time is up).
  const drainStarted = performance.now();
  let lastCount = figures[tag]!.freshness.count;
  let quietSince = performance.now();
  while (performance.now() - drainStarted < DRAIN_MS) {
    await sleep(250);
    const count = figures[tag]!.freshness.count;
    if (count !== lastCount) {
      lastCount = count;
      quietSince = performance.now();
    } else if (performance.now() - quietSince > 2000) break;
  }
  clearInterval(rssTimer);
  // A saturated server may not answer its IPC for a long time: the figures are printed without it.
  const stats = await ask<ServerStats>(server, { cmd: "stats" }, 30_000).catch(() => null);
  const f = figures[tag]!;
  const published = publishes[tag]! - publishedBefore;
  const expected = published * SUBSCRIBERS;
  const closes = Object.entries(counters.closes)
    .map(([code, n]) => [code, n - (before.closes[code] ?? 0)] as const)
    .filter(([, n]) => n > 0);
  const ms = (n: number) => `${n.toFixed(0)} ms`;
  console.log(`\n  mode ${mode}`);
  line(
    "heartbeats published",
    mode === "burst"
      ? `${published} (${BURSTS} bursts of ${WORKERS} within 1 s, ${BURST_EVERY_MS / 1000} s apart, over the ongoing 30 s heartbeats) in ${window.toFixed(1)} s`
      : `${published} in ${window.toFixed(1)} s (${(published / window).toFixed(0)}/s)`,
  );
  line(
    "events delivered",
    `${f.freshness.count} of ${expected} heartbeat × subscriber pairs (${((f.freshness.count / Math.max(1, expected)) * 100).toFixed(1)} %), ${(f.freshness.count / window).toFixed(0)}/s over the window`,
  );
  line(
    "freshness publish → subscriber",
    `p50 ${ms(f.freshness.percentile(50))}, p99 ${ms(f.freshness.percentile(99))}, max ${ms(f.freshness.max)}`,
  );
  if (f.unheld.count < f.freshness.count) {
    line(
      "  not held by coalescing",
      `p50 ${ms(f.unheld.percentile(50))}, p99 ${ms(f.unheld.percentile(99))}, max ${ms(f.unheld.max)} (${f.unheld.count} events; the others followed their worker's previous heartbeat within 1 s)`,
    );
  }
  line(
    "  of which publish → platform",
    `p50 ${ms(f.inbound.percentile(50))}, p99 ${ms(f.inbound.percentile(99))}, max ${ms(f.inbound.max)}`,
  );
  line(
    "  of which platform → subscriber",
    `p50 ${ms(f.fanout.percentile(50))}, p99 ${ms(f.fanout.percentile(99))}, max ${ms(f.fanout.max)}`,
  );
  line(
    "drops",
    `${counters.subscriptionErrors - before.subscriptionErrors} queue overflows (resubscribed), ` +
      `closes ${closes.length ? JSON.stringify(Object.fromEntries(closes)) : "none"}, ` +
      `${counters.reconnects - before.reconnects} reconnects, ${counters.snapshots - before.snapshots} snapshots`,
  );
  line(
    "CPU (1.00 = one core)",
    `server ${serverCpu.toFixed(2)}, generator (fleet + subscribers) ${clientCpu.toFixed(2)}`,
  );
  line(
    "server memory",
    `RSS max ${mib(rssMax)}, at end ${mib(rssOfPid(serverPid))}${stats ? `, heap ${mib(stats.heapUsedBytes)}` : ""}`,
  );
  line(
    "event loops",
    `server ${stats ? `p99 ${ms(stats.loopP99)}, max ${ms(stats.loopMax)}` : "(no answer over IPC within 30 s)"}; generator p99 ${ms(loopP99)}, max ${ms(loopMax)}`,
  );
  line(
    "server gauges after drain",
    `live subscriptions ${await metric("xenblocks_live_subscriptions")}; online ${stats ? stats.online : "?"}`,
  );
  line("received", `${((counters.bytes - before.bytes) / 1024 / 1024).toFixed(0)} MiB over the WebSockets`);
  if (stats && Object.keys(stats.logs).length > 0)
    line("server warnings/errors so far", JSON.stringify(stats.logs));
}

for (const mode of MODES) {
  if (mode !== "realistic" && mode !== "burst") throw new Error(`unknown mode ${mode}`);
  await runMode(mode);
}
if (unmatched > 0) line("unmatched heartbeat events", String(unmatched));

schedule.stop();
for (const s of subscribers) s.close();
await started.fleet.close({ clearRetained: false });
// A wedged server gets 2 minutes to finish its backlog and exit (and write its CPU profile).
await stopChild(server, 120_000);
process.exit(0);
