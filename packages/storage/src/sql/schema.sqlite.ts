/**
 * The SQLite / libSQL schema. `schema.pg.ts` declares the same tables with the same column names and
 * the same JavaScript keys (the domain's field names), so one repository implementation reads and
 * writes both; `schema-parity.test.ts` proves they match. Times are epoch milliseconds in 64-bit
 * integers, money is 64-bit integer micro-units, JSON is stored as text.
 */
import type {
  BlockRecord,
  Gpu,
  HealthEventRecord,
  LeaseRecord,
  PendingControl,
  TransferReference,
  TransferType,
  WithdrawalState,
  WorkerConfigEcho,
  WorkerState,
} from "@xenblocks/core";
import { sql } from "drizzle-orm";
import {
  check,
  customType,
  index,
  integer,
  primaryKey,
  real,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";

/** Money: bigint in JS, INTEGER in SQLite (libSQL reads it back as a number below 2^53). */
const money = customType<{ data: bigint; driverData: number | bigint | string }>({
  dataType: () => "integer",
  fromDriver: (value) => BigInt(value),
  toDriver: (value) => value,
});
/** JSON kept as text: the same representation in both dialects. */
const json = <T>() =>
  customType<{ data: T; driverData: string }>({
    dataType: () => "text",
    fromDriver: (value) => JSON.parse(value) as T,
    toDriver: (value) => JSON.stringify(value),
  });
const ms = (name: string) => integer(name, { mode: "number" });
const bool = (name: string) => integer(name, { mode: "boolean" });

export const accounts = sqliteTable("accounts", {
  address: text("address").primaryKey(),
  createdAt: ms("created_at").notNull(),
});

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    address: text("address").notNull(),
    name: text("name").notNull(),
    hash: text("hash").notNull(),
    last4: text("last4").notNull(),
    createdAt: ms("created_at").notNull(),
    lastUsedAt: ms("last_used_at"),
    revokedAt: ms("revoked_at"),
  },
  (t) => [
    uniqueIndex("api_keys_hash_uq").on(t.hash),
    index("api_keys_address_idx").on(t.address, t.createdAt),
  ],
);

/**
 * Sign-in nonces waiting for their signature (platform-rules §10), shared by every server instance.
 * `seq` is the insertion order: the per-address bound drops the oldest first, even among nonces
 * issued in the same millisecond.
 */
export const siweNonces = sqliteTable(
  "siwe_nonces",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    nonce: text("nonce").notNull(),
    address: text("address").notNull(),
    chainId: integer("chain_id").notNull(),
    message: text("message").notNull(),
    issuedAt: ms("issued_at").notNull(),
    expiresAt: ms("expires_at").notNull(),
  },
  (t) => [
    uniqueIndex("siwe_nonces_nonce_uq").on(t.nonce),
    index("siwe_nonces_address_idx").on(t.address, t.seq),
    index("siwe_nonces_expires_idx").on(t.expiresAt),
  ],
);

export const revokedTokens = sqliteTable(
  "revoked_tokens",
  { jti: text("jti").primaryKey(), expiresAt: ms("expires_at").notNull() },
  (t) => [index("revoked_tokens_expires_idx").on(t.expiresAt)],
);

export const workers = sqliteTable(
  "workers",
  {
    workerId: text("worker_id").primaryKey(),
    owner: text("owner").notNull(),
    ethAddress: text("eth_address").notNull(),
    gpus: json<Gpu[]>()("gpus").notNull(),
    /** Lowercase GPU names, one per line: GPU filters search this instead of parsing JSON per row. */
    gpuNames: text("gpu_names").notNull().default(""),
    /**
     * The distinct GPU names as reported (original case), a JSON array of strings: the marketplace
     * facets count workers per name from it in SQL (json_each / jsonb_array_elements_text).
     */
    gpuModels: text("gpu_models").notNull().default("[]"),
    gpuCount: integer("gpu_count").notNull(),
    totalMemoryGb: integer("total_memory_gb").notNull(),
    version: text("version").notNull(),
    registeredAt: ms("registered_at").notNull(),
    updatedAt: ms("updated_at").notNull(),
    state: text("state").$type<WorkerState>(),
    stateLeaseId: text("state_lease_id"),
    stateAt: ms("state_at"),
    online: bool("online").notNull(),
    lastSeenAt: ms("last_seen_at").notNull(),
    offlineSince: ms("offline_since"),
    hashrate: real("hashrate").notNull(),
    activeGpus: integer("active_gpus").notNull(),
    config: json<WorkerConfigEcho>()("config").notNull(),
    uptimeSec: integer("uptime_sec").notNull(),
    pricePerSec: money("price_per_sec").notNull(),
    minDurationSec: integer("min_duration_sec").notNull(),
    maxDurationSec: integer("max_duration_sec").notNull(),
    listed: bool("listed").notNull(),
    banned: bool("banned").notNull(),
    banReason: text("ban_reason"),
    suspect: bool("suspect").notNull(),
    lastSentAt: ms("last_sent_at"),
    releaseLeaseId: text("release_lease_id"),
    releaseSentAt: ms("release_sent_at"),
    lastLeaseEndedAt: ms("last_lease_ended_at"),
    pendingControl: json<PendingControl | null>()("pending_control"),
    onlineSec: real("online_sec").notNull(),
    lastHeartbeatAt: ms("last_heartbeat_at"),
    leasesCompleted: integer("leases_completed").notNull(),
    leasesFailed: integer("leases_failed").notNull(),
    verifiedLeaseBlocks: integer("verified_lease_blocks").notNull(),
    leaseBlocks: integer("lease_blocks").notNull(),
    selfBlocks: integer("self_blocks").notNull(),
  },
  (t) => [
    index("workers_owner_idx").on(t.owner),
    // Matching and the marketplace page filter on this index alone; hashrate stays out of it because
    // every heartbeat flush would rewrite it.
    index("workers_match_idx").on(
      t.online,
      t.state,
      t.listed,
      t.banned,
      t.suspect,
      t.minDurationSec,
      t.maxDurationSec,
      t.pricePerSec,
      t.workerId,
    ),
    index("workers_price_idx").on(t.pricePerSec),
    index("workers_pending_control_idx")
      .on(t.workerId)
      .where(sql`${t.pendingControl} IS NOT NULL AND ${t.pendingControl} <> 'null'`),
  ],
);

