import { describe, expect, it } from "vitest";
import type { LeaseRecord, WorkerState } from "../types.js";
import {
  endByAssignTimeout,
  endByExpiry,
  endByStop,
  endByWorker,
  type LeaseEnd,
  lastGoodInstant,
  outcomeOfStatus,
  reputationEffect,
} from "./transitions.js";

type OpenLease = Pick<LeaseRecord, "state" | "leaseId" | "confirmedAt" | "expiresAt" | "lastGoodHeartbeatAt">;

const LEASE_ID = "lease-01a21d56-94d3-74d0-a5fd-cb0423a2b71a";
const OTHER_ID = "lease-0190aaaa-0000-7000-8000-000000000000";
const CREATED = 1_795_788_543_000;
const CONFIRMED = CREATED + 1_500;
const DURATION_MS = 3_600_000;
const END = CONFIRMED + DURATION_MS;
const TOLERANCE_MS = 10_000;
const HEARTBEAT = CONFIRMED + 600_000;

const pending: OpenLease = {
  state: "pending",
  leaseId: LEASE_ID,
  confirmedAt: null,
  expiresAt: null,
  lastGoodHeartbeatAt: null,
};
const active: OpenLease = {
  state: "active",
  leaseId: LEASE_ID,
  confirmedAt: CONFIRMED,
  expiresAt: END,
  lastGoodHeartbeatAt: HEARTBEAT,
};

const outcome = (lease: OpenLease, state: WorkerState, leaseId: string | null, at: number) =>
  outcomeOfStatus(lease, state, leaseId, at, TOLERANCE_MS);

describe("outcomeOfStatus: pending lease (platform-rules §4.1)", () => {
  const at = CREATED + 2_000;

  it("MINING with this lease id activates it", () => {
    expect(outcome(pending, "MINING", LEASE_ID, at)).toEqual({ kind: "activate" });
  });

  it.each([
    ["LEASED", null],
    ["LEASED", LEASE_ID],
    ["AVAILABLE", null],
  ] as [WorkerState, string | null][])("%s (lease id %s) changes nothing", (state, id) => {
    expect(outcome(pending, state, id, at)).toEqual({ kind: "none" });
  });

  it.each([
    ["ERROR", null],
    ["IDLE", null],
    ["offline", null],
    ["COMPLETED", LEASE_ID],
    ["COMPLETED", OTHER_ID],
    ["MINING", OTHER_ID],
    ["MINING", null],
  ] as [WorkerState, string | null][])("%s (lease id %s) cancels it as worker_failed", (state, id) => {
    expect(outcome(pending, state, id, at)).toEqual({
      kind: "end",
      end: { state: "cancelled", reason: "worker_failed", billTo: at },
    });
  });
});

describe("outcomeOfStatus: active lease (platform-rules §4.1)", () => {
  it("MINING with this lease id changes nothing", () => {
    expect(outcome(active, "MINING", LEASE_ID, CONFIRMED + 60_000)).toEqual({ kind: "none" });
  });

  it.each([
    ["exactly 10 s before the end", END - TOLERANCE_MS, END - TOLERANCE_MS],
    ["5 s before the end", END - 5_000, END - 5_000],
    ["at the end", END, END],
    ["after the end (billed to the end)", END + 7_000, END],
  ])("COMPLETED for this lease %s is worker_expired", (_when, at, billTo) => {
    expect(outcome(active, "COMPLETED", LEASE_ID, at)).toEqual({
      kind: "end",
      end: { state: "completed", reason: "worker_expired", billTo },
    });
  });

  it.each([
    ["1 ms earlier than 10 s before the end", END - TOLERANCE_MS - 1],
    ["right after confirmation", CONFIRMED + 1_000],
  ])(
    "COMPLETED for this lease %s is interrupted (worker_state), billed to the last good heartbeat",
    (_w, at) => {
      expect(outcome(active, "COMPLETED", LEASE_ID, at)).toEqual({
        kind: "end",
        end: { state: "interrupted", reason: "worker_state", billTo: HEARTBEAT },
      });
    },
  );

  it("respects the tolerance it is given", () => {
    expect(outcomeOfStatus(active, "COMPLETED", LEASE_ID, END - 5_000, 0)).toMatchObject({
      end: { reason: "worker_state" },
    });
    expect(outcomeOfStatus(active, "COMPLETED", LEASE_ID, END - 50_000, 60_000)).toMatchObject({
      end: { reason: "worker_expired", billTo: END - 50_000 },
    });
  });

  it.each([
    ["AVAILABLE", null],
    ["IDLE", null],
    ["ERROR", null],
    ["LEASED", null],
    ["MINING", OTHER_ID],
    ["MINING", null],
    ["COMPLETED", OTHER_ID],
    ["COMPLETED", null],
  ] as [WorkerState, string | null][])("%s (lease id %s) interrupts it as worker_state", (state, id) => {
    // Even at the contracted end: only a COMPLETED for this lease is the worker's own expiry.
    for (const at of [CONFIRMED + 60_000, END]) {
      expect(outcome(active, state, id, at)).toEqual({
        kind: "end",
        end: { state: "interrupted", reason: "worker_state", billTo: HEARTBEAT },
      });
    }
  });

  it("offline interrupts it as worker_offline, billed to the last good heartbeat", () => {
    expect(outcome(active, "offline", null, HEARTBEAT + 95_000)).toEqual({
      kind: "end",
      end: { state: "interrupted", reason: "worker_offline", billTo: HEARTBEAT },
    });
  });

  it("without any good heartbeat, interruptions bill to confirmation (0 s)", () => {
    const fresh = { ...active, lastGoodHeartbeatAt: null };
    expect(outcome(fresh, "ERROR", null, CONFIRMED + 20_000)).toMatchObject({ end: { billTo: CONFIRMED } });
    expect(outcome(fresh, "offline", null, CONFIRMED + 20_000)).toMatchObject({ end: { billTo: CONFIRMED } });
  });
});

