import { describe, expect, it } from "vitest";
import { milestones } from "./Achievements.js";
import { connectCommand } from "./ConnectWorker.js";
import { controlBlocked, leaseRunning } from "./ControlDialog.js";
import { historySeries } from "./HistoryChart.js";

const H = 3_600_000;

describe("provider history", () => {
  it("draws buckets without a hashrate sample as gaps and keeps exact earnings", () => {
    const point = (ts: number, avgHashrate: number, onlineWorkers: number, earnings: string, blocks = 0) => ({
      ts,
      avgHashrate,
      peakHashrate: avgHashrate,
      onlineWorkers,
      totalWorkers: 2,
      blocks,
      earnings,
    });
    const s = historySeries({
      period: "24h",
      bucketSec: 3600,
      points: [
        point(10 * H, 0, 0, "0.000000"),
        point(11 * H, 120.5, 2, "1.250000", 3),
        point(12 * H, 0, 2, "0.000001", 1),
      ],
    });
    expect(s.hashrate).toEqual([
      { time: 36_000 },
      { time: 39_600, value: 120.5 },
      { time: 43_200, value: 0 },
    ]);
    expect(s.earnings.map((p) => p.value)).toEqual([0, 1.25, 0.000001]);
    expect(s.exact.get(39_600)).toBe("1.250000");
    expect(s.totalEarned).toBe("1.250001");
    expect(s.blocks).toBe(4);
  });
});

describe("achievements", () => {
  it("reads milestones off the totals", () => {
    const m = milestones({
      currentHashrate: 10,
      onlineWorkers: 1,
      totalWorkers: 1,
      peakHashrate: 2_000_000,
      leaseBlocks: 1,
      selfBlocks: 0,
      totalBlocks: 1,
      totalEarnings: "0.500000",
      leasesServed: 0,
      miningDays: 3,
      firstSeen: 1,
    });
    const byId = Object.fromEntries(m.map((x) => [x.id, x]));
    expect(byId["block-1"]?.progress).toBe(1);
    expect(byId["block-100"]?.progress).toBeCloseTo(0.01);
    expect(byId["lease-1"]?.progress).toBe(0);
    expect(byId["earned-1"]?.progress).toBe(0.5);
    expect(byId["earned-1"]?.detail).toBe("0.50 / 1 XNM");
    expect(byId.mh?.progress).toBe(1);
  });
});

describe("worker controls", () => {
  const t = { workerId: "w1", state: "AVAILABLE", online: true };
  it("mirrors the server's refusals", () => {
    expect(controlBlocked(t, "pause")).toBeNull();
    expect(controlBlocked(t, "resume")).toMatch(/paused/);
    expect(controlBlocked({ ...t, state: "IDLE" }, "resume")).toBeNull();
    expect(controlBlocked({ ...t, state: "IDLE" }, "pause")).toMatch(/already/);
    expect(controlBlocked({ ...t, online: false }, "shutdown")).toMatch(/offline/);
  });
  it("knows when a lease would be interrupted", () => {
    expect(leaseRunning(t)).toBe(false);
    expect(leaseRunning({ ...t, state: "MINING" })).toBe(true);
    expect(leaseRunning({ ...t, leaseId: "l1" })).toBe(true);
  });
});

describe("connect command", () => {
  it("fills in the address and the broker", () => {
    expect(connectCommand("0xAbC", "example.org")).toBe(
      "./xenblocksMiner --platform-mode --mqtt-broker tcp://example.org:1883 --minerAddr 0xAbC --donotupload",
    );
    expect(connectCommand("0xAbC", "h", "http://h:8080")).toMatch(/--rpcLink http:\/\/h:8080$/);
  });
});
