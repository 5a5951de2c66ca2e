/**
 * The simulated fleet in a process of its own (the API benchmark): connects, then keeps the workers
 * alive with their ordinary 30 s heartbeats until told to stop.
 */
import { parseArgs } from "node:util";
import { exitWithParent } from "./children.js";
import { startFleet } from "./sim-fleet.js";

export interface FleetReady {
  ready: true;
  connected: number;
  failed: number;
  connectMs: number;
}

exitWithParent();
const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    mqtt: { type: "string" },
    workers: { type: "string", default: "10000" },
    "heartbeat-sec": { type: "string", default: "30" },
  },
});
if (!values.mqtt) throw new Error("--mqtt is required");
const { fleet, connected, failed, connectMs } = await startFleet({
  mqttUrl: values.mqtt,
  size: Number(values.workers),
  heartbeatSec: Number(values["heartbeat-sec"]),
});
process.on("message", async (message: { cmd: string }) => {
  if (message.cmd !== "stop") return;
  await fleet.close({ clearRetained: false });
  process.exit(0);
});
process.send?.({ ready: true, connected, failed, connectMs } satisfies FleetReady);
