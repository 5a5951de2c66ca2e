/**
 * The ports: everything the domain needs from the outside world. Adapters live in other packages
 * (storage, broker, server); the domain never imports them.
 */
import type { DomainEvent } from "./events.js";
import type { LedgerAccount, Transfer, TransferType } from "./ledger.js";
import type { Units } from "./money.js";
import type { ControlMessage, TaskMessage } from "./protocol/index.js";
import type {
  AccountRecord,
  ApiKeyRecord,
  AuditRecord,
  BlockRecord,
  BlockStatus,
  ChainStatus,
  HealthEventRecord,
  LeaseRecord,
  LeaseState,
  Page,
  SettlementRecord,
  WithdrawalRecord,
  WithdrawalState,
  WorkerRecord,
} from "./types.js";

/** Epoch milliseconds. The only source of time in the domain. */
export interface Clock {
  now(): number;
}

/** Randomness and hashing, supplied by the host (crypto in Node, a seeded generator in tests). */
export interface Ids {
  /** A UUIDv7 string (time-ordered). */
  uuidv7(): string;
  /** `bytes` random bytes as lowercase hex. */
  randomHex(bytes: number): string;
  /** `bytes` random bytes as base64url without padding. */
  randomBase64Url(bytes: number): string;
  /** SHA-256 of a UTF-8 string as lowercase hex. */
  sha256Hex(text: string): Promise<string>;
}

export type ChannelMessage =
  | { topic: "task"; payload: TaskMessage }
  | { topic: "control"; payload: ControlMessage };

/** Sends commands to workers (MQTT `task`/`control`, QoS 1, never retained). */
export interface WorkerChannel {
  send(workerId: string, message: ChannelMessage): Promise<void>;
}

export interface EventBus {
  publish(event: DomainEvent): void;
}

export interface ChainLookup {
  found: boolean;
  account?: string;
  blockId?: number;
}

/** Asks a chain whether it knows a block key. `null` adapter = chain verification skipped. */
export interface Chain {
  readonly name: string;
  lookup(key: string): Promise<ChainLookup>;
}

/** Optional Argon2id re-verification (platform-rules §6 check 5), supplied by the host. */
export interface Argon2Verifier {
  /** True when recomputing Argon2id(key, salt = account bytes, m) gives `hashedPure`. */
  verify(input: { key: string; account: string; memoryKiB: number; hashedPure: string }): Promise<boolean>;
}

// ---------------------------------------------------------------- storage

/** Thrown by adapters when a uniqueness rule of the database refuses a write. */
export class UniqueViolation extends Error {
  override readonly name = "UniqueViolation";
  constructor(readonly constraint: UniqueConstraint) {
    super(`unique constraint violated: ${constraint}`);
  }
}
export type UniqueConstraint =
  | "worker_id"
  | "open_lease_per_worker"
  | "lease_id"
  | "lease_prefix"
  | "block_key"
  | "transfer_id"
  | "settlement_lease"
  | "withdrawal_id"
  | "api_key_id"
  | "api_key_hash"
  | "idempotency_key";

export interface CursorQuery {
  cursor?: string | null;
  limit: number;
  /**
   * REST offset pages (api.md §4): skip this many rows of the same order instead of following a
   * cursor. With an offset the cursor is ignored; `nextCursor` still points past the page.
   */
  offset?: number;
}

/** Fields a heartbeat changes, flushed in batches (the hot path never writes per message). */
export interface WorkerLiveUpdate {
  workerId: string;
  lastSeenAt: number;
  lastHeartbeatAt: number | null;
  hashrate: number;
  activeGpus: number;
  uptimeSec: number;
  onlineSec: number;
  config: WorkerRecord["config"];
}

export interface LeaseLiveUpdate {
  leaseId: string;
  lastGoodHeartbeatAt: number;
  hashrateSum: number;
  hashrateSamples: number;
}

/** Filters for matching (platform-rules §5); the adapter applies them all and sorts by best value. */
export interface CandidateQuery {
  now: number;
  durationSec: number;
  settleGapMs: number;
  releaseWaitMs: number;
  renter: string;
  workerId?: string;
  maxPricePerSec?: Units;
  minHashrate?: number;
  gpu?: string;
  /** Best-value order requires hashrate > 0. */
  requireHashrate: boolean;
  limit: number;
}

export type WorkerSort =
  | "value"
  | "price"
  | "hashrate"
  | "gpus"
  | "memory"
  | "lastSeen"
  | "workerId"
  | "owner"
  | "state"
  | "blocks"
  | "activeGpus"
  | "uptime";

