import { describe, expect, it } from "vitest";
import { DEFAULT_PROVIDER_ADDRESSES } from "../worker/fleet.js";
import { CHURN_DOWN_SEC, CHURN_EVERY_SEC, planFleet } from "./fleet-command.js";

const OWNER_A = "0x89e457E13160B41beFE3650F244c51B8a08a1ac5";
const OWNER_B = "0x2ac9de9d494459ab28fd09f10056cfa1d4c6af40";

describe("planFleet", () => {
  it("maps every flag to the fleet options", () => {
    const plan = planFleet([
      "--workers",
      "250",
      "--mqtt",
      "mqtts://broker.example:8883",
      "--owner",
      OWNER_A,
      "--owner",
      OWNER_B,
      "--heartbeat-sec",
      "2.5",
      "--block-marker",
      "XN",
      "--difficulty",
      "1727",
      "--blocks-per-gpu-sec",
      "30",
      "--churn",
      "0.1",
      "--chain",
      "http://127.0.0.1:8545",
      "--connect-concurrency",
      "50",
      "--seconds",
      "90",
    ])!;
    expect(plan.seconds).toBe(90);
    expect(plan.options).toEqual({
      brokerUrl: "mqtts://broker.example:8883",
      size: 250,
      connectConcurrency: 50,
      owners: [OWNER_A, OWNER_B],
      worker: { heartbeatSec: 2.5, difficulty: 1727, fixedDifficulty: true, blockPattern: "XN" },
      blocks: { perGpuMeanSec: 30 },
      churn: { everySec: CHURN_EVERY_SEC, probability: 0.1, downSec: CHURN_DOWN_SEC },
      chain: { url: "http://127.0.0.1:8545" },
    });
    expect(plan.summary).toContain("genuine blocks every ~30 s per GPU");
  });

  it("defaults to the real worker's timers, the built-in owners and synthetic XEN11 blocks", () => {
    const plan = planFleet(["--workers", "3", "--mqtt", "mqtt://127.0.0.1:1883"])!;
    expect(plan.seconds).toBeUndefined();
    expect(plan.options).toEqual({
      brokerUrl: "mqtt://127.0.0.1:1883",
      size: 3,
      connectConcurrency: 200,
      worker: { heartbeatSec: 30 },
      blocks: { perGpuMeanSec: 600 },
    });
    expect(plan.summary).toContain(`${DEFAULT_PROVIDER_ADDRESSES.length} owners`);
    expect(plan.summary).toContain("synthetic blocks");
  });

  it("turns blocks off with 0 and forces the block kind with --genuine / --synthetic", () => {
    const base = ["--workers", "1", "--mqtt", "ws://127.0.0.1:8083/mqtt"];
    expect(planFleet([...base, "--blocks-per-gpu-sec", "0"])!.options.blocks).toBeUndefined();
    expect(planFleet([...base, "--genuine"])!.options.blocks).toEqual({ perGpuMeanSec: 600, genuine: true });
    expect(planFleet([...base, "--synthetic", "--block-marker", "XN"])!.options.blocks).toEqual({
      perGpuMeanSec: 600,
      genuine: false,
    });
    expect(planFleet(["--help"])).toBeNull();
  });
});
