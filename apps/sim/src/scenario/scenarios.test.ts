/**
 * Every CI scenario, short: a real fleet over real MQTT against the in-process platform. The
 * invariants are the point (ledger, final leases, one settlement each, blocks on their lease's
 * prefix); each scenario also shows the thing it exists for.
 */
import { describe, expect, it } from "vitest";
import { runScenario } from "./runner.js";

const SHORT = { workers: 6, seconds: 12 };

describe("CI scenarios", () => {
  it("steady: leases come and go, blocks are accepted, every invariant holds", {
    timeout: 90_000,
  }, async () => {
    const report = await runScenario("steady", SHORT);
    expect(report.violations).toEqual([]);
    expect(report.figures.leases).toBeGreaterThan(0);
    expect(report.figures["blocks accepted"]).toBeGreaterThan(0);
  });

  it("churn: workers leave and come back mid-lease without breaking the books", {
    timeout: 90_000,
  }, async () => {
    const report = await runScenario("churn", { ...SHORT, seed: 7 });
    expect(report.violations).toEqual([]);
    expect(report.figures.leases).toBeGreaterThan(0);
  });

  it("lease storm: more renters than workers, at once; some are refused, none double-booked", {
    timeout: 90_000,
  }, async () => {
    const report = await runScenario("lease-storm", SHORT);
    expect(report.violations).toEqual([]);
    expect(report.figures["rents refused"]).toBeGreaterThan(0);
    // Two storms over six workers: at most one open lease per worker at a time, so at most 12.
    expect(report.figures.leases).toBeGreaterThanOrEqual(SHORT.workers);
    expect(report.figures.leases).toBeLessThanOrEqual(2 * SHORT.workers);
  });

  it("worker failures: leases of dead workers are interrupted and billed", { timeout: 90_000 }, async () => {
    const report = await runScenario("worker-failures", SHORT);
    expect(report.violations).toEqual([]);
    expect(report.figures["leases interrupted"]).toBeGreaterThan(0);
  });

  it("broker restart: workers reconnect without registering again and the books balance", {
    timeout: 90_000,
  }, async () => {
    const report = await runScenario("broker-restart", SHORT);
    expect(report.violations).toEqual([]);
    expect(report.figures.registers).toBe(SHORT.workers);
    expect(report.figures.leases).toBeGreaterThan(0);
  });
});