describe("lastGoodInstant", () => {
  it("is the last good heartbeat when there is one", () => {
    expect(lastGoodInstant(active)).toBe(HEARTBEAT);
  });

  it("falls back to confirmedAt", () => {
    expect(lastGoodInstant({ ...active, lastGoodHeartbeatAt: null })).toBe(CONFIRMED);
  });
});

describe("endByStop", () => {
  it("cancels a pending lease (stopped)", () => {
    expect(endByStop(pending, CREATED + 5_000)).toEqual({
      state: "cancelled",
      reason: "stopped",
      billTo: CREATED + 5_000,
    });
  });

  it("completes an active lease, billed to now", () => {
    expect(endByStop(active, CONFIRMED + 1_234_900)).toEqual({
      state: "completed",
      reason: "stopped",
      billTo: CONFIRMED + 1_234_900,
    });
  });
});

describe("endByExpiry", () => {
  it("completes (expired), billed to the contracted end", () => {
    expect(endByExpiry(active)).toEqual({ state: "completed", reason: "expired", billTo: END });
  });
});

describe("endByAssignTimeout", () => {
  it("cancels (assign_timeout) at now", () => {
    expect(endByAssignTimeout(CREATED + 30_000)).toEqual({
      state: "cancelled",
      reason: "assign_timeout",
      billTo: CREATED + 30_000,
    });
  });
});

describe("endByWorker", () => {
  const now = HEARTBEAT + 100_000;

  it.each([
    ["offline", "worker_offline"],
    ["state", "worker_state"],
    ["provider", "provider_action"],
  ] as const)("active + %s → interrupted (%s), billed to the last good heartbeat", (cause, reason) => {
    expect(endByWorker(active, cause, now)).toEqual({ state: "interrupted", reason, billTo: HEARTBEAT });
  });

  it("active without heartbeats is billed to confirmation", () => {
    expect(endByWorker({ ...active, lastGoodHeartbeatAt: null }, "provider", now).billTo).toBe(CONFIRMED);
  });

  it.each([
    ["offline", "worker_failed"],
    ["state", "worker_failed"],
    ["provider", "provider_action"],
  ] as const)("pending + %s → cancelled (%s)", (cause, reason) => {
    expect(endByWorker(pending, cause, now)).toEqual({ state: "cancelled", reason, billTo: now });
  });
});

describe("reputationEffect (platform-rules §7: failed = interrupted + cancelled assign_timeout/worker_failed)", () => {
  const cases: [string, LeaseEnd, { completed: number; failed: number }][] = [
    ["completed stopped", endByStop(active, END - 1), { completed: 1, failed: 0 }],
    ["completed expired", endByExpiry(active), { completed: 1, failed: 0 }],
    [
      "completed worker_expired",
      { state: "completed", reason: "worker_expired", billTo: END },
      { completed: 1, failed: 0 },
    ],
    ["interrupted worker_offline", endByWorker(active, "offline", END), { completed: 0, failed: 1 }],
    ["interrupted worker_state", endByWorker(active, "state", END), { completed: 0, failed: 1 }],
    ["interrupted provider_action", endByWorker(active, "provider", END), { completed: 0, failed: 1 }],
    ["cancelled assign_timeout", endByAssignTimeout(CREATED), { completed: 0, failed: 1 }],
    ["cancelled worker_failed", endByWorker(pending, "state", CREATED), { completed: 0, failed: 1 }],
    [
      "cancelled stopped (renter or admin: ignored)",
      endByStop(pending, CREATED),
      { completed: 0, failed: 0 },
    ],
    ["cancelled provider_action", endByWorker(pending, "provider", CREATED), { completed: 0, failed: 0 }],
  ];

  it.each(cases)("%s", (_name, end, effect) => {
    expect(reputationEffect(end)).toEqual(effect);
  });
});
