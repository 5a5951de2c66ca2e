/**
 * Who may do what on the worker broker (worker-protocol §2). Pure decisions, shared by the embedded
 * broker's hooks and by tests: a worker connects as `xenminer_<id>`, publishes only under its own
 * `xenminer/<id>/{register,heartbeat,status,block}` and subscribes only to its own `task`/`control`.
 * Only the platform itself (in process) publishes commands; everything else is dropped and counted.
 */
import {
  CLIENT_ID_PREFIX,
  type InboundSuffix,
  isInboundSuffix,
  parseTopic,
  TOPIC_ROOT,
  workerIdFromClientId,
} from "@xenblocks/core";

/** The label of `mqtt_dropped_total{reason}` for a publish refused before its payload is read. */
export type AccessDropReason =
  /** Under `xenminer/#` from a client whose id is not `xenminer_<id>`. */
  | "not_a_worker"
  /** A worker publishing under another worker's topic. */
  | "client_id_mismatch"
  /** A client publishing on `task`/`control`: only the platform sends commands. */
  | "platform_topic"
  /** `xenminer/...` but not `xenminer/<valid id>/<known suffix>`. */
  | "bad_topic"
  /** Outside `xenminer/#`: the broker carries the worker protocol and nothing else. */
  | "foreign_topic";

export type ConnectDecision = { ok: true; workerId: string | null } | { ok: false; reason: string };

/**
 * A `xenminer_` client id must carry a valid worker id (`/ + #`, control characters, empty or over
 * 128 characters are refused with CONNACK 2). Other client ids may connect (monitoring tools, the
 * platform's own probes) but can neither publish nor subscribe under `xenminer/#`.
 */
export function checkConnect(clientId: string): ConnectDecision {
  if (!clientId.startsWith(CLIENT_ID_PREFIX)) return { ok: true, workerId: null };
  const workerId = workerIdFromClientId(clientId);
  return workerId === null ? { ok: false, reason: "invalid worker id" } : { ok: true, workerId };
}

export type PublishDecision =
  | { ok: true; workerId: string; suffix: InboundSuffix }
  | { ok: false; reason: AccessDropReason };

/** May this client publish on this topic? (The payload's `worker_id` is checked by the parser.) */
export function checkPublish(clientId: string, topic: string): PublishDecision {
  if (topic !== TOPIC_ROOT && !topic.startsWith(`${TOPIC_ROOT}/`))
    return { ok: false, reason: "foreign_topic" };
  const parsed = parseTopic(topic);
  if (!parsed) return { ok: false, reason: "bad_topic" };
  if (!isInboundSuffix(parsed.suffix)) return { ok: false, reason: "platform_topic" };
  const clientWorker = workerIdFromClientId(clientId);
  if (clientWorker === null) return { ok: false, reason: "not_a_worker" };
  if (clientWorker !== parsed.workerId) return { ok: false, reason: "client_id_mismatch" };
  return { ok: true, workerId: parsed.workerId, suffix: parsed.suffix };
}

/** A worker may subscribe to exactly its own `task` and `control` topics; nothing else is granted. */
export function checkSubscribe(clientId: string, topicFilter: string): boolean {
  const workerId = workerIdFromClientId(clientId);
  if (workerId === null) return false;
  return (
    topicFilter === `${TOPIC_ROOT}/${workerId}/task` || topicFilter === `${TOPIC_ROOT}/${workerId}/control`
  );
}
