/** Domain records as the API's shared objects (api.md §1.1): money as decimal strings, time in ms. */
import { keccak_256 } from "@noble/hashes/sha3.js";
import {
  type BlockRecord,
  computeReputation,
  formatMoney,
  gpuSummary,
  type LeaseRecord,
  pricePerHour,
  type Reputation,
  repSummary,
  round2,
  type SettlementRecord,
  type Transfer,
  uptimePct,
  valueScore,
  type WithdrawalRecord,
  type WorkerRecord,
} from "@xenblocks/core";

/** EIP-55: hex letters upper-cased where the keccak-256 of the lowercase address has a nibble ≥ 8. */
export function checksumAddress(address: string): string {
  const hex = address.toLowerCase().replace(/^0x/, "");
  const hash = keccak_256(new TextEncoder().encode(hex));
  let out = "0x";
  for (let i = 0; i < hex.length; i++) {
    const nibble = ((hash[i >> 1] as number) >> (i % 2 === 0 ? 4 : 0)) & 0xf;
    out += nibble >= 8 ? (hex[i] as string).toUpperCase() : hex[i];
  }
  return out;
}

export function blockView(b: BlockRecord) {
  return {
    id: b.id,
    key: b.key,
    workerId: b.workerId,
    leaseId: b.leaseId,
    hash: b.hash,
    account: b.account,
    attempts: b.attempts,
    hashrate: b.hashrate,
    blockType: b.blockType,
    difficulty: b.difficulty,
    status: b.status,
    ...(b.rejectReason !== null && { rejectReason: b.rejectReason }),
    // A rejected block is never looked up on the chain: `skipped`, one of the four spec'd values.
    chainStatus: b.chainStatus ?? "skipped",
    ...(b.chainBlockId !== null && { chainBlockId: b.chainBlockId }),
    receivedAt: b.receivedAt,
  };
}