export const leases = sqliteTable(
  "leases",
  {
    leaseId: text("lease_id").primaryKey(),
    workerId: text("worker_id").notNull(),
    renter: text("renter").notNull(),
    provider: text("provider").notNull(),
    consumerAddress: text("consumer_address").notNull(),
    prefix: text("prefix").notNull(),
    durationSec: integer("duration_sec").notNull(),
    pricePerSec: money("price_per_sec").notNull(),
    escrow: money("escrow").notNull(),
    state: text("state").$type<LeaseRecord["state"]>().notNull(),
    reason: text("reason").$type<NonNullable<LeaseRecord["reason"]>>(),
    createdAt: ms("created_at").notNull(),
    confirmedAt: ms("confirmed_at"),
    expiresAt: ms("expires_at"),
    endedAt: ms("ended_at"),
    lastGoodHeartbeatAt: ms("last_good_heartbeat_at"),
    billedSec: integer("billed_sec"),
    blocksAccepted: integer("blocks_accepted").notNull(),
    blocksRejected: integer("blocks_rejected").notNull(),
    hashrateSum: real("hashrate_sum").notNull(),
    hashrateSamples: integer("hashrate_samples").notNull(),
  },
  (t) => [
    uniqueIndex("leases_open_worker_uq").on(t.workerId).where(sql`${t.state} IN ('pending', 'active')`),
    uniqueIndex("leases_prefix_uq").on(t.prefix),
    index("leases_renter_idx").on(t.renter, t.createdAt),
    index("leases_provider_idx").on(t.provider, t.createdAt),
    index("leases_worker_idx").on(t.workerId, t.createdAt),
    index("leases_state_expires_idx").on(t.state, t.expiresAt),
    index("leases_state_created_idx").on(t.state, t.createdAt),
    index("leases_confirmed_idx").on(t.confirmedAt, t.leaseId),
    index("leases_ended_idx").on(t.endedAt, t.leaseId),
  ],
);

export const blocks = sqliteTable(
  "blocks",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    key: text("key").notNull(),
    workerId: text("worker_id").notNull(),
    leaseId: text("lease_id"),
    hash: text("hash").notNull(),
    account: text("account").notNull(),
    attempts: integer("attempts").notNull(),
    hashrate: text("hashrate").notNull(),
    blockType: text("block_type").$type<BlockRecord["blockType"]>().notNull(),
    difficulty: integer("difficulty"),
    status: text("status").$type<BlockRecord["status"]>().notNull(),
    rejectReason: text("reject_reason").$type<NonNullable<BlockRecord["rejectReason"]>>(),
    chainStatus: text("chain_status").$type<NonNullable<BlockRecord["chainStatus"]>>(),
    chainBlockId: integer("chain_block_id"),
    chainChecks: integer("chain_checks").notNull(),
    nextChainCheckAt: ms("next_chain_check_at"),
    receivedAt: ms("received_at").notNull(),
  },
  (t) => [
    uniqueIndex("blocks_key_uq").on(t.key),
    index("blocks_lease_idx").on(t.leaseId, t.id),
    index("blocks_worker_idx").on(t.workerId, t.id),
    index("blocks_chain_due_idx").on(t.chainStatus, t.nextChainCheckAt),
    index("blocks_received_idx").on(t.receivedAt),
    index("blocks_worker_received_idx").on(t.workerId, t.receivedAt),
  ],
);

