/**
 * The embedded broker (aedes 1.x): MQTT 3.1.1 (and 3.1) over TCP, optionally over WebSocket, with the
 * access rules of worker-protocol §2 wired into aedes' hooks. The platform does not subscribe to its
 * own broker: inbound worker messages are handed to the pipeline from `authorizePublish`, which aedes
 * runs before it PUBACKs, so a block reaches the platform before the worker sees its acknowledgement.
 */
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer, type Server, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { Counters, workerIdFromClientId } from "@xenblocks/core";
import { Aedes, type AuthenticateError, type Client } from "aedes";
import { createWebSocketStream, WebSocketServer } from "ws";
import { checkConnect, checkPublish, checkSubscribe } from "./access-rules.js";
import { FrameGuard } from "./frame-guard.js";
import { createInboundPipeline, type InboundPipeline } from "./inbound-pipeline.js";
import type { WorkerInbox } from "./inbox.js";
import { listenOn } from "./listen.js";
import { type Logger, silentLogger } from "./logger.js";
import type { WorkerTransport } from "./transport.js";

export const DEFAULT_MQTT_PORT = 1883;
/** worker-protocol §1: the largest real message (register, 8 GPUs) is under 2 KiB. */
export const MAX_PACKET_BYTES = 64 * 1024;

export interface EmbeddedBrokerOptions {
  inbox: WorkerInbox;
  /** TCP port; 0 picks a free one (tests). Default 1883. */
  port?: number;
  /** Default `0.0.0.0`. */
  host?: string;
  /** MQTT over WebSocket on its own port (path `/mqtt`); off unless given. */
  websocket?: { port: number; host?: string; path?: string };
  counters?: Counters;
  logger?: Logger;
  /** Packets over this size close the connection. Default 64 KiB. */
  maxPacketBytes?: number;
  /**
   * Keepalive for clients that ask for none (0), and the cap for those asking more, in seconds: every
   * connection silent for 1.5 × keepalive is dropped. Defaults 60 and 300.
   */
  defaultKeepaliveSec?: number;
  maxKeepaliveSec?: number;
  /** Minimum time between two log lines for the same drop. Default 60 s. */
  logIntervalMs?: number;
}

export interface EmbeddedBroker extends WorkerTransport {
  readonly mode: "embedded";
  readonly port: number;
  readonly wsPort: number | null;
  readonly counters: Counters;
  /** Topics with a retained message (diagnostics; the rules keep it empty). */
  retainedTopics(): Promise<string[]>;
  /** Stops intake and closes every connection without treating workers as gone (no wills, no offline). */
  close(): Promise<void>;
}

/** Fields aedes has at runtime but leaves out of its typings. */
type AedesClients = { clients: Record<string, Client | undefined> };
type ClientWill = { will?: unknown };
type RetainedStore = { createRetainedStreamCombi(patterns: string[]): AsyncIterable<{ topic: string }> };

/** Marks commands the platform publishes: aedes forwards nothing else to clients. */
const PLATFORM_ORIGIN = "$xenblocks-platform";

