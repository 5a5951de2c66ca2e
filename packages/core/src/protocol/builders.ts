/**
 * Builders for every message the platform publishes (worker-protocol §5). The worker validates almost
 * nothing (a bad prefix sends it to ERROR, a bad address yields unusable blocks, a zero duration disables
 * its expiry), so each builder refuses what the worker would mishandle, with `DomainError("VALIDATION")`.
 * Key order matches the vectors, so a built message serialises byte-for-byte like the reference.
 */
import { fail } from "../errors.js";
import {
  type AssignTaskMessage,
  CONTROL_ACTIONS,
  type ControlAction,
  type ControlMessage,
  isLeasePrefix,
  LOWER_HEX_ADDRESS_PATTERN,
  REGISTER_ACK_REASONS,
  type RegisterAckMessage,
  type RegisterAckReason,
  type ReleaseMessage,
  type SetConfig,
  setConfigSchema,
} from "./schemas.js";

/**
 * `accepted:true` may only be sent as the direct reply to a `register` (hazard H1); a rejection must say
 * why (`banned`, or `reregister` for a heartbeat from an unknown worker).
 */
export function registerAck(accepted: true): RegisterAckMessage;
export function registerAck(accepted: false, reason: RegisterAckReason): RegisterAckMessage;
export function registerAck(accepted: boolean, reason?: RegisterAckReason): RegisterAckMessage;
export function registerAck(accepted: boolean, reason?: RegisterAckReason): RegisterAckMessage {
  if (accepted) {
    if (reason !== undefined) fail("VALIDATION", "An accepted register_ack carries no reason");
    return { command: "register_ack", accepted: true };
  }
  if (reason === undefined || !(REGISTER_ACK_REASONS as readonly string[]).includes(reason)) {
    fail("VALIDATION", `A rejected register_ack needs a reason: ${REGISTER_ACK_REASONS.join(" or ")}`);
  }
  return { command: "register_ack", accepted: false, reason };
}

export type AssignTaskInput = {
  readonly leaseId: string;
  readonly consumerId: string;
  readonly consumerAddress: string;
  readonly prefix: string;
  readonly durationSec: number;
};

/** The lease assignment with all six fields (§5.2; hazards H10–H12). */
export function assignTask(input: AssignTaskInput): AssignTaskMessage {
  const { leaseId, consumerId, consumerAddress, prefix, durationSec } = input;
  if (leaseId.length === 0) fail("VALIDATION", "assign_task needs a lease id");
  if (consumerId.length === 0) fail("VALIDATION", "assign_task needs a consumer id");
  if (!LOWER_HEX_ADDRESS_PATTERN.test(consumerAddress)) {
    fail("VALIDATION", "consumer_address must be 0x + 40 lowercase hex", { consumerAddress });
  }
  if (!isLeasePrefix(prefix)) {
    fail("VALIDATION", "prefix must be 16 lowercase hex not starting with ffffffff or eeeeeeee", { prefix });
  }
  if (!Number.isSafeInteger(durationSec) || durationSec <= 0) {
    fail("VALIDATION", "duration_sec must be an integer > 0", { durationSec });
  }
  return {
    command: "assign_task",
    lease_id: leaseId,
    consumer_id: consumerId,
    consumer_address: consumerAddress,
    prefix,
    duration_sec: durationSec,
  };
}

/** Ends a lease on the worker. Always names the lease: an empty id releases whatever lease it holds. */
export function release(leaseId: string): ReleaseMessage {
  if (leaseId.length === 0) fail("VALIDATION", "release needs a lease id (an empty id releases any lease)");
  return { command: "release", lease_id: leaseId };
}

export function isControlAction(action: string): action is ControlAction {
  return (CONTROL_ACTIONS as readonly string[]).includes(action);
}

// The order of §5.4's table; the worker applies fields in order, so a fixed order keeps it deterministic.
const SET_CONFIG_KEYS = ["difficulty", "address", "prefix", "block_pattern"] as const;

/**
 * Validates a `set_config` payload before it is sent (§5.4): the worker applies fields in order and stops
 * at the first wrong type, leaving a half-applied config, so everything is checked here first. Unknown keys
 * are refused. Returns a fresh object with the known keys in canonical order.
 */
export function validateSetConfig(config: unknown): SetConfig {
  const r = setConfigSchema.safeParse(config);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
    fail("VALIDATION", `Invalid set_config: ${where}${issue?.message ?? "invalid"}`);
  }
  const ordered: Record<string, unknown> = {};
  for (const key of SET_CONFIG_KEYS) {
    if (r.data[key] !== undefined) ordered[key] = r.data[key];
  }
  return ordered as SetConfig;
}

/**
 * A control message `{action, config}` (§5.4). `config` is always present: `{}` for pause, resume and
 * shutdown (anything else is refused), a validated config for `set_config`. Unknown actions are refused
 * because the worker would silently ignore them.
 */
export function control(action: ControlAction, config: unknown = {}): ControlMessage {
  if (!isControlAction(action)) fail("VALIDATION", `Unknown control action ${JSON.stringify(action)}`);
  if (action === "set_config") return { action, config: validateSetConfig(config) };
  if (
    typeof config !== "object" ||
    config === null ||
    Array.isArray(config) ||
    Object.keys(config).length > 0
  ) {
    fail("VALIDATION", `${action} takes an empty config`);
  }
  return { action, config: {} };
}