/** A page of workers for the fleet and marketplace tables; the database filters, sorts and pages. */
export interface WorkerPageQuery {
  page: number;
  limit: number;
  sortBy: WorkerSort;
  sortDir: "asc" | "desc";
  status?: "all" | "online" | "offline";
  owner?: string;
  /** Worker id prefix, owner address prefix, or a GPU name substring (case-insensitive). */
  search?: string;
  listed?: boolean;
  /** Only workers matchable now (online, AVAILABLE, listed, not banned or suspect, no open lease). */
  availableOnly?: boolean;
  gpu?: string;
  minHashrate?: number;
  maxPricePerSec?: Units;
  minGpus?: number;
  minMemoryGb?: number;
  /** Only workers whose duration bounds contain this. */
  durationSec?: number;
  /** Only workers with (true) or without (false) an open (pending or active) lease. */
  leased?: boolean;
}

/** Sums over a set of workers (the whole fleet or one owner's), for the stats cards. */
export interface WorkerTotals {
  total: number;
  online: number;
  banned: number;
  suspect: number;
  listed: number;
  /** Sum of the online workers' hashrates, H/s. */
  hashrate: number;
  /** Sum of gpuCount over all the workers. */
  gpus: number;
  /** Sum of activeGpus over the online workers. */
  activeGpus: number;
  leaseBlocks: number;
  selfBlocks: number;
  /** Distinct owners among the workers. */
  owners: number;
  /** The earliest registeredAt, null without workers. */
  firstRegisteredAt: number | null;
}

/** One point of a hashrate series: the sum over workers of each worker's average in the bucket. */
export interface HashratePoint {
  /** Bucket start, epoch ms. */
  ts: number;
  hashrate: number;
  /** Sum of per-worker average active GPUs; null where the source (roll-ups) does not keep them. */
  activeGpus: number | null;
  /** Workers with a hashrate > 0 in the bucket. */
  onlineWorkers: number;
}

export interface HashrateSeriesQuery {
  from: number;
  to: number;
  /** Bucket width, ms (a positive integer); buckets start at multiples of it (UTC). */
  bucketMs: number;
  /**
   * raw snapshots, hourly roll-ups or daily roll-ups (the caller picks by range); [from, to) bounds
   * the snapshot time or the roll-up's bucketStart. From roll-ups, a worker's average in a bucket is
   * its roll-ups' sample-weighted average (the mean of the snapshots they were built from), and it
   * counts as online when it has online samples there.
   */
  source: "raw" | "hourly" | "daily";
  workerId?: string;
  owner?: string;
}

/** Sums of settlements for a renter, a provider, or everyone. */
export interface SettlementTotals {
  count: number;
  completed: number;
  interrupted: number;
  cancelled: number;
  total: Units;
  fee: Units;
  providerAmount: Units;
  refund: Units;
}

/** A count or sum per time bucket (bucket start, epoch ms); buckets without rows are absent. */
export interface BucketCount {
  ts: number;
  count: number;
}
export interface BucketSum {
  ts: number;
  sum: Units;
}

/** Filters of block lists and counts. */
export interface BlockFilter {
  workerId?: string;
  /** Blocks of this owner's workers. */
  owner?: string;
  leaseId?: string;
  /** Only blocks mined outside any lease (leaseId null). */
  selfOnly?: boolean;
  status?: BlockStatus;
  chainStatus?: ChainStatus;
  /** receivedAt ≥ since. */
  since?: number;
  /** receivedAt ≤ until. */
  until?: number;
}

export type WorkerCounterDelta = Partial<
  Pick<
    WorkerRecord,
    "leasesCompleted" | "leasesFailed" | "verifiedLeaseBlocks" | "leaseBlocks" | "selfBlocks"
  >
>;

