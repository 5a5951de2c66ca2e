/**
 * The platform side of the broker benchmark, in its own process (as in production the platform and
 * its workers are different machines): the embedded broker, or the external adapter on Mosquitto,
 * feeding the real inbound pipeline (topic rules, JSON, zod schemas). Its inbox only timestamps each
 * heartbeat, so the figures are the broker's and the pipeline's, not storage's.
 */

import { monitorEventLoopDelay, PerformanceObserver } from "node:perf_hooks";
import {
  connectExternalBroker,
  startEmbeddedBroker,
  type WorkerInbox,
  type WorkerTransport,
} from "@xenblocks/broker";
import { Counters, type Inbound } from "@xenblocks/core";

export type PlatformCommand = { cmd: "reset" } | { cmd: "stats"; gc?: boolean } | { cmd: "stop" };
export type PlatformStats = {
  handled: number;
  latencies: number[];
  rssBytes: number;
  heapUsedBytes: number;
  connectedWorkers: number;
  counters: Record<string, number>;
  /** Garbage-collection pauses over 5 ms since the last reset, in ms. */
  gcPauses: number[];
  /** Event-loop delay since the last reset: p99 and max, ms. */
  loopDelayP99: number;
  loopDelayMax: number;
  /** CPU time used since the last reset (user + system), ms. */
  cpuMs: number;
};

const target = process.argv[2] as "embedded" | "mosquitto";
const mosquittoUrl = process.argv[3] ?? "mqtt://127.0.0.1:1883";
const ok: Inbound = { accepted: true };
let latencies: number[] = [];
let handled = 0;
let gcPauses: number[] = [];
let cpuAtReset = process.cpuUsage();
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (entry.duration > 5) gcPauses.push(entry.duration);
}).observe({ entryTypes: ["gc"] });
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();
const nowMs = () => performance.timeOrigin + performance.now();

const inbox: WorkerInbox = {
  onRegister: async () => ok,
  onHeartbeat: async (m) => {
    handled += 1;
    const sentAt = (m as { bench_sent_at?: number }).bench_sent_at;
    if (typeof sentAt === "number") latencies.push(nowMs() - sentAt);
    return ok;
  },
  onStatus: async () => ok,
  onBlock: async () => ok,
  onDisconnect: async () => {},
};

const counters = new Counters();
let transport: WorkerTransport & { close(): Promise<void> };
let port = Number(new URL(mosquittoUrl).port);
if (target === "embedded") {
  const broker = await startEmbeddedBroker({
    inbox,
    counters,
    port: 0,
    host: "127.0.0.1",
    maxKeepaliveSec: 600,
  });
  port = broker.port;
  transport = broker;
} else {
  transport = await connectExternalBroker({ url: mosquittoUrl, inbox, counters, group: "bench" });
}

process.on("message", async (command: PlatformCommand) => {
  if (command.cmd === "reset") {
    latencies = [];
    handled = 0;
    gcPauses = [];
    loopDelay.reset();
    cpuAtReset = process.cpuUsage();
    process.send?.({ reset: true });
  } else if (command.cmd === "stats") {
    if (command.gc) {
      // Twice: the first pass frees what the second would find unreachable only afterwards.
      globalThis.gc?.();
      globalThis.gc?.();
    }
    const mem = process.memoryUsage();
    const stats: PlatformStats = {
      handled,
      latencies,
      rssBytes: mem.rss,
      heapUsedBytes: mem.heapUsed,
      connectedWorkers: transport.connectedWorkers(),
      counters: counters.snapshot(),
      gcPauses,
      loopDelayP99: loopDelay.percentile(99) / 1e6,
      loopDelayMax: loopDelay.max / 1e6,
      cpuMs: (() => {
        const used = process.cpuUsage(cpuAtReset);
        return (used.user + used.system) / 1000;
      })(),
    };
    process.send?.(stats);
  } else if (command.cmd === "stop") {
    await transport.close();
    process.exit(0);
  }
});
process.send?.({ ready: true, port });
