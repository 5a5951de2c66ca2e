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
import { MUTATION_LIMIT, RateLimiter, SIGN_IN_LIMIT } from "./auth/rate-limit.js";
import { type Auth, createAuth } from "./auth/sessions.js";
import { openChainSetup } from "./chain.js";
import type { ServerConfig } from "./config.js";
import { frontPage } from "./front-page.js";
import { startHttpServer } from "./http/http-server.js";
import { defaultWebDir, loadWebApp } from "./http/static-files.js";
import { scheduleJobs } from "./jobs.js";
import { LiveHub } from "./live/hub.js";
import type { ServerLogger } from "./log.js";
import { renderMetrics } from "./metrics.js";
import { dataDirectory, openStorage, storageKind } from "./open-storage.js";
import { restMounts } from "./rest/handler.js";
import { Scheduler } from "./scheduler.js";
import { appRouter } from "./trpc/router.js";
import { blockView } from "./trpc/serialize.js";
import type { Context, ServerInfo } from "./trpc/trpc.js";
import { CLIENT_IP_HEADER, trpcHttpHandler } from "./trpc/uws-http.js";
import { trpcWebSocketBehavior } from "./trpc/uws-ws.js";
import { ViewCache } from "./trpc/view-cache.js";
import { SERVER_VERSION } from "./version.js";

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

/** Knobs for tests, not flags: how often a running `live.leases` re-checks its credential (default 30 s). */
export interface ServerInternals {
  credentialRecheckMs?: number;
}

