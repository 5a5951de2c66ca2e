/**
 * Turns one inbound MQTT publish into a typed worker message, or a reason to drop it (worker-protocol §2–§3).
 * Nothing inbound is ever answered with an error, so this returns a value for every input and never throws:
 * the caller only counts the reason and moves on.
 */
import type { z } from "zod";
import {
  type BlockMessage,
  blockMessageSchema,
  type HeartbeatMessage,
  heartbeatMessageSchema,
  type RegisterMessage,
  registerMessageSchema,
  type StatusMessage,
  statusMessageSchema,
} from "./schemas.js";
import { isInboundSuffix, parseTopic } from "./topics.js";

export type InboundMessage =
  | { readonly suffix: "register"; readonly message: RegisterMessage }
  | { readonly suffix: "heartbeat"; readonly message: HeartbeatMessage }
  | { readonly suffix: "status"; readonly message: StatusMessage }
  | { readonly suffix: "block"; readonly message: BlockMessage };

/** The label of `mqtt_*_dropped_total{reason}` for a dropped publish. */
export type InboundDropReason = "bad_topic" | "invalid_json" | "schema" | "worker_id_mismatch";

export type ParsedInbound = { readonly ok: true; readonly workerId: string } & InboundMessage;
export type InboundDrop = { readonly ok: false; readonly reason: InboundDropReason; readonly detail: string };
export type ParseInboundResult = ParsedInbound | InboundDrop;

// fatal: invalid UTF-8 is refused rather than turned into U+FFFD, which could make a spoofed id look valid.
// TextDecoder is a global of every JS runtime (Node, browsers) but not of the ES lib core compiles with.
type Utf8Decoder = { decode(bytes: Uint8Array): string };
const { TextDecoder: Decoder } = globalThis as unknown as {
  TextDecoder: new (label: string, options: { fatal: boolean }) => Utf8Decoder;
};
const utf8 = new Decoder("utf-8", { fatal: true });

const drop = (reason: InboundDropReason, detail: string): InboundDrop => ({ ok: false, reason, detail });

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

function hasControlCharacter(value: unknown, depth = 0): boolean {
  if (typeof value === "string") return CONTROL.test(value);
  if (depth > 8 || typeof value !== "object" || value === null) return false;
  return Object.entries(value).some(([k, v]) => CONTROL.test(k) || hasControlCharacter(v, depth + 1));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "(root)"}: ${issue.message}`)
    .join("; ");
}

/**
 * Parses a publish on `xenminer/<id>/<suffix>` for one of the four inbound suffixes. The payload's
 * `worker_id` must equal the topic id; that is checked before the schema, so a spoofed message counts as a
 * spoof even when the rest of it is also wrong. (The client-id check of §2 needs the connection and is the
 * broker's job: see `workerIdFromClientId`.)
 */
export function parseInbound(topic: string, payload: Uint8Array | string): ParseInboundResult {
  const parsedTopic = parseTopic(topic);
  if (!parsedTopic) return drop("bad_topic", `not a worker topic: ${JSON.stringify(topic.slice(0, 200))}`);
  const { workerId, suffix } = parsedTopic;
  if (!isInboundSuffix(suffix)) return drop("bad_topic", `only the platform publishes on "${suffix}"`);

  let json: unknown;
  try {
    json = JSON.parse(typeof payload === "string" ? payload : utf8.decode(payload));
  } catch (e) {
    return drop("invalid_json", e instanceof Error ? e.message : "payload is not JSON");
  }
  if (!isRecord(json)) {
    return drop(
      "schema",
      `payload must be a JSON object, got ${Array.isArray(json) ? "array" : String(json)}`,
    );
  }
  if ("worker_id" in json && typeof json.worker_id === "string" && json.worker_id !== workerId) {
    return drop("worker_id_mismatch", `payload worker_id ${JSON.stringify(json.worker_id)} ≠ topic id`);
  }
  // The real worker never sends control characters, and some stores cannot hold them (NUL).
  if (hasControlCharacter(json)) return drop("schema", "a string field contains control characters");

  switch (suffix) {
    case "register": {
      const r = registerMessageSchema.safeParse(json);
      return r.success
        ? { ok: true, workerId, suffix, message: r.data }
        : drop("schema", describeIssues(r.error));
    }
    case "heartbeat": {
      const r = heartbeatMessageSchema.safeParse(json);
      return r.success
        ? { ok: true, workerId, suffix, message: r.data }
        : drop("schema", describeIssues(r.error));
    }
    case "status": {
      const r = statusMessageSchema.safeParse(json);
      return r.success
        ? { ok: true, workerId, suffix, message: r.data }
        : drop("schema", describeIssues(r.error));
    }
    case "block": {
      const r = blockMessageSchema.safeParse(json);
      return r.success
        ? { ok: true, workerId, suffix, message: r.data }
        : drop("schema", describeIssues(r.error));
    }
  }
}
