/**
 * MQTT topic and client-id naming of the worker protocol (worker-protocol §1–§3). Every topic is
 * `xenminer/<worker_id>/<suffix>` and every worker connects as `xenminer_<worker_id>`; these helpers are the
 * one place that knows the shapes, so the anti-spoofing checks compare like with like.
 */
import { fail } from "../errors.js";

export const TOPIC_ROOT = "xenminer";

/** Suffixes the worker publishes on (worker → platform). */
export const INBOUND_SUFFIXES = ["register", "heartbeat", "status", "block"] as const;
/** Suffixes only the platform publishes on (platform → worker). */
export const OUTBOUND_SUFFIXES = ["task", "control"] as const;

export type InboundSuffix = (typeof INBOUND_SUFFIXES)[number];
export type OutboundSuffix = (typeof OUTBOUND_SUFFIXES)[number];
export type TopicSuffix = InboundSuffix | OutboundSuffix;

export const CLIENT_ID_PREFIX = `${TOPIC_ROOT}_`;
export const MAX_WORKER_ID_LENGTH = 128;

// `/` would split the topic, `+`/`#` are MQTT wildcards; control characters (C0, DEL, C1) and lone
// surrogates cannot be logged or encoded safely. Paired surrogates are one code point under /u and pass.
const FORBIDDEN_ID_CHARS = /[/+#]|\p{Cc}|\p{Cs}/u;

/** worker-protocol §2: non-empty, at most 128 characters (code points), none of `/ + #`, no control chars. */
export function isValidWorkerId(id: unknown): id is string {
  if (typeof id !== "string" || id.length === 0) return false;
  // Code points, not UTF-16 units: "characters" in the spec; an astral character counts once.
  if ([...id].length > MAX_WORKER_ID_LENGTH) return false;
  return !FORBIDDEN_ID_CHARS.test(id);
}

export function isInboundSuffix(suffix: string): suffix is InboundSuffix {
  return (INBOUND_SUFFIXES as readonly string[]).includes(suffix);
}

export function isOutboundSuffix(suffix: string): suffix is OutboundSuffix {
  return (OUTBOUND_SUFFIXES as readonly string[]).includes(suffix);
}

export type ParsedTopic = { readonly workerId: string; readonly suffix: TopicSuffix };

/**
 * Splits `xenminer/<id>/<suffix>`; null for any other shape (wrong root, extra or empty levels, an invalid
 * id, an unknown suffix). Outbound suffixes are recognised too, so the broker can spot foreign publishes on
 * `task`/`control` and check subscriptions.
 */
export function parseTopic(topic: string): ParsedTopic | null {
  const levels = topic.split("/");
  if (levels.length !== 3) return null;
  const [root, workerId, suffix] = levels as [string, string, string];
  if (root !== TOPIC_ROOT || !isValidWorkerId(workerId)) return null;
  if (!isInboundSuffix(suffix) && !isOutboundSuffix(suffix)) return null;
  return { workerId, suffix };
}

/** The topic for one worker; refuses an id that would produce a malformed or wildcard topic. */
export function formatTopic(workerId: string, suffix: TopicSuffix): string {
  if (!isValidWorkerId(workerId)) fail("VALIDATION", "Invalid worker id", { workerId });
  if (!isInboundSuffix(suffix) && !isOutboundSuffix(suffix)) {
    fail("VALIDATION", `Unknown topic suffix ${JSON.stringify(suffix)}`);
  }
  return `${TOPIC_ROOT}/${workerId}/${suffix}`;
}

/** The MQTT client id the worker uses: `xenminer_<worker_id>` (longer than MQTT's 23-byte minimum). */
export function clientIdFor(workerId: string): string {
  return `${CLIENT_ID_PREFIX}${workerId}`;
}

/** The worker id behind a client id, or null when the client is not a worker or its id is invalid. */
export function workerIdFromClientId(clientId: string): string | null {
  if (!clientId.startsWith(CLIENT_ID_PREFIX)) return null;
  const workerId = clientId.slice(CLIENT_ID_PREFIX.length);
  return isValidWorkerId(workerId) ? workerId : null;
}
