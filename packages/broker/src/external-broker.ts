/**
 * The platform as a client of a broker an operator already runs (Mosquitto, EMQX), through mqtt.js.
 * It subscribes to the four inbound worker topics with a shared subscription, so that several
 * platform instances split the load, and publishes commands QoS 1, never retained.
 *
 * What this mode cannot see: the publisher's client id. The broker's own ACLs must enforce the
 * client-id rules of worker-protocol §2 (see README); the payload `worker_id` check still applies here.
 */
import { randomBytes } from "node:crypto";
import { Counters, INBOUND_SUFFIXES, TOPIC_ROOT } from "@xenblocks/core";
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
    // mqtt.js re-subscribes after a reconnect only for subscriptions it made while connected; we
    // also subscribe on every 'connect' below, so a broker restart that lost sessions is covered.
    resubscribe: false,
    queueQoSZero: false,
  });

  const subscribe = async () => {
    try {
      const granted = await client.subscribeAsync(filters, { qos: 1 });
      const refused = granted.filter((g) => g.qos === 128);
      if (refused.length > 0) {
        counters.inc("mqtt_subscribe_refused_total", undefined, refused.length);
        logger.warn("external broker refused subscriptions", { topics: refused.map((g) => g.topic) });
      }
    } catch (e) {
      logger.warn("external broker subscribe failed", { error: e instanceof Error ? e.message : String(e) });
    }
  };
  client.on("connect", () => {
    // The first connect was awaited above; this is a reconnect, with a clean session to fill again.
    counters.inc("mqtt_reconnect_total");
    void subscribe();
  });
  client.on("error", (e) => logger.warn("external broker error", { error: e.message }));
  client.on("offline", () => logger.warn("external broker connection lost", { url: redact(options.url) }));
  await subscribe();

  /** worker-protocol §4.3 (d): a worker seen live again must not leave a stale retained will behind. */
  function clearRetainedStatus(workerId: string) {
    cleared.add(workerId);
    client.publish(`${TOPIC_ROOT}/${workerId}/status`, Buffer.alloc(0), { qos: 1, retain: true }, (err) => {
      if (err) cleared.delete(workerId);
    });
  }

  /** Presence from live traffic: seen = reachable for a while; an offline status = gone. */
  function observe(outcome: InboundOutcome, retained: boolean): void {
    if (outcome.kind === "dropped" || outcome.kind === "failed" || retained) return;
    const { workerId } = outcome;
    if (outcome.offline) {
      lastSeen.delete(workerId);
      cleared.delete(workerId);
      return;
    }
    lastSeen.set(workerId, now());
    if (!cleared.has(workerId)) clearRetainedStatus(workerId);
  }

  // mqtt.js calls this before it PUBACKs and waits for the callback before the next packet.
  client.handleMessage = (packet, callback) => {
    if (packet.cmd !== "publish") return callback();
    const payload = typeof packet.payload === "string" ? Buffer.from(packet.payload) : packet.payload;
    // Our own clearing publish (empty, on a status topic) comes back to us: not a worker message.
    if (payload.length === 0 && packet.topic.endsWith("/status")) return callback();
    if (packet.retain) counters.inc("mqtt_retained_replay_total");
    const handled = pipeline.handle(packet.topic, payload, { retained: packet.retain });
    void handled.then((outcome) => observe(outcome, packet.retain));
    // Blocks are in the platform's hands before they are acknowledged; the rest is acked at once.
    if (packet.topic.endsWith("/block")) handled.finally(() => callback());
    else callback();
  };

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
    async publish(topic, payload) {
      await client.publishAsync(topic, payload, { qos: 1, retain: false });
    },
    async close() {
      await client.endAsync();
    },
  };
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, "//***@");
}