function rejectConnect(message: string): AuthenticateError {
  // 2 = "identifier rejected": the worker reads a refused CONNECT as final (hazard H17).
  return Object.assign(new Error(message), { returnCode: 2 }) as AuthenticateError;
}

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const counters = options.counters ?? new Counters();
  const logger = options.logger ?? silentLogger;
  const maxPacketBytes = options.maxPacketBytes ?? MAX_PACKET_BYTES;
  const defaultKeepalive = options.defaultKeepaliveSec ?? 60;
  const maxKeepalive = options.maxKeepaliveSec ?? 300;
  const pipeline: InboundPipeline = createInboundPipeline({
    inbox: options.inbox,
    counters,
    logger,
    logIntervalMs: options.logIntervalMs,
  });

  /** The open connection of each worker, by worker id. */
  const workers = new Map<string, Client>();
  /** Connections replaced by a newer CONNECT with the same client id: their end is not the worker's. */
  const replaced = new WeakSet<Client>();
  /** Client publishes the platform has taken (or dropped): never routed to subscribers. */
  const consumed = new WeakSet<object>();
  let closing = false;
  /** Handlers still running: `close()` waits for them before the caller closes storage. */
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(work: Promise<T>): Promise<T> => {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work)).catch(() => {});
    return work;
  };

  const aedes = await Aedes.createBroker({
    // MQTT 3.1 limits client ids to 23 bytes; `xenminer_<16 hex>` is 25.
    maxClientsIdLength: 65_535,
    // A stuck reader must not stall delivery to everyone else.
    drainTimeout: 10_000,
    concurrency: 1000,

    preConnect(_client, packet, callback) {
      counters.inc("mqtt_connect_total");
      // Nothing is kept between connections (worker-protocol §1): a persistent session would store
      // subscriptions (refused ones included) and queue commands for a client while it is away.
      packet.clean = true;
      // Keepalive is enforced for everyone: "none" becomes the default, huge values are capped.
      if (!packet.keepalive) packet.keepalive = defaultKeepalive;
      else if (packet.keepalive > maxKeepalive) packet.keepalive = maxKeepalive;
      callback(null, true);
    },

    authenticate(client, _username, _password, done) {
      const decision = checkConnect(client.id);
      if (!decision.ok) {
        counters.inc("mqtt_connect_refused_total", "invalid_worker_id");
        return done(rejectConnect(decision.reason), null);
      }
      done(null, true);
    },

    authorizePublish(client, packet, callback) {
      if (!client || closing) return callback(new Error("not published"));
      // The Last Will is published through this hook with the very object stored at CONNECT.
      const isWill = packet === (client as ClientWill).will;
      if (isWill && replaced.has(client)) {
        counters.inc("mqtt_will_ignored_total", "takeover");
        return callback(new Error("will of a replaced connection"));
      }
      const payload = typeof packet.payload === "string" ? Buffer.from(packet.payload) : packet.payload;
      if (payload.length > maxPacketBytes) {
        pipeline.drop("oversize", `${payload.length} bytes`, { clientId: client.id });
        return callback(new Error("packet too large"));
      }
      // Nothing from a client is ever retained: a retained will would replay stale (hazard H7).
      packet.retain = false;
      consumed.add(packet);
      const access = checkPublish(client.id, packet.topic);
      if (!access.ok) {
        pipeline.drop(access.reason, packet.topic.slice(0, 200), { clientId: client.id });
        // Accepted on the wire (QoS 1 is still PUBACKed) but routed nowhere (see `publish` below).
        return callback(null);
      }
      const handled = track(pipeline.handle(packet.topic, payload, { retained: false, clientId: client.id }));
      if (isWill) {
        // Handled here; an error stops aedes from routing the will anywhere.
        handled.finally(() => callback(new Error("will handled")));
      } else if (access.suffix === "block") {
        // Blocks are in the platform's hands before the PUBACK goes out.
        handled.finally(() => callback(null));
      } else {
        callback(null);
      }
    },

    authorizeSubscribe(client, subscription, callback) {
      if (!checkSubscribe(client.id, subscription.topic)) {
        counters.inc("mqtt_subscribe_refused_total");
        return callback(null, null);
      }
      // Granted as asked: commands are published QoS 1, so delivery never exceeds 1 anyway.
      callback(null, subscription);
    },

    authorizeForward(client, packet) {
      // Only the platform's commands, and only to the worker they are addressed to.
      const fromPlatform = (packet as { clientId?: string }).clientId === PLATFORM_ORIGIN;
      return fromPlatform && checkSubscribe(client.id, packet.topic) ? packet : null;
    },
  });

  // Every client publish is the platform's to consume: no client may subscribe to worker reports, and
  // what a client sends on `task`/`control` must reach no one. Routing them through aedes' delivery
  // (persistence lookup, topic matching, events) would cost CPU on the hottest path for nothing, so
  // consumed packets end here; the platform's own commands (client null) take the normal way.
  // At runtime aedes.publish takes (packet, client, done); its typings only show (packet, done).
  type Publish = (packet: object, client: unknown, done?: (err?: Error) => void) => void;
  const internals = aedes as unknown as { publish: Publish };
  const route: Publish = internals.publish.bind(aedes);
  internals.publish = (packet, client, done) => {
    if (client && consumed.has(packet)) return done?.();
    return route(packet, client, done);
  };

  // A takeover is decided where aedes replaces the registered connection, not at authentication: a
  // CONNECT that dies before it registers replaces nothing.
  type Register = (client: Client) => void;
  const registry = aedes as unknown as AedesClients & { registerClient: Register };
  const register: Register = registry.registerClient.bind(aedes);
  registry.registerClient = (client) => {
    const previous = registry.clients[client.id];
    if (previous && previous !== client) {
      counters.inc("mqtt_takeover_total");
      replaced.add(previous);
      logger.info("mqtt client id taken over", { clientId: client.id });
    }
    register(client);
  };

  aedes.on("clientReady", (client) => {
    const workerId = workerIdFromClientId(client.id);
    if (workerId !== null && !client.closed) workers.set(workerId, client);
  });
  aedes.on("clientDisconnect", (client) => {
    const workerId = workerIdFromClientId(client.id);
    if (workerId === null || workers.get(workerId) !== client) return;
    workers.delete(workerId);
    if (closing || replaced.has(client)) return;
    track(options.inbox.onDisconnect(workerId)).catch((e: unknown) => {
      counters.inc("mqtt_handler_failed_total", "disconnect");
      logger.warn("disconnect handler failed", {
        workerId,
        error: e instanceof Error ? e.message : String(e),
      });
    });
  });
  // aedes emits 'error' (e.g. a stale will it cannot publish) but leaves it out of its typings.
  (aedes as unknown as NodeJS.EventEmitter).on("error", (e: Error) => {
    counters.inc("mqtt_broker_errors_total");
    logger.warn("mqtt broker error", { error: e.message });
  });
  aedes.on("keepaliveTimeout", () => counters.inc("mqtt_keepalive_timeout_total"));
  aedes.on("clientError", () => counters.inc("mqtt_client_errors_total"));
  aedes.on("connectionError", () => counters.inc("mqtt_connection_errors_total"));

  /** Hands a connection to aedes behind a guard that cuts it at the first oversized packet header. */
  function accept(stream: Duplex | Socket) {
    aedes.handle(stream);
    const guard = new FrameGuard(maxPacketBytes);
    // With aedes' 'readable' listener attached first, 'data' only observes what aedes reads.
    stream.on("data", (chunk: Buffer) => {
      if (!guard.feed(chunk)) {
        pipeline.drop("oversize", "declared packet length over the limit");
        stream.destroy();
      }
    });
  }

  const tcp: Server = createServer(accept);
  let http: HttpServer | null = null;
  let wss: WebSocketServer | null = null;
  try {
    await listenOn(tcp, options.port ?? DEFAULT_MQTT_PORT, options.host ?? "0.0.0.0", "MQTT");
    if (options.websocket) {
      http = createHttpServer((_req, res) => res.writeHead(426).end("MQTT over WebSocket only\n"));
      wss = new WebSocketServer({
        server: http,
        path: options.websocket.path ?? "/mqtt",
        maxPayload: maxPacketBytes + 16,
      });
      wss.on("connection", (socket) => accept(createWebSocketStream(socket)));
      await listenOn(
        http,
        options.websocket.port,
        options.websocket.host ?? "0.0.0.0",
        "MQTT over WebSocket",
      );
    }
  } catch (e) {
    tcp.close();
    http?.close();
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    throw e;
  }

  const portOf = (server: Server | HttpServer) => {
    const address = server.address();
    return typeof address === "object" && address !== null ? address.port : 0;
  };

  return {
    mode: "embedded",
    port: portOf(tcp),
    wsPort: http ? portOf(http) : null,
    counters,
    isConnected: (workerId) => workers.get(workerId)?.connected === true,
    connectedWorkers: () => workers.size,
    connectedWorkerIds: () => [...workers.keys()].sort(),
    publish(topic, payload) {
      return new Promise<void>((resolve, reject) => {
        aedes.publish(
          {
            cmd: "publish",
            topic,
            payload,
            qos: 1,
            retain: false,
            dup: false,
            clientId: PLATFORM_ORIGIN,
          } as never,
          (err?: Error | null) => (err ? reject(err) : resolve()),
        );
      });
    },
    async retainedTopics() {
      const persistence = (aedes as unknown as { persistence: RetainedStore }).persistence;
      const topics: string[] = [];
      for await (const packet of persistence.createRetainedStreamCombi(["#"])) topics.push(packet.topic);
      return topics;
    },
    async close() {
      if (closing) return;
      closing = true;
      tcp.close();
      wss?.close();
      http?.close();
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await Promise.allSettled([...inFlight]);
    },
  };
}
