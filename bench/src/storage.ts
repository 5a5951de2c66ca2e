/**
 * Storage benchmarks (issue: storage adapters). Run from the repository root:
 *
 *   pnpm --filter @xenblocks/bench storage [-- --engine libsql|postgres|all] [--workers 10000]
 *
 * 1. Heartbeat flush: the live fields of 10,000 workers in one batch (the flushHeartbeats job).
 * 2. Settlements per second: rent + confirm + stop, each in its own transaction, one writer.
 * 3. Marketplace page query (filters + sort + page) over 10,000 workers: latency percentiles.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  applyTransfers,
  computeBilling,
  createPlatform,
  ESCROW,
  type LeaseRecord,
  type LedgerAccount,
  type RegisterMessage,
  type Storage,
  settlementRecord,
  settlementTransfers,
  transferIds,
  userAccount,
  type WorkerLiveUpdate,
  type WorkerPageQuery,
  type WorkerRecord,
  xnm,
} from "@xenblocks/core";
import { fakeClock, recordingChannel, seededIds, seededRandom } from "@xenblocks/core/testing";
import { openLibsql, openPostgres } from "@xenblocks/storage";
import postgres from "postgres";
import { ms, timeEach } from "./stats.js";

const args = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== "--"),
  options: {
    engine: { type: "string", default: "all" },
    workers: { type: "string", default: "10000" },
    settlements: { type: "string", default: "3000" },
  },
}).values;
const WORKERS = Number(args.workers);
const SETTLEMENTS = Number(args.settlements);
const POSTGRES_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const scratch = mkdtempSync(join(tmpdir(), "xenblocks-bench-"));
const BENCH_SCHEMA = `xbench_${process.pid}`;

interface Engine {
  name: string;
  open(tag: string): Promise<Storage>;
  cleanup(): Promise<void>;
}

const allEngines: Engine[] = [
  {
    name: "libsql-file",
    open: (tag) => openLibsql(join(scratch, `${tag}.db`)),
    cleanup: async () => {},
  },
  {
    name: "postgres",
    open: (tag) => openPostgres(POSTGRES_URL, { schema: `${BENCH_SCHEMA}_${tag}` }),
    async cleanup() {
      const sql = postgres(POSTGRES_URL, { max: 1, onnotice: () => {} });
      const rows = await sql<
        { nspname: string }[]
      >`SELECT nspname FROM pg_namespace WHERE nspname LIKE ${`${BENCH_SCHEMA}%`}`;
      for (const r of rows) await sql.unsafe(`DROP SCHEMA "${r.nspname}" CASCADE`);
      await sql.end();
    },
  },
];
const engines = allEngines.filter((e) => args.engine === "all" || e.name.startsWith(String(args.engine)));

const GPUS = [
  "NVIDIA GeForce RTX 4090",
  "NVIDIA GeForce RTX 3090",
  "NVIDIA GeForce RTX 3060",
  "NVIDIA A100 80GB",
];

function fleetWorker(i: number, random: () => number): WorkerRecord {
  const gpuCount = [1, 2, 4, 8][i % 4]!;
  const name = GPUS[i % GPUS.length]!;
  return {
    workerId: `bench-${i.toString(16).padStart(6, "0")}`,
    owner: `0x${(i % 50).toString(16).padStart(40, "a")}`,
    ethAddress: `0x${(i % 50).toString(16).padStart(40, "a")}`,
    gpus: Array.from({ length: gpuCount }, (_, index) => ({ index, name, memoryGb: 24, busId: index })),
    gpuCount,
    totalMemoryGb: 24 * gpuCount,
    version: "2.0.0",
    registeredAt: 0,
    updatedAt: 0,
    state: random() < 0.7 ? "AVAILABLE" : "MINING",
    stateLeaseId: null,
    stateAt: null,
    online: random() < 0.9,
    lastSeenAt: 0,
    offlineSince: null,
    hashrate: Math.round(random() * 20_000),
    activeGpus: gpuCount,
    config: { address: "", prefix: "", blockPattern: "", difficulty: 1727 },
    uptimeSec: 0,
    pricePerSec: BigInt(5000 + Math.floor(random() * 20) * 1000),
    minDurationSec: 60,
    maxDurationSec: 86_400,
    listed: random() < 0.95,
    banned: false,
    banReason: null,
    suspect: false,
    lastSentAt: null,
    releaseLeaseId: null,
    releaseSentAt: null,
    lastLeaseEndedAt: null,
    pendingControl: null,
    onlineSec: 0,
    lastHeartbeatAt: null,
    leasesCompleted: 0,
    leasesFailed: 0,
    verifiedLeaseBlocks: 0,
    leaseBlocks: 0,
    selfBlocks: 0,
  };
}

async function seedFleet(storage: Storage): Promise<WorkerRecord[]> {
  const random = seededRandom(1);
  const fleet = Array.from({ length: WORKERS }, (_, i) => fleetWorker(i, random));
  await storage.transaction(async (tx) => {
    for (const w of fleet) await tx.workers.insert(w);
  });
  return fleet;
}

async function heartbeatFlush(engine: Engine) {
  const storage = await engine.open("flush");
  const fleet = await seedFleet(storage);
  const batch = (round: number): WorkerLiveUpdate[] =>
    fleet.map((w, i) => ({
      workerId: w.workerId,
      lastSeenAt: 1_000_000 + round * 30_000 + i,
      lastHeartbeatAt: 1_000_000 + round * 30_000 + i,
      hashrate: 1000 + ((i * 7 + round) % 5000),
      activeGpus: w.gpuCount,
      uptimeSec: round * 30,
      onlineSec: round * 30,
      config: { address: w.owner, prefix: "", blockPattern: "", difficulty: 1727 },
    }));
  const result = await timeEach(20, (round) =>
    storage.transaction((tx) => tx.workers.updateLive(batch(round))),
  );
  const check = await storage.workers.get(fleet[123]!.workerId);
  if (check?.uptimeSec !== 19 * 30) throw new Error("the flush did not write the last batch");
  await storage.close();
  return result;
}

async function settlementsPerSecond(engine: Engine) {
  const storage = await engine.open("settle");
  const clock = fakeClock();
  const platform = createPlatform({
    storage,
    channel: recordingChannel(),
    clock,
    ids: seededIds(3, clock),
    config: { admins: ["0x" + "ad".repeat(20)] },
  });
  const renter = "0x" + "c1".repeat(20);
  const workerIds = Array.from({ length: 50 }, (_, i) => `settle-${i}`);
  for (const id of workerIds) {
    const register: RegisterMessage = {
      worker_id: id,
      eth_address: "0x" + "a1".repeat(20),
      gpu_count: 1,
      total_memory_gb: 24,
      gpus: [{ index: 0, name: "NVIDIA GeForce RTX 4090", memory_gb: 24, bus_id: 1 }],
      version: "2.0.0",
      timestamp: 1,
    };
    await platform.fleet.onRegister(register);
    await platform.fleet.onStatus({ worker_id: id, state: "AVAILABLE", timestamp: 1 });
  }
  await platform.payments.credit(
    { address: "0x" + "ad".repeat(20), via: "wallet" },
    renter,
    xnm(1_000_000),
    "bench",
  );
  clock.advance(3000);
  const actor = { address: renter, via: "wallet" as const };
  const start = performance.now();
  for (let i = 0; i < SETTLEMENTS; i++) {
    const workerId = workerIds[i % workerIds.length]!;
    if (i % workerIds.length === 0) clock.advance(3000); // past every worker's 2 s settle gap
    const rented = await platform.rental.rent(actor, { durationSec: 3600, workerId });
    if (!rented.ok) throw new Error(`rent ${i}: ${rented.error.message}`);
    await platform.fleet.onStatus({
      worker_id: workerId,
      state: "MINING",
      lease_id: rented.value.leaseId,
      timestamp: 1,
    });
    const stopped = await platform.rental.stop(actor, rented.value.leaseId);
    if (!stopped.ok) throw new Error(`stop ${i}: ${stopped.error.message}`);
    await platform.fleet.onStatus({ worker_id: workerId, state: "AVAILABLE", timestamp: 1 });
  }
  const seconds = (performance.now() - start) / 1000;
  const violations = await platform.ledgerViolations();
  if (violations.length > 0) throw new Error(violations.join("; "));
  await storage.close();
  return { cycles: SETTLEMENTS, perSecond: SETTLEMENTS / seconds };
}

/**
 * The storage cost of a settlement: the three transactions the services issue for one lease —
 * rent (lease + escrow transfer), confirm (activate), stop (bill, settle, pay, refund, counters) —
 * each committed on its own, one writer, without the message handling around them.
 */
