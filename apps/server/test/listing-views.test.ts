/**
 * The marketplace builds each listing's view and REST row once per listing-index record and refreshes
 * only what depends on the time (reputation, uptime) or on availability. These must stay byte for byte
 * what `listingView` and `workerRowOf` give at the time of each request.
 */
import { gpuSummary, uptimePct, type WorkerRecord } from "@xenblocks/core";
import { seededRandom } from "@xenblocks/core/testing";
import { describe, expect, it } from "vitest";
import { listingRowOf, marketRow, marketRowJson, workerRowOf } from "../src/rest/loaders.js";
import { numberedPageJson, numberedPageOf } from "../src/rest/params.js";
import { listingViewOf } from "../src/trpc/routers/marketplace.js";
import { listingView } from "../src/trpc/serialize.js";

const NOW = 1_800_000_000_000;
const DAY = 86_400_000;

function worker(i: number, r: () => number): WorkerRecord {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(r() * items.length)]!;
  const gpuCount = pick([0, 1, 2, 4]);
  const owner = `0x${Array.from({ length: 40 }, () => Math.floor(r() * 16).toString(16)).join("")}`;
  return {
    workerId: `w${i.toString(16).padStart(15, "0")}`,
    owner,
    ethAddress: owner,
    gpus: Array.from({ length: gpuCount }, (_, index) => ({
      index,
      name: pick(["NVIDIA GeForce RTX 4090", "NVIDIA A100 80GB", "AMD Radeon RX 7900 XTX"]),
      memoryGb: pick([24, 80]),
      busId: index,
    })),
    gpuCount,
    totalMemoryGb: pick([0, 24, 96]),
    version: "2.0.0",
    registeredAt: NOW - Math.floor(r() * 100 * DAY),
    updatedAt: NOW,
    state: pick(["AVAILABLE", "MINING", null] as const),
    stateLeaseId: null,
    stateAt: null,
    online: r() < 0.8,
    lastSeenAt: NOW - Math.floor(r() * 60_000),
    offlineSince: null,
    hashrate: pick([0, 1234.567, 5000]),
    activeGpus: gpuCount,
    config: { address: owner, prefix: "ab", blockPattern: "XN", difficulty: pick([null, 1727]) },
    uptimeSec: 0,
    pricePerSec: BigInt(pick([0, 1, 12_345])),
    minDurationSec: 60,
    maxDurationSec: 86_400,
    listed: true,
    banned: false,
    banReason: null,
    suspect: false,
    lastSentAt: null,
    releaseLeaseId: null,
    releaseSentAt: null,
    lastLeaseEndedAt: null,
    pendingControl: null,
    onlineSec: Math.floor(r() * 50 * 86_400),
    lastHeartbeatAt: null,
    leasesCompleted: pick([0, 3]),
    leasesFailed: pick([0, 1]),
    verifiedLeaseBlocks: pick([0, 40, 200]),
    leaseBlocks: pick([0, 7]),
    selfBlocks: pick([0, 2]),
  };
}

describe("per-record listing views", () => {
  const r = seededRandom(5);
  const fleet = Array.from({ length: 60 }, (_, i) => worker(i, r));
  const times = [NOW, NOW + 1, NOW + 61_000, NOW + 3 * DAY];

  it("listingViewOf equals listingView at every call's time and availability", () => {
    for (const at of times) {
      for (const w of fleet) {
        const available = r() < 0.5;
        expect(JSON.stringify(listingViewOf(w, at, available))).toBe(
          JSON.stringify(listingView(w, at, available)),
        );
      }
    }
  });

  it("listingRowOf equals workerRowOf at every call's time", () => {
    for (const at of times) {
      for (const w of fleet) {
        expect(JSON.stringify(listingRowOf({} as never, w, at))).toBe(
          JSON.stringify(workerRowOf({} as never, w, at)),
        );
      }
    }
  });

  it("marketRowJson is JSON.stringify of the marketplace row at every call's time, byte for byte", () => {
    for (const at of times) {
      for (const w of fleet) {
        const expected = JSON.stringify({
          ...workerRowOf({} as never, w, at),
          gpu_name: gpuSummary(w.gpus.map((g) => g.name)),
          uptime_pct: uptimePct(w, at),
          blocks_mined: w.leaseBlocks + w.selfBlocks,
        });
        expect(marketRowJson({} as never, w, at)).toBe(expected);
        expect(JSON.stringify(marketRow({} as never, w, at))).toBe(expected);
      }
    }
  });

  it("numberedPageJson is JSON.stringify of numberedPageOf", () => {
    const rows = fleet.slice(0, 7).map((w) => marketRow({} as never, w, NOW));
    for (const [items, total, page, limit] of [
      [rows, 60, 1, 7],
      [[], 0, 1, 18],
      [rows.slice(0, 1), 61, 9, 7],
    ] as const) {
      expect(
        numberedPageJson(
          items.map((r) => JSON.stringify(r)),
          total,
          page,
          limit,
        ),
      ).toBe(JSON.stringify(numberedPageOf([...items], total, page, limit)));
    }
  });

  it("hands out copies: a caller changing its answer does not change the next one", () => {
    const w = fleet[0]!;
    const first = listingViewOf(w, NOW, true);
    first.owner = "changed";
    expect(listingViewOf(w, NOW, true).owner).not.toBe("changed");
  });
});