/** The chain adapter's name as platform-rules §6 and §13 spell it (`simulator` is the embedded one). */
export function chainAdapterName(adapter: "embedded" | "http" | "none"): "simulator" | "http" | "none" {
  return adapter === "embedded" ? "simulator" : adapter;
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** An address as EIP-55; any other text (a worker id, `*`) as it is. */
export function displayAddress(text: string): string {
  return ADDRESS.test(text) ? checksumAddress(text) : text;
}

/** `FleetWorker` (api.md §1.1). */
export function fleetWorker(w: WorkerRecord, now: number) {
  return {
    workerId: w.workerId,
    owner: checksumAddress(w.owner),
    state: w.state,
    online: w.online,
    hashrate: round2(w.hashrate),
    activeGpus: w.activeGpus,
    gpuCount: w.gpuCount,
    gpus: w.gpus.map(({ index, name, memoryGb, busId }) => ({ index, name, memoryGb, busId })),
    gpuSummary: gpuSummary(w.gpus.map((g) => g.name)),
    totalMemoryGb: w.totalMemoryGb,
    version: w.version,
    lastSeenAt: w.lastSeenAt,
    registeredAt: w.registeredAt,
    listed: w.listed,
    leaseBlocks: w.leaseBlocks,
    selfBlocks: w.selfBlocks,
    uptimePct: uptimePct(w, now),
    reputation: repSummary(computeReputation(w, now)),
  };
}

/** `WorkerDetail`: `FleetWorker` plus config, pricing, the full reputation and flags. */
export function workerDetail(w: WorkerRecord, now: number, openLeaseId: string | null, showLease: boolean) {
  return {
    ...fleetWorker(w, now),
    config: { ...w.config },
    pricePerSec: formatMoney(w.pricePerSec),
    minDurationSec: w.minDurationSec,
    maxDurationSec: w.maxDurationSec,
    reputation: reputationView(computeReputation(w, now)),
    banned: w.banned,
    suspect: w.suspect,
    ...(showLease && { currentLeaseId: openLeaseId }),
  };
}

export function reputationView(r: Reputation): Reputation {
  return {
    score: r.score,
    stars: r.stars,
    blocks: { ...r.blocks },
    completion: { ...r.completion },
    uptime: { ...r.uptime },
    age: { ...r.age },
  };
}

/** `Listing` (api.md §1.1). */
export function listingView(w: WorkerRecord, now: number, available: boolean) {
  const score = valueScore(w.pricePerSec, w.hashrate);
  return {
    workerId: w.workerId,
    owner: checksumAddress(w.owner),
    state: w.state,
    online: w.online,
    available,
    gpuSummary: gpuSummary(w.gpus.map((g) => g.name)),
    gpus: w.gpus.map(({ index, name, memoryGb, busId }) => ({ index, name, memoryGb, busId })),
    gpuCount: w.gpuCount,
    totalMemoryGb: w.totalMemoryGb,
    hashrate: round2(w.hashrate),
    pricePerSec: formatMoney(w.pricePerSec),
    pricePerHour: formatMoney(pricePerHour(w.pricePerSec)),
    minDurationSec: w.minDurationSec,
    maxDurationSec: w.maxDurationSec,
    reputation: repSummary(computeReputation(w, now)),
    uptimePct: uptimePct(w, now),
    leaseBlocks: w.leaseBlocks,
    valueScore: score === null ? null : Number(score.toPrecision(6)),
  };
}

/** `Lease`; the prefix only for its parties and admins. */
export function leaseView(l: LeaseRecord, showPrefix: boolean) {
  const final = l.state !== "pending" && l.state !== "active";
  return {
    leaseId: l.leaseId,
    workerId: l.workerId,
    renter: checksumAddress(l.renter),
    consumerAddress: checksumAddress(l.consumerAddress),
    ...(showPrefix && { prefix: l.prefix }),
    durationSec: l.durationSec,
    pricePerSec: formatMoney(l.pricePerSec),
    state: l.state,
    ...(l.reason !== null && { reason: l.reason }),
    createdAt: l.createdAt,
    ...(l.confirmedAt !== null && { confirmedAt: l.confirmedAt }),
    ...(l.expiresAt !== null && { expiresAt: l.expiresAt }),
    ...(l.endedAt !== null && { endedAt: l.endedAt }),
    escrow: formatMoney(l.escrow),
    ...(final && l.billedSec !== null && { billedSec: l.billedSec }),
    ...(final &&
      l.billedSec !== null && {
        cost: formatMoney(l.pricePerSec * BigInt(l.billedSec)),
        refund: formatMoney(l.escrow - l.pricePerSec * BigInt(l.billedSec)),
      }),
    blocksAccepted: l.blocksAccepted,
    blocksRejected: l.blocksRejected,
    avgHashrate: l.hashrateSamples > 0 ? round2(l.hashrateSum / l.hashrateSamples) : 0,
  };
}

/** `Settlement`. */
export function settlementView(s: SettlementRecord) {
  return {
    leaseId: s.leaseId,
    renter: checksumAddress(s.renter),
    workerId: s.workerId,
    provider: checksumAddress(s.provider),
    state: s.state,
    billedSec: s.billedSec,
    total: formatMoney(s.total),
    fee: formatMoney(s.fee),
    feeBps: s.feeBps,
    providerAmount: formatMoney(s.providerAmount),
    refund: formatMoney(s.refund),
    settledAt: s.settledAt,
  };
}

/** `LedgerEntry` from the caller's side: signed amount and the caller's balance after it. */
export function ledgerEntryView(t: Transfer, account: string) {
  const outgoing = t.from === account;
  return {
    id: t.id,
    at: t.createdAt,
    type: t.type,
    amount: formatMoney(outgoing ? -t.amount : t.amount),
    balanceAfter: formatMoney(outgoing ? t.fromBalanceAfter : t.toBalanceAfter),
    reference: { kind: t.reference.kind, id: t.reference.id },
  };
}

/** `Withdrawal`. */
export function withdrawalView(w: WithdrawalRecord) {
  return {
    id: w.id,
    amount: formatMoney(w.amount),
    toAddress: checksumAddress(w.toAddress),
    state: w.state,
    ...(w.reference !== null && { reference: w.reference }),
    ...(w.reason !== null && { reason: w.reason }),
    createdAt: w.createdAt,
    ...(w.resolvedAt !== null && { resolvedAt: w.resolvedAt }),
  };
}
