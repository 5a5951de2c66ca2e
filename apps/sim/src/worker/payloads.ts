/**
 * The messages the worker publishes (worker-protocol §4), key for key in the order of the test vectors, so
 * a simulated message serialises like the real one. Types come from core's inbound schemas: what the
 * simulator sends is by construction what the platform parses.
 */
import type { BlockMessage, HeartbeatMessage, RegisterMessage } from "@xenblocks/core";
import { type Rig, registerGpus, totalMemoryGb } from "./gpu-profiles.js";
import { type MachineState, type SelfMiningConfig, WORKER_VERSION } from "./types.js";

/** Integer Unix seconds, as every worker timestamp. */
export const epochSeconds = (ms: number): number => Math.floor(ms / 1000);

export function registerPayload(
  workerId: string,
  ethAddress: string,
  rig: Rig,
  nowMs: number,
): RegisterMessage {
  return {
    worker_id: workerId,
    eth_address: ethAddress,
    gpu_count: rig.gpus.length,
    total_memory_gb: totalMemoryGb(rig),
    gpus: registerGpus(rig),
    version: WORKER_VERSION,
    timestamp: epochSeconds(nowMs),
  };
}

export interface HeartbeatInput {
  readonly hashrate: number;
  readonly activeGpus: number;
  readonly acceptedBlocks: number;
  readonly config: SelfMiningConfig;
  readonly uptimeSec: number;
}

export function heartbeatPayload(workerId: string, input: HeartbeatInput, nowMs: number): HeartbeatMessage {
  return {
    worker_id: workerId,
    // A float sum in the worker; two decimals are what its JSON shows in practice.
    hashrate: Math.round(input.hashrate * 100) / 100,
    active_gpus: input.activeGpus,
    accepted_blocks: input.acceptedBlocks,
    difficulty: input.config.difficulty,
    address: input.config.address,
    prefix: input.config.prefix,
    block_pattern: input.config.blockPattern,
    uptime_sec: input.uptimeSec,
    timestamp: epochSeconds(nowMs),
  };
}

/** A status; `lease_id` is present whenever a lease is held at that moment (so never on a first LEASED). */
export function statusPayload(
  workerId: string,
  state: MachineState | "offline",
  leaseId: string,
  nowMs: number,
): Record<string, string | number> {
  const payload: Record<string, string | number> = { worker_id: workerId, state };
  if (leaseId.length > 0) payload.lease_id = leaseId;
  payload.timestamp = epochSeconds(nowMs);
  return payload;
}

/** The Last Will and graceful-disconnect variant: key `status`, no `state` (hazard H8). */
export function offlineVariantPayload(workerId: string, nowMs: number): Record<string, string | number> {
  return { worker_id: workerId, status: "offline", timestamp: epochSeconds(nowMs) };
}

export interface BlockReport {
  readonly leaseId: string;
  readonly hash: string;
  readonly key: string;
  readonly account: string;
  readonly attempts: number;
  /** One GPU's H/s; sent as a string with exactly two decimals. */
  readonly gpuHashrate: number;
}

export function blockPayload(workerId: string, report: BlockReport, nowMs: number): BlockMessage {
  return {
    worker_id: workerId,
    lease_id: report.leaseId,
    hash: report.hash,
    key: report.key,
    account: report.account,
    attempts: report.attempts,
    hashrate: report.gpuHashrate.toFixed(2),
    timestamp: epochSeconds(nowMs),
  };
}
