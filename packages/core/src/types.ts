/**
 * The records the domain keeps. Money is bigint micro-units, times are epoch milliseconds (the
 * platform's own receipt time, never the worker's clock), addresses are stored lowercase.
 */
import type { Units } from "./money.js";
import type { ControlAction, WorkerState } from "./protocol/index.js";

export type { ControlAction, WorkerState };

export type OfflineReason = "timeout" | "will" | "disconnect" | "shutdown";

export interface Gpu {
  index: number;
  name: string;
  memoryGb: number;
  busId: number;
}

/** The worker's self-mining configuration as echoed by its heartbeats. */
export interface WorkerConfigEcho {
  address: string;
  prefix: string;
  blockPattern: string;
  difficulty: number | null;
}

/** A control action waiting for the worker to leave its lease (worker-protocol H4, H13). */
export interface PendingControl {
  action: ControlAction;
  config: Record<string, unknown>;
  queuedAt: number;
  /** `pause` is never sent within 10 s of a lease end. */
  notBefore: number;
  /**
   * Actions accepted after this one, oldest first: each goes out once the one before it was sent (the
   * worker's outbound queue, worker-protocol §7). Absent when there are none.
   */
  later?: PendingControl[];
}

export interface WorkerRecord {
  workerId: string;
  /** Lowercase `register.eth_address`: the owner. */
  owner: string;
  /** `eth_address` as the worker sent it (EIP-55). */
  ethAddress: string;
  gpus: Gpu[];
  gpuCount: number;
  totalMemoryGb: number;
  version: string;
  registeredAt: number;
  updatedAt: number;
  /** Known state: the last `status` received; null before any. Never inferred from a heartbeat. */
  state: WorkerState | null;
  stateLeaseId: string | null;
  stateAt: number | null;
  online: boolean;
  /** Last heartbeat or register. */
  lastSeenAt: number;
  offlineSince: number | null;
  hashrate: number;
  activeGpus: number;
  config: WorkerConfigEcho;
  uptimeSec: number;
  pricePerSec: Units;
  minDurationSec: number;
  maxDurationSec: number;
  listed: boolean;
  banned: boolean;
  banReason: string | null;
  /** Set by an assignment timeout, cleared by the next AVAILABLE status or register. */
  suspect: boolean;
  /** Last time the platform sent this worker anything (the 2 s settle gap). */
  lastSentAt: number | null;
  /** A release owed or sent and not yet answered by AVAILABLE. */
  releaseLeaseId: string | null;
  /** When that release was sent; null while it is owed to an offline worker. */
  releaseSentAt: number | null;
  lastLeaseEndedAt: number | null;
  pendingControl: PendingControl | null;
  // Reputation and statistics counters, updated incrementally (platform-rules §7).
  onlineSec: number;
  lastHeartbeatAt: number | null;
  leasesCompleted: number;
  leasesFailed: number;
  verifiedLeaseBlocks: number;
  leaseBlocks: number;
  /** Self-mined blocks that count: chain-verified and mined to the owner or payout address. */
  selfBlocks: number;
}

export type LeaseState = "pending" | "active" | "completed" | "cancelled" | "interrupted";
export type LeaseEndReason =
  | "stopped"
  | "expired"
  | "worker_expired"
  | "assign_timeout"
  | "worker_failed"
  | "worker_offline"
  | "worker_state"
  | "provider_action";

export const OPEN_LEASE_STATES: readonly LeaseState[] = ["pending", "active"];

export interface LeaseRecord {
  leaseId: string;
  workerId: string;
  renter: string;
  /** Owner of the worker at rent time: receives the provider share. */
  provider: string;
  consumerAddress: string;
  prefix: string;
  durationSec: number;
  pricePerSec: Units;
  escrow: Units;
  state: LeaseState;
  reason: LeaseEndReason | null;
  createdAt: number;
  confirmedAt: number | null;
  /** confirmedAt + durationSec: the contracted end. */
  expiresAt: number | null;
  endedAt: number | null;
  /** Latest heartbeat while active and MINING for this lease (platform-rules §4.3). */
  lastGoodHeartbeatAt: number | null;
  billedSec: number | null;
  blocksAccepted: number;
  blocksRejected: number;
  hashrateSum: number;
  hashrateSamples: number;
}

export type BlockType = "normal" | "super" | "xuni" | "none";
export type BlockStatus = "accepted" | "rejected" | "self";
export type ChainStatus = "pending" | "verified" | "not_found" | "skipped";
export type BlockRejectReason =
  | "malformed"
  | "no_block_marker"
  | "argon2_mismatch"
  | "unknown_lease"
  | "wrong_worker"
  | "prefix_mismatch"
  | "account_mismatch"
  | "outside_lease_window";

export interface BlockRecord {
  id: number;
  key: string;
  workerId: string;
  leaseId: string | null;
  hash: string;
  account: string;
  attempts: number;
  hashrate: string;
  blockType: BlockType;
  difficulty: number | null;
  status: BlockStatus;
  rejectReason: BlockRejectReason | null;
  chainStatus: ChainStatus | null;
  chainBlockId: number | null;
  chainChecks: number;
  nextChainCheckAt: number | null;
  receivedAt: number;
}

export interface SettlementRecord {
  leaseId: string;
  renter: string;
  workerId: string;
  provider: string;
  state: LeaseState;
  billedSec: number;
  total: Units;
  fee: Units;
  providerAmount: Units;
  refund: Units;
  feeBps: number;
  settledAt: number;
}

export interface AccountRecord {
  address: string;
  createdAt: number;
}

export type WithdrawalState = "requested" | "completed" | "rejected" | "cancelled";

export interface WithdrawalRecord {
  id: string;
  address: string;
  amount: Units;
  toAddress: string;
  state: WithdrawalState;
  reference: string | null;
  reason: string | null;
  createdAt: number;
  resolvedAt: number | null;
}

export interface ApiKeyRecord {
  id: string;
  address: string;
  name: string;
  /** SHA-256 hex of the key; the key itself is never stored. */
  hash: string;
  last4: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export interface HealthEventRecord {
  id: number;
  at: number;
  workerId: string;
  kind: "offline" | "online";
  reason: OfflineReason | null;
  offlineForSec: number | null;
}

export interface AuditRecord {
  id: number;
  at: number;
  actor: string;
  action: string;
  target: string;
  result: string;
}

/** Who is asking. Admin rights are evaluated from configuration on every call, never stored. */
export interface Actor {
  address: string;
  /** `wallet` = signed in with a JWT; `api_key` acts as the account but cannot manage keys. */
  via: "wallet" | "api_key";
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