async function storageSettlementsPerSecond(engine: Engine) {
  const storage = await engine.open("settle_storage");
  const renter = `0x${"c2".repeat(20)}`;
  const provider = `0x${"a2".repeat(20)}`;
  const random = seededRandom(5);
  const fleet = [fleetWorker(1, random)];
  await storage.workers.insert({ ...fleet[0]!, workerId: "w-settle", owner: provider });
  await storage.transaction(async (tx) => {
    const balances = await tx.ledger.balances([userAccount(renter), "world"]);
    const { balances: after, posted } = applyTransfers(
      balances,
      [
        {
          id: "deposit:manual:bench",
          type: "deposit",
          from: "world",
          to: userAccount(renter),
          amount: xnm(1_000_000),
          reference: { kind: "deposit", id: "bench" },
        },
      ],
      0,
    );
    await tx.ledger.post(posted, after);
  });
  const start = performance.now();
  for (let i = 0; i < SETTLEMENTS; i++) {
    const now = i * 10_000;
    const lease: LeaseRecord = {
      leaseId: `lease-bench-${i}`,
      workerId: "w-settle",
      renter,
      provider,
      consumerAddress: renter,
      prefix: i.toString(16).padStart(16, "0"),
      durationSec: 3600,
      pricePerSec: 10_000n,
      escrow: 36_000_000n,
      state: "pending",
      reason: null,
      createdAt: now,
      confirmedAt: null,
      expiresAt: null,
      endedAt: null,
      lastGoodHeartbeatAt: null,
      billedSec: null,
      blocksAccepted: 0,
      blocksRejected: 0,
      hashrateSum: 0,
      hashrateSamples: 0,
    };
    await storage.transaction(async (tx) => {
      const balances = await tx.ledger.balances([userAccount(renter), ESCROW]);
      const escrow = applyTransfers(
        balances,
        [
          {
            id: transferIds.leaseEscrow(lease.leaseId),
            type: "lease_escrow",
            from: userAccount(renter),
            to: ESCROW,
            amount: lease.escrow,
            reference: { kind: "lease", id: lease.leaseId },
          },
        ],
        now,
      );
      await tx.leases.insert(lease);
      await tx.ledger.post(escrow.posted, escrow.balances);
    });
    await storage.transaction(async (tx) => {
      const current = await tx.leases.getForUpdate(lease.leaseId);
      await tx.leases.update(lease.leaseId, {
        state: "active",
        confirmedAt: now + 1000,
        expiresAt: now + 1000 + 3_600_000,
      });
      return current;
    });
    await storage.transaction(async (tx) => {
      const open = (await tx.leases.getForUpdate(lease.leaseId))!;
      const billing = computeBilling(open, now + 5000, 500);
      const accounts: LedgerAccount[] = [ESCROW, userAccount(renter), userAccount(provider), "treasury"];
      const { balances, posted } = applyTransfers(
        await tx.ledger.balances(accounts),
        settlementTransfers(open, billing),
        now + 5000,
      );
      await tx.settlements.insert(settlementRecord(open, "completed", billing, 500, now + 5000));
      await tx.ledger.post(posted, balances);
      await tx.leases.update(lease.leaseId, {
        state: "completed",
        reason: "stopped",
        endedAt: now + 5000,
        billedSec: billing.billedSec,
      });
      await tx.workers.addCounters("w-settle", { leasesCompleted: 1 });
      await tx.workers.update("w-settle", { lastLeaseEndedAt: now + 5000 });
    });
  }
  const seconds = (performance.now() - start) / 1000;
  await storage.close();
  return { cycles: SETTLEMENTS, perSecond: SETTLEMENTS / seconds };
}

