/**
 * The composition root: storage, the platform, the MQTT side (embedded broker or external broker),
 * the chain, the jobs and HTTP, started in an order where nothing can reach a part that is not up, and
 * closed in the reverse order on shutdown.
 */

import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { TRPCError } from "@trpc/server";
import {
  connectExternalBroker,
  mqttWorkerChannel,
  platformInbox,
  startEmbeddedBroker,
  type WorkerTransport,
} from "@xenblocks/broker";
import { Counters, createPlatform, type Platform } from "@xenblocks/core";
import { nodeIds, systemClock } from "@xenblocks/storage";
import { openChainSetup } from "./chain.js";
import type { ServerConfig } from "./config.js";
import { frontPage } from "./front-page.js";
import { startHttpServer } from "./http/http-server.js";
import { scheduleJobs } from "./jobs.js";
import type { ServerLogger } from "./log.js";
import { renderMetrics } from "./metrics.js";
import { dataDirectory, openStorage, storageKind } from "./open-storage.js";
import { Scheduler } from "./scheduler.js";
import { appRouter } from "./trpc/router.js";
import type { Context } from "./trpc/trpc.js";
import { trpcHttpHandler } from "./trpc/uws-http.js";

export interface RunningServer {
  readonly httpPort: number;
  /** The embedded broker's port, or null with an external broker. */
  readonly mqttPort: number | null;
  readonly platform: Platform;
  /** Drives the jobs by hand (tests). */
  readonly scheduler: Scheduler;
  /** Graceful shutdown: stop intake, flush the heartbeat batch, close broker, chain and database. */
  close(): Promise<void>;
}

