/**
 * The earlier platform's row shapes (api.md §4): snake_case keys, float epoch seconds, money as
 * decimal strings, `price_per_min` = `price_per_sec` × 60. Each maps the API's shared object
 * (serialize.ts, api.md §1.1), so REST and tRPC show the same figures.
 */
import { formatMoney, parseMoney, pricePerMin, type Reputation } from "@xenblocks/core";
import type { blockView, leaseView, settlementView, workerDetail } from "../trpc/serialize.js";

export type BlockView = ReturnType<typeof blockView>;
export type LeaseView = ReturnType<typeof leaseView>;
export type SettlementView = ReturnType<typeof settlementView>;
export type WorkerDetailView = ReturnType<typeof workerDetail>;

/** Epoch ms → float epoch seconds. */
export function sec(ms: number): number;
export function sec(ms: number | null | undefined): number | null;
export function sec(ms: number | null | undefined): number | null {
  return ms === null || ms === undefined ? null : ms / 1000;
}

/** A per-second price (decimal string) as the per-minute price responses echo. */
export const perMin = (pricePerSec: string): string => formatMoney(pricePerMin(parseMoney(pricePerSec)));

/** Each key's snake_case form as first converted (keys are a small fixed set: the row shapes'). */
const snakeNames = new Map<string, string>();

function snakeName(key: string): string {
  let name = snakeNames.get(key);
  if (name === undefined) {
    name = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    if (snakeNames.size < 4096) snakeNames.set(key, name);
  }
  return name;
}

/** `camelCase` → `snake_case`, keys only, through nested plain objects. */
export function snakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (value === null || typeof value !== "object") return value;
  // As `Object.fromEntries(Object.entries(value).map(…))`, without the entry arrays: same keys, same order.
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const name = snakeName(key);
    const v = snakeKeys((value as Record<string, unknown>)[key]);
    if (name === "__proto__")
      Object.defineProperty(out, name, { value: v, enumerable: true, writable: true, configurable: true });
    else out[name] = v;
  }
  return out;
}

export function reputationRow(r: Reputation) {
  return {
    score: r.score,
    stars: r.stars,
    breakdown: snakeKeys({ blocks: r.blocks, completion: r.completion, uptime: r.uptime, age: r.age }),
  };
}

/** WorkerRow; `state` is the last status while online, `offline` otherwise. */
export function workerRow(w: WorkerDetailView) {
  return {
    worker_id: w.workerId,
    eth_address: w.owner,
    gpu_count: w.gpuCount,
    total_memory_gb: w.totalMemoryGb,
    gpus: w.gpus.map((g) => ({ index: g.index, name: g.name, memory_gb: g.memoryGb, bus_id: g.busId })),
    version: w.version,
    state: w.online ? (w.state ?? "UNKNOWN") : "offline",
    online: w.online,
    hashrate: w.hashrate,
    active_gpus: w.activeGpus,
    last_heartbeat: sec(w.lastSeenAt),
    registered_at: sec(w.registeredAt),
    price_per_min: perMin(w.pricePerSec),
    price_per_sec: w.pricePerSec,
    min_duration_sec: w.minDurationSec,
    max_duration_sec: w.maxDurationSec,
    listed: w.listed,
    self_blocks_found: w.selfBlocks,
    current_address: w.config.address,
    current_prefix: w.config.prefix,
    current_block_pattern: w.config.blockPattern,
    reputation: reputationRow(w.reputation),
  };
}

/**
 * An account id (platform-rules §10: "id = lowercase `0x…`; displayed EIP-55"): the `*_id` fields of
 * the rows, as the worker sees the renter in `assign_task.consumer_id`. Addresses stay EIP-55.
 */
export const accountId = (address: string): string => address.toLowerCase();

/** LeaseRow; `elapsed_sec` counts from confirmation while active and is the billed time once ended. */
export function leaseRow(l: LeaseView, now: number) {
  const running = l.state === "active" && l.confirmedAt !== undefined;
  const elapsed =
    l.billedSec ?? (running ? Math.max(0, Math.floor((now - (l.confirmedAt ?? now)) / 1000)) : 0);
  return {
    lease_id: l.leaseId,
    worker_id: l.workerId,
    consumer_id: accountId(l.renter),
    consumer_address: l.consumerAddress,
    prefix: l.prefix ?? null,
    duration_sec: l.durationSec,
    price_per_sec: l.pricePerSec,
    state: l.state,
    reason: l.reason ?? null,
    created_at: sec(l.createdAt),
    confirmed_at: sec(l.confirmedAt),
    ended_at: sec(l.endedAt),
    blocks_found: l.blocksAccepted,
    avg_hashrate: l.avgHashrate,
    elapsed_sec: elapsed,
  };
}

/** BlockRow; `lease_id` is `""` for a self-mined block, whose prefix is nobody's to check (null). */
export function blockRow(b: BlockView) {
  return {
    lease_id: b.leaseId ?? "",
    worker_id: b.workerId,
    hash: b.hash,
    key: b.key,
    account: b.account,
    attempts: b.attempts,
    hashrate: b.hashrate,
    block_type: b.blockType,
    status: b.status,
    reject_reason: b.rejectReason ?? null,
    prefix_valid: b.leaseId === null ? null : b.rejectReason !== "prefix_mismatch",
    chain_verified: b.chainStatus === "verified",
    chain_status: b.chainStatus,
    chain_block_id: b.chainBlockId ?? null,
    timestamp: sec(b.receivedAt),
  };
}

/** SettlementRow; `blocks_found` is the lease's accepted blocks. */
export function settlementRow(s: SettlementView, blocksFound: number) {
  return {
    lease_id: s.leaseId,
    consumer_id: accountId(s.renter),
    worker_id: s.workerId,
    state: s.state,
    duration_sec: s.billedSec,
    blocks_found: blocksFound,
    total_cost: s.total,
    provider_payment: s.providerAmount,
    platform_fee: s.fee,
    refund: s.refund,
    settled_at: sec(s.settledAt),
  };
}
