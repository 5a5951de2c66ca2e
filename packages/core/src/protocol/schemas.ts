/**
 * Wire schemas of the worker protocol (worker-protocol §4–§5), in the worker's own snake_case.
 *
 * Inbound (worker → platform) schemas accept exactly what the real worker sends and keep unknown fields
 * (loose objects): the worker cannot be changed and adds fields between versions. They check types only
 * where a wrong type would be a different message; content rules that lead to a *stored* rejection (block
 * key format, salt, marker) live in block-hash.ts, because a block that fails them is recorded, not dropped.
 *
 * Outbound (platform → worker) schemas are strict: they describe what the builders must produce, and an
 * extra field there would be a platform bug.
 */
import { z } from "zod";
import { isValidWorkerId } from "./topics.js";

// ---------------------------------------------------------------------------------------------------------
// Shared field rules

const workerId = z.string().refine(isValidWorkerId, {
  message: "worker_id must be 1-128 characters without '/', '+', '#' or control characters",
});
/** Unix seconds from the worker clock; diagnostic only, but an integer on the wire. */
const timestamp = z.int().min(0);
const count = z.int().min(0);

/** `0x` + 40 hex in any case (EIP-55 as typed, or lowercase). */
export const HEX_ADDRESS_PATTERN = /^0x[0-9a-fA-F]{40}$/;
/** `0x` + 40 lowercase hex: what the platform sends as a mining address and uses as an account id. */
export const LOWER_HEX_ADDRESS_PATTERN = /^0x[0-9a-f]{40}$/;
/** A lease key prefix: 16 lowercase hex (worker-protocol §5.2, hazard H10). */
export const LEASE_PREFIX_PATTERN = /^[0-9a-f]{16}$/;
/** Key prefixes the worker reserves for dev-fee and eco batches; a lease must never use them (§8). */
export const RESERVED_KEY_PREFIXES = ["ffffffff", "eeeeeeee"] as const;

export function isLeasePrefix(prefix: string): boolean {
  return LEASE_PREFIX_PATTERN.test(prefix) && !RESERVED_KEY_PREFIXES.some((r) => prefix.startsWith(r));
}

// ---------------------------------------------------------------------------------------------------------
// Worker → platform

export const gpuSchema = z.looseObject({
  index: count,
  name: z.string(),
  /** GiB, rounded by the worker. */
  memory_gb: count,
  /** PCI bus number. */
  bus_id: count,
});

export const registerMessageSchema = z.looseObject({
  worker_id: workerId,
  /** The owner's address as given on the worker's command line (EIP-55, or the zero address in test mode). */
  eth_address: z.string().regex(HEX_ADDRESS_PATTERN, "eth_address must be 0x + 40 hex"),
  gpu_count: count,
  total_memory_gb: count,
  gpus: z.array(gpuSchema),
  version: z.string(),
  timestamp,
});

export const heartbeatMessageSchema = z.looseObject({
  worker_id: workerId,
  /** H/s summed over GPUs; a JSON number here (unlike block.hashrate). */
  hashrate: z.number().min(0),
  active_gpus: count,
  accepted_blocks: count,
  /** Current Argon2 memory cost in KiB. */
  difficulty: count,
  // Sent by the current worker but absent from its original schema, so optional.
  address: z.string().optional(),
  prefix: z.string().optional(),
  block_pattern: z.string().optional(),
  uptime_sec: count,
  timestamp,
});

export const WORKER_STATES = [
  "IDLE",
  "AVAILABLE",
  "LEASED",
  "MINING",
  "COMPLETED",
  "ERROR",
  "offline",
] as const;
export const workerStateSchema = z.enum(WORKER_STATES);
export type WorkerState = z.infer<typeof workerStateSchema>;

/** The regular status message, and the normalised shape of every status (`state` always set). */
export const statusWithStateSchema = z.looseObject({
  worker_id: workerId,
  state: workerStateSchema,
  /** Present while the worker holds a lease; `LEASED` arrives without it (§6). */
  lease_id: z.string().optional(),
  /** Never set by the current worker; stored if present. */
  detail: z.string().optional(),
  timestamp,
});

export type StatusMessage = z.output<typeof statusWithStateSchema>;

/**
 * The Last Will / graceful-disconnect variant `{worker_id, status:"offline", timestamp}` (hazard H8). It has
 * no `state` key; a message that has one is a regular status and must pass that schema instead, so an
 * invalid state can never hide behind `status:"offline"`.
 */