export interface WorkerRepo {
  get(workerId: string): Promise<WorkerRecord | null>;
  insert(worker: WorkerRecord): Promise<void>;
  update(workerId: string, patch: Partial<WorkerRecord>): Promise<void>;
  addCounters(workerId: string, delta: WorkerCounterDelta): Promise<void>;
  updateLive(batch: readonly WorkerLiveUpdate[]): Promise<void>;
  /** Workers marked online (for the liveness sweep and at start). */
  listOnline(): Promise<WorkerRecord[]>;
  /** Matchable workers, best value first (price/hashrate asc, then worker id). */
  findCandidates(q: CandidateQuery): Promise<WorkerRecord[]>;
  /** Workers with a queued control action. */
  listWithPendingControl(): Promise<WorkerRecord[]>;
  listByOwner(owner: string): Promise<WorkerRecord[]>;
  /** One page and the total count of the matching workers. */
  page(q: WorkerPageQuery): Promise<{ items: WorkerRecord[]; total: number }>;
  /** Sums over every worker, or over one owner's. */
  totals(q?: { owner?: string }): Promise<WorkerTotals>;
  /**
   * Marketplace facets: each distinct GPU name (as reported) with how many workers carry it,
   * among workers matching the same filters as `page` would (sort and paging ignored).
   */
  gpuModelCounts(
    q: Omit<WorkerPageQuery, "page" | "limit" | "sortBy" | "sortDir">,
  ): Promise<{ model: string; count: number }[]>;
}

export interface LeaseRepo {
  get(leaseId: string): Promise<LeaseRecord | null>;
  /** Inside a transaction: reads the lease and locks it until commit (a plain read elsewhere). */
  getForUpdate(leaseId: string): Promise<LeaseRecord | null>;
  /** Refuses a second open lease for a worker (`open_lease_per_worker`) and a reused prefix. */
  insert(lease: LeaseRecord): Promise<void>;
  update(leaseId: string, patch: Partial<LeaseRecord>): Promise<void>;
  /** Only active leases take live figures; an ended lease keeps what its settlement wrote. */
  updateLive(batch: readonly LeaseLiveUpdate[]): Promise<void>;
  addBlockCounts(leaseId: string, delta: { accepted?: number; rejected?: number }): Promise<void>;
  openForWorker(workerId: string): Promise<LeaseRecord | null>;
  prefixExists(prefix: string): Promise<boolean>;
  /** Active leases whose contracted end is ≤ now. */
  dueForExpiry(now: number, limit: number): Promise<LeaseRecord[]>;
  /** Pending leases created ≤ before. */
  pendingCreatedBefore(before: number, limit: number): Promise<LeaseRecord[]>;
  listOpen(): Promise<LeaseRecord[]>;
  sumOpenEscrow(): Promise<Units>;
  /** Open-lease escrow of one renter. */
  sumOpenEscrowOf(renter: string): Promise<Units>;
  list(
    q: CursorQuery & {
      renter?: string;
      provider?: string;
      /** Leases where the address is the renter or the provider. */
      party?: string;
      workerId?: string;
      state?: LeaseState;
    },
  ): Promise<Page<LeaseRecord>>;
  /** How many leases match; `open` = pending or active. */
  count(q?: {
    state?: LeaseState;
    open?: boolean;
    renter?: string;
    provider?: string;
    party?: string;
  }): Promise<number>;
  /** Distinct renters who ever created a lease. */
  countRenters(): Promise<number>;
  /** Σ blocksAccepted over the leases matching. */
  sumBlocksAccepted(q: { renter?: string; provider?: string }): Promise<number>;
  /** Leases confirmed at or before `at` (null = no bound), newest confirmation first, then leaseId desc. */
  confirmedBefore(at: number | null, limit: number): Promise<LeaseRecord[]>;
  /** Final leases ended at or before `at` (null = no bound), newest end first, then leaseId desc. */
  endedBefore(at: number | null, limit: number): Promise<LeaseRecord[]>;
}

export interface BlockRepo {
  /** Refuses a key seen before (`block_key`). */
  insert(block: Omit<BlockRecord, "id">): Promise<BlockRecord>;
  getByKey(key: string): Promise<BlockRecord | null>;
  update(id: number, patch: Partial<BlockRecord>): Promise<void>;
  /** Blocks whose next chain check is due, oldest first. */
  dueChainChecks(now: number, limit: number): Promise<BlockRecord[]>;
  listByLease(leaseId: string, q: CursorQuery): Promise<Page<BlockRecord>>;
  recent(limit: number): Promise<BlockRecord[]>;
  /** A filtered page; `order` newest (id desc, the default) or oldest (id asc). */
  list(q: CursorQuery & BlockFilter & { order?: "newest" | "oldest" }): Promise<Page<BlockRecord>>;
  count(q?: BlockFilter): Promise<number>;
  /** Blocks per bucket of `bucketMs` over [from, to) (receivedAt), filtered. */
  countByBucket(q: BlockFilter & { from: number; to: number; bucketMs: number }): Promise<BucketCount[]>;
}

