/**
 * Matching (platform-rules §5): when a worker may receive `assign_task`, and why not. Adapters use
 * `isCandidate` in memory and translate it to SQL; the explicit-worker path uses `whyNotCandidate`
 * to give the renter a specific error.
 */
import type { ErrorCode } from "../errors.js";
import type { CandidateQuery } from "../ports.js";
import type { WorkerRecord } from "../types.js";

export interface Refusal {
  code: ErrorCode;
  message: string;
}

type Candidate = Pick<
  WorkerRecord,
  | "workerId"
  | "owner"
  | "online"
  | "state"
  | "listed"
  | "banned"
  | "suspect"
  | "releaseLeaseId"
  | "releaseSentAt"
  | "lastSentAt"
  | "minDurationSec"
  | "maxDurationSec"
  | "pricePerSec"
  | "hashrate"
  | "gpus"
>;

/**
 * The first reason a worker is not a candidate, or null. `hasOpenLease` comes from the leases table
 * (the adapter joins it).
 */
export function whyNotCandidate(w: Candidate, hasOpenLease: boolean, q: CandidateQuery): Refusal | null {
  const id = w.workerId;
  if (w.owner === q.renter.toLowerCase()) return { code: "SELF_RENTAL", message: `you own worker ${id}` };
  if (w.banned) return { code: "WORKER_NOT_AVAILABLE", message: `worker ${id} is banned` };
  if (!w.online) return { code: "WORKER_OFFLINE", message: `worker ${id} is offline` };
  if (hasOpenLease) return { code: "WORKER_BUSY", message: `worker ${id} is already leased` };
  if (!w.listed) return { code: "WORKER_NOT_AVAILABLE", message: `worker ${id} is not listed` };
  if (w.suspect) {
    return { code: "WORKER_NOT_AVAILABLE", message: `worker ${id} missed an assignment and is on hold` };
  }
  if (w.state !== "AVAILABLE") {
    return {
      code: "WORKER_NOT_AVAILABLE",
      message: `worker ${id} is not available (state ${w.state ?? "unknown"})`,
    };
  }
  const releasePending =
    w.releaseLeaseId !== null && (w.releaseSentAt === null || w.releaseSentAt > q.now - q.releaseWaitMs);
  const settling = w.lastSentAt !== null && w.lastSentAt > q.now - q.settleGapMs;
  if (releasePending || settling) {
    return {
      code: "WORKER_BUSY",
      message: releasePending
        ? `worker ${id} is finishing its previous lease; try again shortly`
        : `worker ${id} was sent a message under 2 s ago (settle gap); try again in a moment`,
    };
  }
  if (q.durationSec < w.minDurationSec || q.durationSec > w.maxDurationSec) {
    return {
      code: "DURATION_OUT_OF_RANGE",
      message: `worker ${id} accepts ${w.minDurationSec}..${w.maxDurationSec} s, not ${q.durationSec} s`,
    };
  }
  if (q.maxPricePerSec !== undefined && w.pricePerSec > q.maxPricePerSec) {
    return {
      code: "PRICE_ABOVE_MAX",
      message: `worker ${id} costs ${w.pricePerSec} units/s, above your maximum`,
    };
  }
  if (q.minHashrate !== undefined && w.hashrate < q.minHashrate) {
    return {
      code: "WORKER_NOT_AVAILABLE",
      message: `worker ${id} hashes ${w.hashrate} H/s, below ${q.minHashrate}`,
    };
  }
  if (q.gpu !== undefined) {
    const wanted = q.gpu.toLowerCase();
    if (!w.gpus.some((g) => g.name.toLowerCase().includes(wanted))) {
      return { code: "WORKER_NOT_AVAILABLE", message: `worker ${id} has no GPU matching "${q.gpu}"` };
    }
  }
  if (q.requireHashrate && !(w.hashrate > 0)) {
    return { code: "WORKER_NOT_AVAILABLE", message: `worker ${id} has not reported a hashrate yet` };
  }
  return null;
}

export const isCandidate = (w: Candidate, hasOpenLease: boolean, q: CandidateQuery): boolean =>
  whyNotCandidate(w, hasOpenLease, q) === null;
