/**
 * The platform as a client of a broker an operator already runs (Mosquitto, EMQX), through mqtt.js.
 * It subscribes to the four inbound worker topics with a shared subscription, so that several
 * platform instances split the load, and publishes commands QoS 1, never retained.
 *
 * What this mode cannot see: the publisher's client id. The broker's own ACLs must enforce the
 * client-id rules of worker-protocol §2 (see README); the payload `worker_id` check still applies here.
 */
import { randomBytes } from "node:crypto";
import { Counters, INBOUND_SUFFIXES, parseTopic, TOPIC_ROOT } from "@xenblocks/core";
import mqtt, { type MqttClient } from "mqtt";
import { createInboundPipeline, type InboundOutcome } from "./inbound-pipeline.js";
import type { WorkerInbox } from "./inbox.js";
import { type Logger, silentLogger } from "./logger.js";
import type { WorkerTransport } from "./transport.js";

export interface ExternalBrokerOptions {
  /** `mqtt://host:port` (credentials in the URL if the broker needs them). */
  url: string;
  inbox: WorkerInbox;
  /** Shared-subscription group: instances with the same group split the inbound messages. */
  group?: string;
  /** Subscribe with `$share/<group>/…` (default) or plainly (a broker without shared subscriptions). */
  shared?: boolean;
  clientId?: string;
  counters?: Counters;
  logger?: Logger;
  logIntervalMs?: number;
  /**
   * How long after its last live message a worker counts as reachable: this mode cannot see
   * connections, so it goes by traffic. Default 90 s, the platform's liveness threshold.
   */
  presenceTtlMs?: number;
  /** How long to wait for the first connection. Default 10 s. */
  connectTimeoutMs?: number;
  now?: () => number;
}

export interface ExternalBroker extends WorkerTransport {
  readonly mode: "external";
  readonly counters: Counters;
  /** The mqtt.js client (tests drive reconnects through it). */
  readonly client: MqttClient;
  close(): Promise<void>;
}

/** The filters this mode subscribes to, e.g. `$share/xenblocks/xenminer/+/heartbeat`. */
export function inboundFilters(group: string, shared: boolean): string[] {
  return INBOUND_SUFFIXES.map((suffix) => `${shared ? `$share/${group}/` : ""}${TOPIC_ROOT}/+/${suffix}`);
}