export interface LedgerRepo {
  /** Balances of the given accounts (0 when unknown), locked for the rest of the transaction. */
  balances(accounts: readonly LedgerAccount[]): Promise<Map<LedgerAccount, Units>>;
  /** Stores posted transfers and the new balances; refuses a reused transfer id. */
  post(transfers: readonly Transfer[], balances: ReadonlyMap<string, Units>): Promise<void>;
  getTransfer(id: string): Promise<Transfer | null>;
  /** Σ of transfers of a type to an account since a time (faucet limits). */
  sumCredits(q: { type: TransferType; to: LedgerAccount; since: number; idPrefix?: string }): Promise<Units>;
  /** Transfers touching an account, newest first. */
  history(account: LedgerAccount, q: CursorQuery & { type?: TransferType }): Promise<Page<Transfer>>;
  allBalances(): Promise<Map<string, Units>>;
}

export interface SettlementRepo {
  /** Refuses a second settlement for a lease (`settlement_lease`). */
  insert(s: SettlementRecord): Promise<void>;
  get(leaseId: string): Promise<SettlementRecord | null>;
  list(
    q: CursorQuery & { party?: string; provider?: string; renter?: string; leaseId?: string },
  ): Promise<Page<SettlementRecord>>;
  count(q?: { party?: string; provider?: string; renter?: string }): Promise<number>;
  totals(q?: { renter?: string; provider?: string; since?: number }): Promise<SettlementTotals>;
  /** Provider amounts per bucket of `bucketMs` over [from, to) (settledAt). */
  providerEarningsByBucket(q: {
    provider: string;
    from: number;
    to: number;
    bucketMs: number;
  }): Promise<BucketSum[]>;
}

export interface WithdrawalRepo {
  insert(w: WithdrawalRecord): Promise<void>;
  get(id: string): Promise<WithdrawalRecord | null>;
  /** Inside a transaction: reads and locks the withdrawal until commit. */
  getForUpdate(id: string): Promise<WithdrawalRecord | null>;
  update(id: string, patch: Partial<WithdrawalRecord>): Promise<void>;
  sumRequested(address?: string): Promise<Units>;
  list(q: CursorQuery & { address?: string; state?: WithdrawalState }): Promise<Page<WithdrawalRecord>>;
}

export interface AccountRepo {
  get(address: string): Promise<AccountRecord | null>;
  /** Creates the account if missing; returns it either way. */
  ensure(address: string, now: number): Promise<AccountRecord>;
  /**
   * Inside a transaction: holds the account's row until commit, so per-account limits (faucet,
   * API keys) checked by concurrent transactions are checked one after the other.
   */
  lock(address: string): Promise<void>;
  count(): Promise<number>;
  /** Accounts by address ascending; `search` is an address prefix (any case). */
  list(q: CursorQuery & { search?: string }): Promise<Page<AccountRecord>>;
}

export interface ApiKeyRepo {
  insert(key: ApiKeyRecord): Promise<void>;
  getByHash(hash: string): Promise<ApiKeyRecord | null>;
  get(id: string): Promise<ApiKeyRecord | null>;
  update(id: string, patch: Partial<ApiKeyRecord>): Promise<void>;
  listByAddress(address: string): Promise<ApiKeyRecord[]>;
  countActive(address: string): Promise<number>;
}

export interface HealthRepo {
  append(e: Omit<HealthEventRecord, "id">): Promise<void>;
  list(q: CursorQuery & { workerId?: string }): Promise<Page<HealthEventRecord>>;
}

export interface AuditRepo {
  append(e: Omit<AuditRecord, "id">): Promise<void>;
  list(q: CursorQuery): Promise<Page<AuditRecord>>;
}

export interface HashrateSnapshot {
  workerId: string;
  hashrate: number;
  activeGpus: number;
  ts: number;
}

/** One worker's hour or day: `samples` snapshots, `onlineSamples` of them with a hashrate > 0. */
export interface HashrateRollup {
  workerId: string;
  bucketStart: number;
  avgHashrate: number;
  maxHashrate: number;
  samples: number;
  onlineSamples: number;
}

export interface TimeRange {
  from: number;
  to: number;
  workerId?: string;
}

