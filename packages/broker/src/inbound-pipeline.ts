/**
 * Topic → schema parse (core) → platform call, for both broker modes. Nothing inbound is ever
 * answered with an error (the worker has no NACK), so every outcome is a value: handled, refused by
 * the platform, or dropped with a reason. Drops are counted in `mqtt_dropped_total{reason}` and
 * logged at a bounded rate; a throwing handler is counted too and never reaches the broker.
 */
import { type Counters, type InboundSuffix, parseInbound } from "@xenblocks/core";
import type { AccessDropReason } from "./access-rules.js";
import type { WorkerInbox } from "./inbox.js";
import { type Logger, RateLimitedLog } from "./logger.js";

export type DropReason =
  | AccessDropReason
  | "invalid_json"
  | "schema"
  | "worker_id_mismatch"
  | "oversize"
  /** A retained copy of a message that is only meaningful live (anything but a status). */
  | "retained";

/** Drops that mean someone claimed an identity that is not theirs (worker-protocol §2). */
const SPOOF_REASONS: ReadonlySet<DropReason> = new Set([
  "client_id_mismatch",
  "worker_id_mismatch",
  "not_a_worker",
  "platform_topic",
]);

export type InboundOutcome =
  | {
      kind: "handled";
      workerId: string;
      suffix: InboundSuffix;
      /** A status saying the worker went offline (graceful stop or Last Will). */
      offline: boolean;
      accepted: boolean;
      reason?: string;
    }
  | { kind: "dropped"; reason: DropReason; detail: string }
  | { kind: "failed"; error: string };

export interface InboundMeta {
  /** The MQTT retain flag as delivered (external broker: a replay on subscribe). */
  retained: boolean;
  /** The publisher's client id, when the mode knows it (embedded broker). */
  clientId?: string;
}

export interface InboundPipeline {
  handle(topic: string, payload: Uint8Array, meta: InboundMeta): Promise<InboundOutcome>;
  /** Records a publish the access rules refused before its payload was read. */
  drop(reason: DropReason, detail: string, fields?: Record<string, unknown>): InboundOutcome;
}

export interface PipelineOptions {
  inbox: WorkerInbox;
  counters: Counters;
  logger: Logger;
  /** Minimum time between two log lines for the same drop reason and worker. Default 60 s. */
  logIntervalMs?: number;
}

export function createInboundPipeline(options: PipelineOptions): InboundPipeline {
  const { inbox, counters, logger } = options;
  const log = new RateLimitedLog(logger, options.logIntervalMs);

  function drop(reason: DropReason, detail: string, fields: Record<string, unknown> = {}): InboundOutcome {
    counters.inc("mqtt_dropped_total", reason);
    if (SPOOF_REASONS.has(reason)) counters.inc("mqtt_spoof_dropped_total", reason);
    log.warn(`${reason}:${String(fields.workerId ?? fields.clientId ?? "")}`, "mqtt message dropped", {
      reason,
      detail,
      ...fields,
    });
    return { kind: "dropped", reason, detail };
  }

  async function handle(topic: string, payload: Uint8Array, meta: InboundMeta): Promise<InboundOutcome> {
    const parsed = parseInbound(topic, payload);
    if (!parsed.ok)
      return drop(parsed.reason, parsed.detail, { topic: topic.slice(0, 200), clientId: meta.clientId });
    // Replays on subscribe (external broker) are stale; a status replay goes on to core, which ignores it.
    if (meta.retained && parsed.suffix !== "status") {
      return drop("retained", `retained ${parsed.suffix}`, { workerId: parsed.workerId });
    }
    counters.inc("mqtt_inbound_total", parsed.suffix);
    try {
      let result: { accepted: boolean; reason?: string };
      switch (parsed.suffix) {
        case "register":
          result = await inbox.onRegister(parsed.message);
          break;
        case "heartbeat":
          result = await inbox.onHeartbeat(parsed.message);
          break;
        case "status":
          result = await inbox.onStatus(parsed.message, { retained: meta.retained });
          break;
        case "block":
          result = await inbox.onBlock(parsed.message);
          break;
      }
      const { workerId, suffix } = parsed;
      const offline = parsed.suffix === "status" && parsed.message.state === "offline";
      return { kind: "handled", workerId, suffix, offline, ...result };
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      counters.inc("mqtt_handler_failed_total", parsed.suffix);
      log.warn(`failed:${parsed.suffix}`, "mqtt handler failed", {
        suffix: parsed.suffix,
        workerId: parsed.workerId,
        error,
      });
      return { kind: "failed", error };
    }
  }

  return { handle, drop };
}