export async function connectExternalBroker(options: ExternalBrokerOptions): Promise<ExternalBroker> {
  const counters = options.counters ?? new Counters();
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? Date.now;
  const ttl = options.presenceTtlMs ?? 90_000;
  const pipeline = createInboundPipeline({
    inbox: options.inbox,
    counters,
    logger,
    logIntervalMs: options.logIntervalMs,
  });
  const filters = inboundFilters(options.group ?? "xenblocks", options.shared ?? true);
  /** Last live message per worker: the only presence signal an external broker gives. */
  const lastSeen = new Map<string, number>();
  /** Workers whose retained status topic was cleared since they were last seen offline. */
  const cleared = new Set<string>();

  const client = await mqtt.connectAsync(options.url, {
    clientId: options.clientId ?? `xenblocks-platform-${randomBytes(6).toString("hex")}`,
    protocolVersion: 4,
    clean: true,
    keepalive: 30,
    reconnectPeriod: 1000,
    connectTimeout: options.connectTimeoutMs ?? 10_000,
    // We subscribe on every 'connect' ourselves (below): with a clean session the broker forgets
    // subscriptions whenever the connection drops, and mqtt.js' own resubscribe is off.
    resubscribe: false,
    queueQoSZero: false,
  });

  /** Subscribes to the inbound filters; resolves with the filters the broker refused. */
  const subscribe = () =>
    new Promise<string[]>((resolve, reject) => {
      // mqtt.js fails the whole call when one filter is refused; the SUBACK codes say which.
      client.subscribe(filters, { qos: 1 }, (err, _granted, packet) => {
        const codes = (packet?.granted ?? []) as number[];
        const refused = filters.filter((_, i) => codes[i] === 128);
        if (err && refused.length === 0) return reject(err);
        if (refused.length > 0) {
          counters.inc("mqtt_subscribe_refused_total", undefined, refused.length);
          logger.warn("external broker refused subscriptions", { topics: refused });
        }
        resolve(refused);
      });
    });

  /** Presence from live traffic, by arrival time: seen = reachable for a while. */
  function sweepPresence() {
    const cutoff = now() - ttl;
    for (const [workerId, seen] of lastSeen) {
      if (seen < cutoff) {
        lastSeen.delete(workerId);
        cleared.delete(workerId);
      }
    }
  }
  let arrivals = 0;
  /** Handlers still running: `close()` waits for them before the caller closes storage. */
  const inFlight = new Set<Promise<unknown>>();

  client.on("connect", () => {
    // The first connect was awaited above; this is a reconnect, with a clean session to fill again.
    counters.inc("mqtt_reconnect_total");
    subscribe().catch((e: unknown) =>
      logger.warn("external broker subscribe failed", { error: e instanceof Error ? e.message : String(e) }),
    );
  });
  client.on("error", (e) => logger.warn("external broker error", { error: e.message }));
  client.on("offline", () => logger.warn("external broker connection lost", { url: redact(options.url) }));

  /** worker-protocol §4.3 (d): a worker seen live again must not leave a stale retained will behind. */
  function clearRetainedStatus(workerId: string) {
    cleared.add(workerId);
    client.publish(`${TOPIC_ROOT}/${workerId}/status`, Buffer.alloc(0), { qos: 1, retain: true }, (err) => {
      if (err) cleared.delete(workerId);
    });
  }

  /**
   * Settles presence once the platform has the message: an offline status ends it, a drop (spoofed or
   * malformed) takes back the mark its arrival made, and a worker seen live again gets its stale
   * retained status cleared. Only when no later message of the worker has arrived meanwhile.
   */
  function settle(
    outcome: InboundOutcome,
    workerId: string,
    arrivedAt: number,
    previous: number | undefined,
  ) {
    const latest = lastSeen.get(workerId) === arrivedAt;
    if (outcome.kind === "dropped") {
      if (latest) {
        if (previous === undefined) lastSeen.delete(workerId);
        else lastSeen.set(workerId, previous);
      }
    } else if (outcome.kind === "handled" && outcome.offline) {
      if (latest) lastSeen.delete(workerId);
      cleared.delete(workerId);
    } else if (!cleared.has(workerId)) {
      clearRetainedStatus(workerId);
    }
  }

  // mqtt.js calls this before it PUBACKs and waits for the callback before the next packet.
  client.handleMessage = (packet, callback) => {
    if (packet.cmd !== "publish") return callback();
    const payload = typeof packet.payload === "string" ? Buffer.from(packet.payload) : packet.payload;
    // Our own clearing publish (empty, on a status topic) comes back to us: not a worker message.
    if (payload.length === 0 && packet.topic.endsWith("/status")) return callback();
    if (packet.retain) counters.inc("mqtt_retained_replay_total");
    // Marked present on arrival, before the platform handles it: its reply (register_ack, a release
    // owed since a disconnect) is sent from inside the handler and must find the worker reachable.
    const workerId = packet.retain ? null : (parseTopic(packet.topic)?.workerId ?? null);
    const arrivedAt = now();
    const previous = workerId === null ? undefined : lastSeen.get(workerId);
    if (workerId !== null) {
      lastSeen.set(workerId, arrivedAt);
      if (++arrivals % 10_000 === 0) sweepPresence();
    }
    const handled = pipeline.handle(packet.topic, payload, { retained: packet.retain });
    inFlight.add(handled);
    void handled.finally(() => inFlight.delete(handled));
    if (workerId !== null) void handled.then((outcome) => settle(outcome, workerId, arrivedAt, previous));
    // Blocks are in the platform's hands before they are acknowledged; the rest is acked at once.
    if (packet.topic.endsWith("/block")) handled.finally(() => callback());
    else callback();
  };

  // Installed before subscribing, so nothing delivered right after the SUBACK misses it.
  try {
    const refused = await subscribe();
    if (refused.length > 0) throw new Error(`the broker refused the subscriptions ${refused.join(", ")}`);
  } catch (e) {
    await client.endAsync(true);
    throw new Error(
      `cannot subscribe to the worker topics on ${redact(options.url)}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }

  return {
    mode: "external",
    counters,
    client,
    isConnected(workerId) {
      const seen = lastSeen.get(workerId);
      return seen !== undefined && now() - seen < ttl;
    },
    connectedWorkers() {
      const cutoff = now() - ttl;
      let n = 0;
      for (const seen of lastSeen.values()) if (seen >= cutoff) n++;
      return n;
    },
    connectedWorkerIds() {
      const cutoff = now() - ttl;
      return [...lastSeen]
        .filter(([, seen]) => seen >= cutoff)
        .map(([id]) => id)
        .sort();
    },
    async publish(topic, payload) {
      await client.publishAsync(topic, payload, { qos: 1, retain: false });
    },
    async close() {
      await client.endAsync();
      await Promise.allSettled([...inFlight]);
    },
  };
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, "//***@");
}