export const transfers = sqliteTable(
  "transfers",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    id: text("id").notNull(),
    type: text("type").$type<TransferType>().notNull(),
    from: text("from_account").notNull(),
    to: text("to_account").notNull(),
    amount: money("amount").notNull(),
    referenceKind: text("reference_kind").$type<TransferReference["kind"]>().notNull(),
    referenceId: text("reference_id").notNull(),
    createdAt: ms("created_at").notNull(),
    fromBalanceAfter: money("from_balance_after").notNull(),
    toBalanceAfter: money("to_balance_after").notNull(),
  },
  (t) => [
    uniqueIndex("transfers_id_uq").on(t.id),
    index("transfers_from_idx").on(t.from, t.seq),
    index("transfers_to_idx").on(t.to, t.seq),
    index("transfers_credits_idx").on(t.type, t.to, t.createdAt),
    check("transfers_amount_positive", sql`${t.amount} > 0`),
  ],
);

export const balances = sqliteTable(
  "balances",
  { account: text("account").primaryKey(), balance: money("balance").notNull() },
  // The last line of defence: only `world` may ever go negative (platform-rules §2).
  (t) => [check("balances_non_negative", sql`${t.balance} >= 0 OR ${t.account} = 'world'`)],
);

export const settlements = sqliteTable(
  "settlements",
  {
    leaseId: text("lease_id").primaryKey(),
    renter: text("renter").notNull(),
    workerId: text("worker_id").notNull(),
    provider: text("provider").notNull(),
    state: text("state").$type<LeaseRecord["state"]>().notNull(),
    billedSec: integer("billed_sec").notNull(),
    total: money("total").notNull(),
    fee: money("fee").notNull(),
    providerAmount: money("provider_amount").notNull(),
    refund: money("refund").notNull(),
    feeBps: integer("fee_bps").notNull(),
    settledAt: ms("settled_at").notNull(),
  },
  (t) => [
    index("settlements_renter_idx").on(t.renter, t.settledAt),
    index("settlements_provider_idx").on(t.provider, t.settledAt),
    index("settlements_settled_idx").on(t.settledAt),
  ],
);

export const withdrawals = sqliteTable(
  "withdrawals",
  {
    id: text("id").primaryKey(),
    address: text("address").notNull(),
    amount: money("amount").notNull(),
    toAddress: text("to_address").notNull(),
    state: text("state").$type<WithdrawalState>().notNull(),
    reference: text("reference"),
    reason: text("reason"),
    createdAt: ms("created_at").notNull(),
    resolvedAt: ms("resolved_at"),
  },
  (t) => [
    index("withdrawals_address_idx").on(t.address, t.createdAt),
    index("withdrawals_state_idx").on(t.state, t.createdAt),
  ],
);

export const hashrateSnapshots = sqliteTable(
  "hashrate_snapshots",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    workerId: text("worker_id").notNull(),
    hashrate: real("hashrate").notNull(),
    activeGpus: integer("active_gpus").notNull(),
    ts: ms("ts").notNull(),
  },
  (t) => [index("snapshots_worker_ts_idx").on(t.workerId, t.ts), index("snapshots_ts_idx").on(t.ts)],
);

/** Hourly and daily roll-ups share their columns; each table gets its own column builders. */
const rollup = () => ({
  workerId: text("worker_id").notNull(),
  bucketStart: ms("bucket_start").notNull(),
  avgHashrate: real("avg_hashrate").notNull(),
  maxHashrate: real("max_hashrate").notNull(),
  samples: integer("samples").notNull(),
  onlineSamples: integer("online_samples").notNull(),
});

export const hashrateHourly = sqliteTable("hashrate_hourly", rollup(), (t) => [
  primaryKey({ columns: [t.workerId, t.bucketStart] }),
  index("hourly_bucket_idx").on(t.bucketStart),
]);

export const hashrateDaily = sqliteTable("hashrate_daily", rollup(), (t) => [
  primaryKey({ columns: [t.workerId, t.bucketStart] }),
  index("daily_bucket_idx").on(t.bucketStart),
]);

export const healthEvents = sqliteTable(
  "health_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    at: ms("at").notNull(),
    workerId: text("worker_id").notNull(),
    kind: text("kind").$type<HealthEventRecord["kind"]>().notNull(),
    reason: text("reason").$type<NonNullable<HealthEventRecord["reason"]>>(),
    offlineForSec: integer("offline_for_sec"),
  },
  (t) => [index("health_worker_idx").on(t.workerId, t.id), index("health_at_idx").on(t.at)],
);

export const auditLog = sqliteTable(
  "audit_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    at: ms("at").notNull(),
    actor: text("actor").notNull(),
    action: text("action").notNull(),
    target: text("target").notNull(),
    result: text("result").notNull(),
  },
  (t) => [index("audit_at_idx").on(t.at)],
);

/** Answers to requests sent with an idempotency key (api.md §1), one per caller and key. */
export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    actor: text("actor").notNull(),
    key: text("key").notNull(),
    operation: text("operation").notNull(),
    requestHash: text("request_hash").notNull(),
    response: text("response").notNull(),
    createdAt: ms("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.actor, t.key] }), index("idempotency_created_idx").on(t.createdAt)],
);

/** Small persistent settings (e.g. a generated JWT secret); the first writer of a key wins. */
export const settings = sqliteTable("settings", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
});