export async function startServer(
  config: ServerConfig,
  logger: ServerLogger,
  internals: ServerInternals = {},
): Promise<RunningServer> {
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
        connectedWorkerIds: () => transport?.connectedWorkerIds() ?? [],
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

    const live = new LiveHub({
      events: platform.events,
      clock: systemClock,
      stats: () => platform.queries.fleet.stats(),
      snapshot: async () => {
        const [stats, blocks] = await Promise.all([
          platform.queries.fleet.stats(),
          platform.queries.market.blocks({ limit: 20 }),
        ]);
        return { stats, recentBlocks: blocks.items.map(blockView) };
      },
      onError: (e) => logger.error("live hub failed", { error: e instanceof Error ? e.message : String(e) }),
    });
    live.start();
    closers.push(() => live.close());

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
    // Built once the HTTP port is known (the default SIWE domain names it); no request is
    // answered before that, because readiness waits for it.
    let auth: Auth | null = null;
    const startedAt = systemClock.now();
    let httpPort = config.httpPort;
    const info: ServerInfo = {
      version: SERVER_VERSION,
      startedAt,
      mqttPort,
      httpPort: () => httpPort,
      mqttClients: () => transport?.connectedWorkerIds().map((id) => `xenminer_${id}`) ?? [],
      chain: { adapter: chainSetup.adapter, stats: () => chainSetup.stats() },
    };
    // Registry, status and lease changes make cached public views stale at once, and the listing
    // index's next read load the listed workers again (heartbeat figures refresh by age, within 10 s).
    const views = new ViewCache();
    const stopClearing = platform.events.subscribe((event) => {
      if (event.type !== "Heartbeat" && event.type !== "BlockChainStatus" && event.type !== "LedgerChanged") {
        views.clear();
        if (event.type !== "BlockRecorded") platform.queries.listings.markStale();
      }
    });
    closers.push(stopClearing);
    const limits = {
      signIn: new RateLimiter({ ...SIGN_IN_LIMIT, clock: systemClock }),
      mutations: new RateLimiter({ ...MUTATION_LIMIT, clock: systemClock }),
    };
    /** Who is asking (api.md §1): a Bearer JWT first, then `X-API-Key`; an invalid one is nobody. */
    const createContext = async (headers: Headers, clientIp: string, longLived = false): Promise<Context> => {
      if (!auth)
        throw new TRPCError({ code: "SERVICE_UNAVAILABLE" as never, message: "the server is starting" });
      const credentials = { authorization: headers.get("authorization"), apiKey: headers.get("x-api-key") };
      const caller = await auth.authenticate(credentials);
      // A credential that does not check out is refused outright, never served as the public
      // (platform-rules §10): a script with a revoked key must notice, not read anonymously.
      if (!caller.actor && (credentials.authorization || credentials.apiKey)) {
        throw new TRPCError({
          code: "UNAUTHORIZED",
          message: "the token or API key is invalid, expired or revoked",
        });
      }
      return {
        platform,
        storage,
        actor: caller.actor,
        session: caller.session,
        auth,
        clientIp,
        info,
        limits,
        views,
        live,
        credentialRecheckMs: internals.credentialRecheckMs ?? 30_000,
        ...(caller.actor && {
          credentialHolds: async () => {
            const again = auth ? await auth.authenticate(credentials) : null;
            return again?.actor?.address === caller.actor?.address;
          },
        }),
        // A WebSocket keeps its context for the whole connection: each call by the caller checks
        // again that the token was not signed out (or expired) nor the API key revoked meanwhile.
        ...(longLived && caller.actor && { recheckEachCall: true }),
      };
    };
    /** Only a fault of ours is logged; refusals are the caller's business. */
    const logFault = (what: string) => (e: unknown) => {
      if (e instanceof TRPCError && e.code !== "INTERNAL_SERVER_ERROR") return;
      logger.error(what, { error: e instanceof Error ? e.message : String(e) });
    };
    const trpcHttp = trpcHttpHandler({
      router: appRouter,
      endpoint: "/trpc",
      createContext: ({ req }) => createContext(req.headers, req.headers.get(CLIENT_IP_HEADER) ?? ""),
      corsOrigins: config.corsOrigins,
      onError: logFault("api error"),
    });
    // Browsers cannot set headers on a WebSocket: the JWT comes as `connectionParams.token`.
    const trpcWs = trpcWebSocketBehavior({
      router: appRouter,
      createContext: ({ connectionParams, headers, clientIp }) => {
        const withToken = new Headers(headers);
        if (connectionParams?.token) withToken.set("authorization", `Bearer ${connectionParams.token}`);
        return createContext(withToken, clientIp, true);
      },
      onError: logFault("ws api error"),
    });
    let accepting = true;
    const http = await startHttpServer({
      host: config.host,
      port: config.httpPort,
      logger,
      ready: () => accepting && auth !== null,
      chain: chainSetup.embedded?.chain ?? null,
      frontPage: () => frontPage({ mqttPort, chain: config.chain }),
      webApp: loadWebApp(config.webDir ?? defaultWebDir()),
      rootInfo: () => ({
        service: "xenblocks-platform",
        version: SERVER_VERSION,
        mqtt_port: mqttPort,
        api_port: httpPort,
        connected_workers: transport?.connectedWorkers() ?? 0,
        uptime: "running",
        uptime_sec: Math.floor((systemClock.now() - startedAt) / 1000),
      }),
      webSockets: [{ pattern: "/trpc", behavior: trpcWs.behavior }],
      mounts: [
        { pattern: "/trpc/*", handler: trpcHttp },
        // REST compatibility (api.md §4): /api/*, /dashboard, /ws/dashboard — apps/server/src/rest.
        ...restMounts({
          router: appRouter,
          corsOrigins: config.corsOrigins,
          createContext,
          onError: (e) => logger.error("rest error", { error: e instanceof Error ? e.message : String(e) }),
        }),
      ],
      metrics: () =>
        renderMetrics({
          brokerCounters,
          platformCounters: platform.counters,
          connectedWorkers: () => transport?.connectedWorkers() ?? 0,
          openLeases: async () => {
            const [pending, active] = await Promise.all([
              storage.leases.count({ state: "pending" }),
              storage.leases.count({ state: "active" }),
            ]);
            return { pending, active };
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
          apiClients: () => ({
            websocket: trpcWs.clientCount(),
            sse: trpcHttp.openStreams(),
            liveSubscriptions: live.subscriberCount(),
          }),
        }),
    });
    closers.push(() => {
      accepting = false;
      http.close();
    });
    httpPort = http.port;
    auth = await createAuth({
      platform,
      settings: storage.settings,
      revokedTokens: storage.revokedTokens,
      siweNonces: storage.siweNonces,
      publicUrl: config.publicUrl ?? `http://localhost:${http.port}`,
      jwtSecret: config.jwtSecret,
      clock: systemClock,
    });
    const signIns = auth;
    scheduler.every("prune-revoked-tokens", 3_600_000, () => signIns.pruneRevoked());
    scheduler.every("prune-siwe-nonces", 3_600_000, () => signIns.pruneNonces());

    logger.info("xenblocks server started", {
      http: `http://${config.host}:${http.port}`,
      // Never the external broker's credentials (mqtt://user:password@host).
      mqtt: config.mqttUrl?.replace(/\/\/[^@/]*@/, "//***@") ?? `mqtt://${config.host}:${mqttPort}`,
      db: storageKind(config.db),
      chain: config.chain,
    });
    return { httpPort: http.port, mqttPort, platform, scheduler, close: closeAll };
  }
}