export const statusOfflineVariantSchema = z.looseObject({
  worker_id: workerId,
  status: z.literal("offline"),
  state: z.undefined().optional(),
  timestamp,
});

/** Either status shape, normalised so that `state` is always set (`"offline"` for the variant). */
export const statusMessageSchema = z.union([
  statusWithStateSchema,
  statusOfflineVariantSchema.transform((m): StatusMessage => ({ ...m, state: "offline" })),
]);

/** Parses either status shape into a `StatusMessage` whose `state` is always set. Never throws. */
export function parseStatusMessage(payload: unknown): z.ZodSafeParseResult<StatusMessage> {
  return statusMessageSchema.safeParse(payload);
}

export const blockMessageSchema = z.looseObject({
  worker_id: workerId,
  /** The active lease id, or `""` for a self-mined block. */
  lease_id: z.string(),
  /** The full Argon2id encoded string (§8), not hex; its format is checked later (rejected `malformed`). */
  hash: z.string().min(1).max(512),
  /** 64 hex in practice; only the length is a schema rule (platform-rules §6 check 1). */
  key: z.string().min(1).max(128),
  /** `0x` + salt hex; compared with the salt and the lease later, so any string passes here. */
  account: z.string(),
  attempts: count,
  /** One GPU's hashrate as a 2-decimal STRING, e.g. "2408.16"; a number here is not the real worker. */
  hashrate: z.string(),
  timestamp,
});

export type GpuInfo = z.output<typeof gpuSchema>;
export type RegisterMessage = z.output<typeof registerMessageSchema>;
export type HeartbeatMessage = z.output<typeof heartbeatMessageSchema>;
export type BlockMessage = z.output<typeof blockMessageSchema>;

// ---------------------------------------------------------------------------------------------------------
// Platform → worker

export const REGISTER_ACK_REASONS = ["banned", "reregister"] as const;
export type RegisterAckReason = (typeof REGISTER_ACK_REASONS)[number];

export const registerAckSchema = z.union([
  z.strictObject({ command: z.literal("register_ack"), accepted: z.literal(true) }),
  z.strictObject({
    command: z.literal("register_ack"),
    accepted: z.literal(false),
    reason: z.enum(REGISTER_ACK_REASONS),
  }),
]);

export const assignTaskSchema = z.strictObject({
  command: z.literal("assign_task"),
  lease_id: z.string().min(1),
  consumer_id: z.string().min(1),
  consumer_address: z.string().regex(LOWER_HEX_ADDRESS_PATTERN),
  prefix: z
    .string()
    .refine(isLeasePrefix, { message: "prefix must be 16 lowercase hex, not ffffffff/eeeeeeee" }),
  duration_sec: z.int().positive(),
});

export const releaseSchema = z.strictObject({
  command: z.literal("release"),
  // An empty id would release whatever lease the worker holds (§5.3).
  lease_id: z.string().min(1),
});

/** `set_config` fields (§5.4); strict because the worker silently ignores unknown keys. */
export const setConfigSchema = z.strictObject({
  difficulty: z.int().min(1).optional(),
  address: z.string().regex(HEX_ADDRESS_PATTERN, "address must be 0x + 40 hex").optional(),
  prefix: z
    .string()
    .regex(/^[0-9a-f]{0,48}$/, "prefix must be 0-48 lowercase hex")
    .optional(),
  block_pattern: z
    .string()
    .regex(/^[A-Za-z0-9+/]{0,16}$/, "block_pattern must be 0-16 base64 characters")
    .optional(),
});

export const CONTROL_ACTIONS = ["pause", "resume", "shutdown", "set_config"] as const;
export type ControlAction = (typeof CONTROL_ACTIONS)[number];

const emptyConfig = z.strictObject({});

export const controlSchema = z.discriminatedUnion("action", [
  z.strictObject({ action: z.literal("pause"), config: emptyConfig }),
  z.strictObject({ action: z.literal("resume"), config: emptyConfig }),
  z.strictObject({ action: z.literal("shutdown"), config: emptyConfig }),
  z.strictObject({ action: z.literal("set_config"), config: setConfigSchema }),
]);

export type RegisterAckMessage = z.output<typeof registerAckSchema>;
export type AssignTaskMessage = z.output<typeof assignTaskSchema>;
export type ReleaseMessage = z.output<typeof releaseSchema>;
export type SetConfig = z.output<typeof setConfigSchema>;
export type ControlMessage = z.output<typeof controlSchema>;
/** Everything the platform publishes on `task`. */
export type TaskMessage = RegisterAckMessage | AssignTaskMessage | ReleaseMessage;
