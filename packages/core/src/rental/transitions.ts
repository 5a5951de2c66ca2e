/**
 * The lease state machine of platform-rules §4.1 as plain functions: given an open lease and what
 * happened, which final state, which reason, and up to which instant it is billed.
 */
import type { LeaseEndReason, LeaseRecord, LeaseState, WorkerState } from "../types.js";

export interface LeaseEnd {
  state: Exclude<LeaseState, "pending" | "active">;
  reason: LeaseEndReason;
  /** The instant billing stops (irrelevant for a pending lease: it was never confirmed). */
  billTo: number;
}

type OpenLease = Pick<LeaseRecord, "state" | "leaseId" | "confirmedAt" | "expiresAt" | "lastGoodHeartbeatAt">;

/** Billing for interruptions stops at the last good heartbeat, or at confirmation when there was none. */
export const lastGoodInstant = (lease: OpenLease): number =>
  lease.lastGoodHeartbeatAt ?? lease.confirmedAt ?? 0;

/** Renter or admin stop: a pending lease is cancelled, an active one completed and billed to now. */
export function endByStop(lease: OpenLease, now: number): LeaseEnd {
  return lease.state === "pending"
    ? { state: "cancelled", reason: "stopped", billTo: now }
    : { state: "completed", reason: "stopped", billTo: now };
}

/** The contracted end passed: billed for the full duration. */
export function endByExpiry(lease: OpenLease): LeaseEnd {
  return { state: "completed", reason: "expired", billTo: lease.expiresAt ?? 0 };
}

export function endByAssignTimeout(now: number): LeaseEnd {
  return { state: "cancelled", reason: "assign_timeout", billTo: now };
}

/**
 * The worker failed the lease: went offline, reported another state, or its provider (or an admin)
 * acted on it. Pending leases are cancelled with a full refund; active ones are interrupted and
 * billed to the last good heartbeat.
 */
export function endByWorker(
  lease: OpenLease,
  cause: "offline" | "state" | "provider",
  now: number,
): LeaseEnd {
  if (lease.state === "pending") {
    return {
      state: "cancelled",
      reason: cause === "provider" ? "provider_action" : "worker_failed",
      billTo: now,
    };
  }
  const reason: LeaseEndReason =
    cause === "offline" ? "worker_offline" : cause === "state" ? "worker_state" : "provider_action";
  return { state: "interrupted", reason, billTo: lastGoodInstant(lease) };
}

export type StatusOutcome = { kind: "none" } | { kind: "activate" } | { kind: "end"; end: LeaseEnd };

/**
 * What a worker status means for the worker's open lease. `MINING` with the lease id confirms a
 * pending lease; `LEASED` (which never carries an id) is the expected first reply; a `COMPLETED` for
 * the lease near its contracted end is the worker's own expiry; anything else ends the lease.
 */
export function outcomeOfStatus(
  lease: OpenLease,
  state: WorkerState,
  statusLeaseId: string | null,
  receivedAt: number,
  workerExpiryToleranceMs: number,
): StatusOutcome {
  const forThisLease = statusLeaseId === lease.leaseId;
  if (lease.state === "pending") {
    if (state === "MINING" && forThisLease) return { kind: "activate" };
    if (state === "LEASED" || state === "AVAILABLE") return { kind: "none" };
    if (state === "offline") return { kind: "end", end: endByWorker(lease, "offline", receivedAt) };
    return { kind: "end", end: endByWorker(lease, "state", receivedAt) };
  }
  if (state === "MINING" && forThisLease) return { kind: "none" };
  if (state === "offline") return { kind: "end", end: endByWorker(lease, "offline", receivedAt) };
  if (state === "COMPLETED" && forThisLease && lease.expiresAt !== null) {
    if (receivedAt >= lease.expiresAt - workerExpiryToleranceMs) {
      return {
        kind: "end",
        end: { state: "completed", reason: "worker_expired", billTo: Math.min(receivedAt, lease.expiresAt) },
      };
    }
  }
  return { kind: "end", end: endByWorker(lease, "state", receivedAt) };
}

/** Counts for reputation: completed leases, and failures the worker is to blame for. */
export function reputationEffect(end: LeaseEnd): { completed: number; failed: number } {
  if (end.state === "completed") return { completed: 1, failed: 0 };
  if (end.state === "interrupted") return { completed: 0, failed: 1 };
  const blamed = end.reason === "assign_timeout" || end.reason === "worker_failed";
  return { completed: 0, failed: blamed ? 1 : 0 };
}
