import { describe, expect, it } from "vitest";
import { platformConfigSchema, resolveConfig } from "./config.js";

describe("resolveConfig: defaults of platform-rules §13", () => {
  const config = resolveConfig();

  it("fee_bps 500", () => {
    expect(config.feeBps).toBe(500);
  });

  it("lease timers: assign timeout 30 s, release wait 30 s, block grace 60 s, worker-expiry tolerance 10 s", () => {
    expect(config.lease).toEqual({
      assignTimeoutSec: 30,
      releaseWaitSec: 30,
      graceAfterEndSec: 60,
      workerExpiryToleranceSec: 10,
    });
  });

  it("worker: offline after 90 s, settle gap 2 s, pause 10 s after a lease end, reregister every 30 s", () => {
    expect(config.worker).toEqual({
      offlineAfterSec: 90,
      settleGapSec: 2,
      pauseAfterLeaseEndSec: 10,
      reregisterEverySec: 30,
    });
  });

  it("blocks: marker XEN11, Argon2id re-verification off", () => {
    expect(config.blocks).toEqual({ marker: "XEN11", verifyArgon2: false });
  });

  it("chain checks at 5 … 875 s, inside the 900 s verify window", () => {
    expect(config.chain.checkScheduleSec).toEqual([5, 15, 35, 75, 155, 275, 395, 515, 635, 755, 875]);
    expect(Math.max(...config.chain.checkScheduleSec)).toBeLessThanOrEqual(900);
  });

  it("faucet off, 1,000 XNM per request, 10,000 XNM per 24 h (in units)", () => {
    expect(config.faucet).toEqual({ enabled: false, perRequest: 1_000_000_000n, per24h: 10_000_000_000n });
  });

  it("no admins and 20 API keys per account", () => {
    expect(config.admins).toEqual([]);
    expect(config.apiKeys.maxPerAccount).toBe(20);
  });

  it("resolveConfig() and resolveConfig({}) agree", () => {
    expect(resolveConfig({})).toEqual(config);
  });
});

describe("resolveConfig: overrides", () => {
  it("keeps the defaults of the fields not given inside a nested group", () => {
    const c = resolveConfig({ lease: { assignTimeoutSec: 5 }, blocks: { marker: "XN" } });
    expect(c.lease).toEqual({
      assignTimeoutSec: 5,
      releaseWaitSec: 30,
      graceAfterEndSec: 60,
      workerExpiryToleranceSec: 10,
    });
    expect(c.blocks).toEqual({ marker: "XN", verifyArgon2: false });
    expect(c.feeBps).toBe(500);
  });

  it("lowercases admin addresses", () => {
    const c = resolveConfig({
      admins: ["0x8d56DA55A9D91b40AfF945714b19E9DfDE32D9C2", "0x2AC9DE9D494459AB28FD09F10056CFA1D4C6AF40"],
    });
    expect(c.admins).toEqual([
      "0x8d56da55a9d91b40aff945714b19e9dfde32d9c2",
      "0x2ac9de9d494459ab28fd09f10056cfa1d4c6af40",
    ]);
  });

  it.each([
    ["without 0x", "8d56da55a9d91b40aff945714b19e9dfde32d9c2"],
    ["39 hex", "0x8d56da55a9d91b40aff945714b19e9dfde32d9c"],
    ["41 hex", "0x8d56da55a9d91b40aff945714b19e9dfde32d9c20"],
    ["non-hex", "0x8d56da55a9d91b40aff945714b19e9dfde32d9cz"],
    ["empty", ""],
    ["with spaces", " 0x8d56da55a9d91b40aff945714b19e9dfde32d9c2"],
  ])("refuses an admin %s", (_what, admin) => {
    expect(() => resolveConfig({ admins: [admin] })).toThrow(/admin must be 0x \+ 40 hex/);
    expect(platformConfigSchema.safeParse({ admins: [admin] }).success).toBe(false);
  });

  it.each([
    ["feeBps above 10,000", { feeBps: 10_001 }],
    ["negative feeBps", { feeBps: -1 }],
    ["fractional feeBps", { feeBps: 2.5 }],
    ["an empty marker", { blocks: { marker: "" } }],
    ["a marker over 16 characters", { blocks: { marker: "X".repeat(17) } }],
    ["a zero assign timeout", { lease: { assignTimeoutSec: 0 } }],
    ["a zero offline threshold", { worker: { offlineAfterSec: 0 } }],
    ["a non-positive chain check offset", { chain: { checkScheduleSec: [5, 0] } }],
  ])("refuses %s", (_what, input) => {
    expect(platformConfigSchema.safeParse(input).success).toBe(false);
  });

  it("accepts the boundary fee rates 0 and 10,000", () => {
    expect(resolveConfig({ feeBps: 0 }).feeBps).toBe(0);
    expect(resolveConfig({ feeBps: 10_000 }).feeBps).toBe(10_000);
  });
});
