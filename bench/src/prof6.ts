import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { WorkerPageQuery } from "@xenblocks/core";
import { openLibsql } from "@xenblocks/storage";

const s = await openLibsql(join(mkdtempSync(join(tmpdir(), "p-")), "x.db"));
const GPUS = [
  "NVIDIA GeForce RTX 4090",
  "NVIDIA GeForce RTX 3090",
  "NVIDIA GeForce RTX 3060",
  "NVIDIA A100 80GB",
];
await s.transaction(async (tx) => {
  for (let i = 0; i < 10000; i++) {
    const gpuCount = [1, 2, 4, 8][i % 4]!;
    await tx.workers.insert({
      workerId: `b-${i}`,
      owner: `0x${(i % 50).toString(16).padStart(40, "a")}`,
      ethAddress: "x",
      gpus: Array.from({ length: gpuCount }, (_, index) => ({
        index,
        name: GPUS[i % 4]!,
        memoryGb: 24,
        busId: index,
      })),
      gpuCount,
      totalMemoryGb: 24 * gpuCount,
      version: "2",
      registeredAt: 0,
      updatedAt: 0,
      state: i % 3 ? "AVAILABLE" : "MINING",
      stateLeaseId: null,
      stateAt: null,
      online: i % 10 !== 0,
      lastSeenAt: 0,
      offlineSince: null,
      hashrate: (i * 37) % 20000,
      activeGpus: 1,
      config: { address: "", prefix: "", blockPattern: "", difficulty: 1 },
      uptimeSec: 0,
      pricePerSec: BigInt(5000 + (i % 20) * 1000),
      minDurationSec: 60,
      maxDurationSec: 86400,
      listed: true,
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
    });
  }
});
const base: WorkerPageQuery = { page: 2, limit: 18, sortBy: "value", sortDir: "asc" };
const variants: Record<string, WorkerPageQuery> = {
  plain: base,
  available: { ...base, availableOnly: true },
  gpu: { ...base, gpu: "4090" },
  all: {
    ...base,
    availableOnly: true,
    gpu: "4090",
    minHashrate: 5000,
    maxPricePerSec: 15000n,
    durationSec: 3600,
  },
  priceSort: { ...base, sortBy: "price", availableOnly: true },
};
for (const [name, q] of Object.entries(variants)) {
  for (let i = 0; i < 5; i++) await s.workers.page(q);
  const t = performance.now();
  for (let i = 0; i < 50; i++) await s.workers.page(q);
  console.log(name.padEnd(10), ((performance.now() - t) / 50).toFixed(2), "ms");
}