async function marketplacePage(engine: Engine) {
  const storage = await engine.open("page");
  await seedFleet(storage);
  const random = seededRandom(9);
  const sorts = ["value", "price", "hashrate", "gpus", "memory"] as const;
  const query = (): WorkerPageQuery => ({
    page: 1 + Math.floor(random() * 5),
    limit: 18,
    sortBy: sorts[Math.floor(random() * sorts.length)]!,
    sortDir: random() < 0.5 ? "asc" : "desc",
    availableOnly: random() < 0.7,
    ...(random() < 0.3 && { gpu: ["4090", "3090", "A100"][Math.floor(random() * 3)]! }),
    ...(random() < 0.3 && { minHashrate: 5000 }),
    ...(random() < 0.3 && { maxPricePerSec: 15_000n }),
    ...(random() < 0.2 && { minGpus: 2 }),
    durationSec: 3600,
  });
  for (let i = 0; i < 50; i++) await storage.workers.page(query()); // warm caches
  const result = await timeEach(1000, () => storage.workers.page(query()));
  await storage.close();
  return result;
}

console.log(
  `storage benchmarks: ${WORKERS} workers, ${SETTLEMENTS} settlement cycles, node ${process.version}\n`,
);
for (const engine of engines) {
  try {
    const flush = await heartbeatFlush(engine);
    console.log(
      `${engine.name.padEnd(12)} heartbeat flush (${WORKERS} workers): p50 ${ms(flush.p50)}, p99 ${ms(flush.p99)}, min ${ms(flush.min)}`,
    );
    const stored = await storageSettlementsPerSecond(engine);
    console.log(
      `${engine.name.padEnd(12)} settlements, storage transactions only: ${stored.perSecond.toFixed(0)}/s over ${stored.cycles}`,
    );
    const settle = await settlementsPerSecond(engine);
    console.log(
      `${engine.name.padEnd(12)} settlements, whole service path: ${settle.perSecond.toFixed(0)}/s over ${settle.cycles}`,
    );
    const page = await marketplacePage(engine);
    console.log(
      `${engine.name.padEnd(12)} marketplace page query: p50 ${ms(page.p50)}, p99 ${ms(page.p99)}, max ${ms(page.max)} (${page.runs} queries)`,
    );
  } finally {
    await engine.cleanup();
  }
}