export async function startServer(config: ServerConfig, logger: ServerLogger): Promise<RunningServer> {
  const closers: Array<() => Promise<unknown> | unknown> = [];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) {
      try {
        await close();
      } catch (e) {
        logger.error("shutdown step failed", { error: e instanceof Error ? e.message : String(e) });
      }
    }
  };
  try {
    return await assemble();
  } catch (e) {
    await closeAll();
    throw e;
  }

  async function assemble(): Promise<RunningServer> {
    const storage = await openStorage(config.db);
    closers.push(() => storage.close());
    // The embedded chain keeps its state beside a libSQL database, or in ./data with Postgres;
    // with `--db memory` everything is in memory.
    const dataDir = dataDirectory(config.db);
    const chainFile = config.chainData ?? (dataDir === null ? undefined : join(dataDir, "chain.json"));
    const chainSetup = await openChainSetup(config.chain, {
      marker: config.blockMarker,
      ...(chainFile !== undefined && { dataFile: chainFile }),
    });
    closers.push(() => chainSetup.close());

    // The platform first (its liveness clocks restart with one threshold of grace), then the broker:
    // no worker message can arrive before there is a platform to take it.
    const brokerCounters = new Counters();
    let transport: WorkerTransport | null = null;
    const channel = mqttWorkerChannel(
      {
        mode: config.mqttUrl ? "external" : "embedded",
        isConnected: (id) => transport?.isConnected(id) ?? false,
        publish: (topic, payload) => {
          if (!transport) throw new Error("the MQTT side is not up yet");
          return transport.publish(topic, payload);
        },
        connectedWorkers: () => transport?.connectedWorkers() ?? 0,
      },
      brokerCounters,
    );
    const platform = createPlatform({
      storage,
      channel,
      clock: systemClock,
      ids: nodeIds,
      chain: chainSetup.chain,
      config: {
        admins: config.admins,
        faucet: { enabled: config.faucet },
        blocks: { marker: config.blockMarker },
      },
    });
    await platform.start();

    const inbox = platformInbox(platform);
    // Closers run in reverse: this one runs after the broker has closed (no more heartbeats can
    // arrive, handlers in flight are done), so the last batch reaches storage before it closes.
    closers.push(() => platform.jobs.flushHeartbeats());
    let mqttPort: number | null = null;
    if (config.mqttUrl) {
      const external = await connectExternalBroker({
        url: config.mqttUrl,
        inbox,
        group: config.mqttGroup,
        counters: brokerCounters,
        logger,
      });
      transport = external;
      closers.push(() => external.close());
    } else {
      const broker = await startEmbeddedBroker({
        inbox,
        port: config.mqttPort,
        host: config.host,
        counters: brokerCounters,
        logger,
      }).catch((e: unknown) => {
        const message = e instanceof Error ? e.message : String(e);
        throw new Error(
          /already in use/.test(message)
            ? `${message} (--mqtt-port N for another port, or --mqtt-url mqtt://host:port to use the broker that holds it)`
            : message,
        );
      });
      transport = broker;
      mqttPort = broker.port;
      closers.push(() => broker.close());
    }

    const scheduler = scheduleJobs(new Scheduler(systemClock, logger), platform);
    let ledger: { checkedAt: number; violations: number; totals: Record<string, bigint> } | null = null;
    scheduler.every(
      "ledger-check",
      60_000,
      async () => {
        // One read of the balances for both the check and the totals.
        const { violations, balances } = await platform.ledgerReport();
        const totals: Record<string, bigint> = { user: 0n, escrow: 0n, treasury: 0n, world: 0n };
        for (const [account, balance] of balances) {
          const kind = account.startsWith("user:") ? "user" : account;
          totals[kind] = (totals[kind] ?? 0n) + balance;
        }
        if (violations.length > 0) logger.error("ledger invariant violated", { violations });
        ledger = { checkedAt: systemClock.now(), violations: violations.length, totals };
      },
      true,
    );
    scheduler.start();
    closers.push(() => scheduler.stop());

    const lag = monitorEventLoopDelay({ resolution: 20 });
    lag.enable();
    closers.push(() => lag.disable());
    /** Who is asking: an API key today (`X-API-Key`); the signed-in wallet (JWT) comes with sign-in. */
    const createContext = async (headers: Headers): Promise<Context> => {
      const key = headers.get("x-api-key");
      const actor = key ? await platform.accounts.authenticateApiKey(key) : null;
      return { platform, storage, actor };
    };
    let accepting = true;
    const http = await startHttpServer({
      host: config.host,
      port: config.httpPort,
      logger,
      ready: () => accepting,
      chain: chainSetup.embedded?.chain ?? null,
      frontPage: () => frontPage({ mqttPort, chain: config.chain }),
      mounts: [
        {
          pattern: "/trpc/*",
          handler: trpcHttpHandler({
            router: appRouter,
            endpoint: "/trpc",
            createContext: ({ req }) => createContext(req.headers),
            // Refusals are the caller's business; only a fault of ours is logged.
            onError: (e) => {
              if (e instanceof TRPCError && e.code !== "INTERNAL_SERVER_ERROR") return;
              logger.error("api error", { error: e instanceof Error ? e.message : String(e) });
            },
          }),
        },
      ],
      metrics: () =>
        renderMetrics({
          brokerCounters,
          platformCounters: platform.counters,
          connectedWorkers: () => transport?.connectedWorkers() ?? 0,
          openLeases: async () => {
            const open = await storage.leases.listOpen();
            return {
              pending: open.filter((l) => l.state === "pending").length,
              active: open.filter((l) => l.state === "active").length,
            };
          },
          ledger: () => ledger,
          eventLoopLagMs: () => {
            // Since the previous scrape, not since the process started.
            const since = {
              p50: lag.percentile(50) / 1e6,
              p99: lag.percentile(99) / 1e6,
              max: lag.max / 1e6,
            };
            lag.reset();
            return since;
          },
          jobs: () => scheduler.stats(),
        }),
    });
    closers.push(() => {
      accepting = false;
      http.close();
    });

    logger.info("xenblocks server started", {
      http: `http://${config.host}:${http.port}`,
      mqtt: config.mqttUrl ?? `mqtt://${config.host}:${mqttPort}`,
      db: storageKind(config.db),
      chain: config.chain,
    });
    return { httpPort: http.port, mqttPort, platform, scheduler, close: closeAll };
  }
}
