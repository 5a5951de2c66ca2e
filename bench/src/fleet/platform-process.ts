/**
 * The platform side of the fleet benchmark, in its own process: the whole platform through the library
 * API (core on memory storage, the embedded broker, the chain simulator, the jobs), as a scenario runs it.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { startLibraryPlatform } from "@xenblocks/sim/scenario";
import { createMemoryStorage } from "@xenblocks/storage";

export type FleetPlatformCommand = { cmd: "stats" } | { cmd: "stop" };
export type FleetPlatformStats = {
  workersOnline: number;
  registers: number;
  heartbeats: number;
  rssBytes: number;
  loopDelayP99: number;
  loopDelayMax: number;
  cpuMs: number;
};

const storage = createMemoryStorage();
const host = await startLibraryPlatform({ marker: "XN", storage });
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

process.on("message", async (command: FleetPlatformCommand) => {
  if (command.cmd === "stop") {
    await host.close();
    process.exit(0);
  }
  const used = process.cpuUsage();
  const stats: FleetPlatformStats = {
    workersOnline: (await storage.workers.listOnline()).length,
    registers: host.brokerCounters.get("mqtt_inbound_total", "register"),
    heartbeats: host.brokerCounters.get("mqtt_inbound_total", "heartbeat"),
    rssBytes: process.memoryUsage().rss,
    loopDelayP99: loopDelay.percentile(99) / 1e6,
    loopDelayMax: loopDelay.max / 1e6,
    cpuMs: (used.user + used.system) / 1000,
  };
  loopDelay.reset();
  process.send?.(stats);
});
process.send?.({ ready: true, mqttUrl: host.mqttUrl });
