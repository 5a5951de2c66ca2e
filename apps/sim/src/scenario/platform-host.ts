/**
 * The platform run in process through the library API, for scenarios (until the server exists, and
 * afterwards for tests that want no HTTP): core on a storage, the embedded MQTT broker, the chain
 * simulator both as the platform's chain and as the workers' `/verify` endpoint, and the jobs on real
 * timers. The broker can be restarted on its port, as an operator restart would.
 */

import {
  type EmbeddedBroker,
  mqttWorkerChannel,
  platformInbox,
  startEmbeddedBroker,
  type WorkerTransport,
} from "@xenblocks/broker";
import {
  type ChannelMessage,
  Counters,
  createPlatform,
  type Platform,
  type PlatformConfigInput,
  type Storage,
  type WorkerChannel,
} from "@xenblocks/core";
import { createMemoryStorage, nodeIds, systemClock } from "@xenblocks/storage";
import { type ChainServer, chainPort, startChainServer } from "../chain/index.js";

/** The admin of a scenario platform: funds renters by manual credit. */
export const SCENARIO_ADMIN = "0xad00000000000000000000000000000000000001";

export interface LibraryPlatformOptions {
  /** Block marker shared by platform, chain and workers (platform-rules §6); default `XN`. */
  marker?: string;
  /** Chain difficulty (Argon2 m, KiB) to start from; default 64 so genuine blocks are cheap. */
  difficulty?: number;
  storage?: Storage;
  config?: PlatformConfigInput;
}

export interface LibraryPlatform {
  readonly platform: Platform;
  readonly mqttUrl: string;
  readonly chainUrl: string;
  readonly chain: ChainServer;
  /** The broker's counters (inbound by type, drops, handler failures, commands sent); the platform's own are `platform.counters`. */
  readonly brokerCounters: Counters;
  /** Closes the broker, waits `downMs`, and starts a new one on the same port. */
  restartBroker(downMs: number): Promise<void>;
  /** Runs every job once now (the end of a scenario). */
  runJobs(): Promise<void>;
  close(): Promise<void>;
}

export async function startLibraryPlatform(options: LibraryPlatformOptions = {}): Promise<LibraryPlatform> {
  const marker = options.marker ?? "XN";
  const brokerCounters = new Counters();
  const storage = options.storage ?? createMemoryStorage();
  const chain = await startChainServer({
    port: 0,
    host: "127.0.0.1",
    marker,
    initialDifficulty: options.difficulty ?? 64,
  });
  // What to close if a later step fails, newest first.
  const undo: Array<() => Promise<unknown>> = [() => chain.close()];
  try {
    return await assemble();
  } catch (e) {
    for (const step of undo.reverse()) await step().catch(() => {});
    throw e;
  }

  async function assemble(): Promise<LibraryPlatform> {
    let platform: Platform | null = null;
    const inbox = platformInbox(() => {
      if (!platform) throw new Error("the platform is not started yet");
      return platform;
    });
    const startBroker = (port: number) =>
      startEmbeddedBroker({ inbox, counters: brokerCounters, port, host: "127.0.0.1" });
    let broker: EmbeddedBroker = await startBroker(0);
    undo.push(() => broker.close());
    const port = broker.port;
    // The channel outlives broker restarts: it always talks to the current broker.
    const current: WorkerTransport = {
      mode: "embedded",
      isConnected: (id) => broker.isConnected(id),
      publish: (topic, payload) => broker.publish(topic, payload),
      connectedWorkers: () => broker.connectedWorkers(),
      connectedWorkerIds: () => broker.connectedWorkerIds(),
    };
    const channel: WorkerChannel = mqttWorkerChannel(current, brokerCounters);

    platform = createPlatform({
      storage,
      channel: { send: (workerId: string, message: ChannelMessage) => channel.send(workerId, message) },
      clock: systemClock,
      ids: nodeIds,
      chain: chainPort(chain.chain),
      config: {
        admins: [SCENARIO_ADMIN],
        faucet: { enabled: true },
        blocks: { marker },
        ...options.config,
      },
    });
    await platform.start();
    const jobs = startJobLoop(platform);

    return {
      platform,
      mqttUrl: `mqtt://127.0.0.1:${port}`,
      chainUrl: `http://127.0.0.1:${chain.port}`,
      chain,
      brokerCounters,
      async restartBroker(downMs) {
        await broker.close();
        await new Promise((r) => setTimeout(r, downMs));
        broker = await startBroker(port);
      },
      runJobs: () => jobs.runOnce(),
      async close() {
        // Every step runs even when one fails; the first failure is reported afterwards.
        const results = await Promise.allSettled([jobs.stop()]);
        results.push(...(await Promise.allSettled([broker.close()])));
        results.push(...(await Promise.allSettled([chain.close(), storage.close()])));
        const failed = results.find((r) => r.status === "rejected");
        if (failed) throw failed.reason;
      },
    };
  }
}

/**
 * The platform's periodic jobs on real timers, one pass at a time (a tick that finds a pass still
 * running is skipped, so slow passes never pile up): every 0.5 s expiry, assignment timeouts and
 * queued controls; heartbeats flushed and chain checks every 2 s; liveness every 5 s.
 */
function startJobLoop(platform: Platform) {
  const { jobs } = platform;
  let stopped = false;
  let tick = 0;
  let running: Promise<void> | null = null;
  const report = (e: unknown) => console.error("scenario platform: a job failed:", e);
  const pass = async () => {
    await jobs.expireLeases();
    await jobs.cancelUnconfirmed();
    await jobs.dispatchControls();
    if (tick % 4 === 0) {
      await jobs.flushHeartbeats();
      await jobs.checkChain();
    }
    if (tick % 10 === 0) await jobs.sweepLiveness();
    tick += 1;
  };
  const timer = setInterval(() => {
    if (running || stopped) return;
    running = pass()
      .catch(report)
      .finally(() => {
        running = null;
      });
  }, 500);
  return {
    /** Waits for a pass in progress, then runs every job once; a failure is the caller's to see. */
    async runOnce() {
      await running;
      await jobs.runAll();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