/** Hashrate history (platform-rules §8): raw snapshots, hourly and daily roll-ups, retention. */
export interface MonitoringRepo {
  /** One batched insert for the whole fleet's snapshot tick. */
  insertSnapshots(rows: readonly HashrateSnapshot[]): Promise<void>;
  /** Builds (or rebuilds) the hourly rows of [hourStart, hourStart + 1 h) from raw snapshots. */
  rollupHour(hourStart: number): Promise<number>;
  /** Builds (or rebuilds) the daily rows of [dayStart, dayStart + 1 d) from hourly rows. */
  rollupDay(dayStart: number): Promise<number>;
  /** Deletes what is older than each cutoff; returns how many rows went. */
  prune(before: {
    raw: number;
    hourly: number;
    daily: number;
    health: number;
  }): Promise<{ raw: number; hourly: number; daily: number; health: number }>;
  snapshots(q: TimeRange): Promise<HashrateSnapshot[]>;
  hourly(q: TimeRange): Promise<HashrateRollup[]>;
  daily(q: TimeRange): Promise<HashrateRollup[]>;
  /** A bucketed series computed by the database (no per-row transfer), ascending by ts. */
  series(q: HashrateSeriesQuery): Promise<HashratePoint[]>;
}

/** Small persistent settings (e.g. the generated JWT secret). */
export interface SettingsRepo {
  get(key: string): Promise<string | null>;
  /** Stores the value unless the key exists; returns the stored value (the first writer wins). */
  setIfAbsent(key: string, value: string): Promise<string>;
}

/** Revoked session tokens (JWT ids), kept until the token would have expired anyway. */
export interface RevokedTokenRepo {
  /** Idempotent. */
  revoke(tokenId: string, expiresAt: number): Promise<void>;
  isRevoked(tokenId: string): Promise<boolean>;
  /** Forgets revocations of tokens expired before `before`; returns how many went. */
  prune(before: number): Promise<number>;
}

/** A sign-in nonce the server issued and nobody has used yet (platform-rules §10). */
export interface SiweNonceRecord {
  /** Letters and digits, at least 96 random bits. */
  nonce: string;
  /** Lowercase. */
  address: string;
  chainId: number;
  /** The EIP-4361 text issued with the nonce, to be signed as is. */
  message: string;
  /** Epoch ms. */
  issuedAt: number;
  /** Epoch ms; the nonce is dead from this instant on. */
  expiresAt: number;
}

/**
 * Sign-in nonces, in the database so that every server instance (and a restarted one) knows them:
 * single use, short-lived, a few per address.
 */
export interface SiweNonceRepo {
  /** Stores a new nonce; refuses (throws) a nonce that is already stored. */
  insert(record: SiweNonceRecord): Promise<void>;
  /**
   * Removes the nonce and returns it, expired or not, or null when it is unknown or already taken:
   * under concurrent takes of one nonce exactly one caller gets it.
   */
  take(nonce: string): Promise<SiweNonceRecord | null>;
  /** How many of the address's nonces are still unexpired at `now`. */
  countForAddress(address: string, now: number): Promise<number>;
  /**
   * Keeps the address's `keep` most recently inserted nonces and deletes the rest (the oldest
   * first); returns how many went.
   */
  trimForAddress(address: string, keep: number): Promise<number>;
  /** Deletes nonces that expired before `before`; returns how many went. */
  prune(before: number): Promise<number>;
}

/**
 * A stored answer to a request that carried an idempotency key (api.md §1): a replay with the same
 * key returns it; the same key with other input is refused.
 */
export interface IdempotencyRecord {
  actor: string;
  key: string;
  operation: string;
  /** A digest of the request's input, to tell a replay from a different request under one key. */
  requestHash: string;
  /** The stored result, as JSON text. */
  response: string;
  createdAt: number;
}

export interface IdempotencyRepo {
  get(actor: string, key: string): Promise<IdempotencyRecord | null>;
  /** Refuses a second record for one actor and key (`idempotency_key`). */
  insert(record: IdempotencyRecord): Promise<void>;
  /** Forgets records created before `before`; returns how many. */
  prune(before: number): Promise<number>;
}

export interface Repos {
  accounts: AccountRepo;
  apiKeys: ApiKeyRepo;
  workers: WorkerRepo;
  leases: LeaseRepo;
  blocks: BlockRepo;
  ledger: LedgerRepo;
  settlements: SettlementRepo;
  withdrawals: WithdrawalRepo;
  health: HealthRepo;
  audit: AuditRepo;
  monitoring: MonitoringRepo;
  idempotency: IdempotencyRepo;
  settings: SettingsRepo;
  revokedTokens: RevokedTokenRepo;
  siweNonces: SiweNonceRepo;
}

/**
 * The Storage port. Reads and single writes may go straight to the repos; multi-step writes go
 * through `transaction`, which commits all or nothing and serializes conflicting writers.
 */
export interface Storage extends Repos {
  readonly engine: string;
  transaction<T>(body: (tx: Repos) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
