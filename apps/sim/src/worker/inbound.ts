/**
 * Reads platform → worker payloads the way the real worker does (worker-protocol §3, §5). The worker
 * parses with nlohmann::json: `msg.value(key, default)` returns the default when the key is missing and
 * throws when it is present with another type (null included), `msg.at(key)` throws when it is missing,
 * and any throw drops the whole message. Dispatch is by payload, not by topic: `command` selects a task
 * message, anything else is a control message keyed on `action`.
 */

/** A decoded message, or why the worker would drop it. */
export type Inbound =
  | { readonly kind: "register_ack"; readonly accepted: boolean; readonly reason: string }
  /** Parsed further only in AVAILABLE: the real worker checks its state before reading the fields. */
  | { readonly kind: "assign_task"; readonly message: Readonly<Record<string, unknown>> }
  | { readonly kind: "release"; readonly leaseId: string }
  | { readonly kind: "control"; readonly action: string; readonly config: unknown };

export type DecodeResult =
  | { readonly ok: true; readonly inbound: Inbound }
  | { readonly ok: false; readonly reason: string };

export interface AssignFields {
  readonly leaseId: string;
  readonly consumerId: string;
  readonly consumerAddress: string;
  readonly prefix: string;
  readonly durationSec: number;
}

const WRONG_TYPE = Symbol("wrong type");
type WrongType = typeof WRONG_TYPE;

const utf8 = new TextDecoder("utf-8", { fatal: true });

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** nlohmann `value<std::string>(key, fallback)`. */
function stringValue(o: Record<string, unknown>, key: string, fallback: string): string | WrongType {
  if (!(key in o)) return fallback;
  const v = o[key];
  return typeof v === "string" ? v : WRONG_TYPE;
}

/** nlohmann `value<bool>(key, fallback)`: only a JSON boolean converts. */
function boolValue(o: Record<string, unknown>, key: string, fallback: boolean): boolean | WrongType {
  if (!(key in o)) return fallback;
  const v = o[key];
  return typeof v === "boolean" ? v : WRONG_TYPE;
}

/**
 * nlohmann `get<int>()`: any JSON number converts (a float is truncated) and so does a boolean; strings and
 * null throw. Out-of-range values are clamped rather than reproducing C++ undefined behaviour.
 */
export function intOf(v: unknown): number | WrongType {
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v !== "number" || !Number.isFinite(v)) return WRONG_TYPE;
  return Math.max(-2_147_483_648, Math.min(2_147_483_647, Math.trunc(v)));
}

/** Decodes one inbound payload; never throws. */
export function decodeInbound(payload: Uint8Array | string): DecodeResult {
  let json: unknown;
  try {
    json = JSON.parse(typeof payload === "string" ? payload : utf8.decode(payload));
  } catch {
    return { ok: false, reason: "invalid JSON" };
  }
  // `value()` on anything but an object throws in nlohmann.
  if (!isObject(json)) return { ok: false, reason: "payload is not a JSON object" };
  const command = stringValue(json, "command", "");
  if (command === WRONG_TYPE) return { ok: false, reason: "command is not a string" };
  switch (command) {
    case "register_ack": {
      const accepted = boolValue(json, "accepted", false);
      if (accepted === WRONG_TYPE) return { ok: false, reason: "accepted is not a boolean" };
      // The reason is read (and so type-checked) only on a rejection, before the state changes.
      const reason = accepted ? "" : stringValue(json, "reason", "unknown");
      if (reason === WRONG_TYPE) return { ok: false, reason: "reason is not a string" };
      return { ok: true, inbound: { kind: "register_ack", accepted, reason } };
    }
    case "assign_task":
      return { ok: true, inbound: { kind: "assign_task", message: json } };
    case "release": {
      const leaseId = stringValue(json, "lease_id", "");
      if (leaseId === WRONG_TYPE) return { ok: false, reason: "lease_id is not a string" };
      return { ok: true, inbound: { kind: "release", leaseId } };
    }
    default: {
      const action = stringValue(json, "action", "");
      if (action === WRONG_TYPE) return { ok: false, reason: "action is not a string" };
      return { ok: true, inbound: { kind: "control", action, config: json.config } };
    }
  }
}

/**
 * The fields of `assign_task` (§5.2): `lease_id`, `consumer_id`, `consumer_address` required strings,
 * `prefix` default `""`, `duration_sec` default 3600. Returns the reason when the worker would drop it.
 * Nothing here is validated beyond types: the prefix length is the caller's check (it leads to ERROR,
 * not to a drop).
 */
export function readAssignTask(message: Readonly<Record<string, unknown>>): AssignFields | string {
  const required = (key: string): string | WrongType => {
    const v = message[key];
    return typeof v === "string" ? v : WRONG_TYPE;
  };
  const leaseId = required("lease_id");
  if (leaseId === WRONG_TYPE) return "lease_id missing or not a string";
  const consumerId = required("consumer_id");
  if (consumerId === WRONG_TYPE) return "consumer_id missing or not a string";
  const consumerAddress = required("consumer_address");
  if (consumerAddress === WRONG_TYPE) return "consumer_address missing or not a string";
  const prefix = stringValue(message as Record<string, unknown>, "prefix", "");
  if (prefix === WRONG_TYPE) return "prefix is not a string";
  const durationSec = "duration_sec" in message ? intOf(message.duration_sec) : 3600;
  if (durationSec === WRONG_TYPE) return "duration_sec is not a number";
  return { leaseId, consumerId, consumerAddress, prefix, durationSec };
}

/** Byte length of a string as the worker's std::string counts it (UTF-8). */
export function byteLength(s: string): number {
  return new TextEncoder().encode(s).length;
}

/** A lease prefix must be empty or exactly 16 bytes; hex is not checked (hazard H10). */
export function isAcceptedPrefixLength(prefix: string): boolean {
  const n = byteLength(prefix);
  return n === 0 || n === 16;
}

export interface ConfigUpdate {
  difficulty?: number;
  address?: string;
  prefix?: string;
  blockPattern?: string;
}

/**
 * `set_config` (§5.4): fields applied in the worker's fixed order, stopping at the first wrong type; the
 * fields before it stay applied. Values are not validated (the platform validates before sending). A
 * `config` that is missing or not an object applies nothing.
 */
export function readSetConfig(config: unknown): {
  readonly update: ConfigUpdate;
  readonly stoppedAt?: string;
} {
  const update: ConfigUpdate = {};
  if (!isObject(config)) return { update };
  if ("difficulty" in config) {
    const d = intOf(config.difficulty);
    if (d === WRONG_TYPE) return { update, stoppedAt: "difficulty" };
    update.difficulty = d;
  }
  const strings = [
    ["address", "address"],
    ["prefix", "prefix"],
    ["block_pattern", "blockPattern"],
  ] as const;
  for (const [wire, field] of strings) {
    if (!(wire in config)) continue;
    const v = config[wire];
    if (typeof v !== "string") return { update, stoppedAt: wire };
    update[field] = v;
  }
  return { update };
}
