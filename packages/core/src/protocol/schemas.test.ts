import { describe, expect, it } from "vitest";
import {
  assignTaskSchema,
  blockMessageSchema,
  controlSchema,
  heartbeatMessageSchema,
  isLeasePrefix,
  parseStatusMessage,
  registerAckSchema,
  registerMessageSchema,
  releaseSchema,
  setConfigSchema,
  statusMessageSchema,
  WORKER_STATES,
} from "./schemas.js";

describe("worker_id rule in every inbound schema", () => {
  const base = { timestamp: 1 };
  const schemas = [
    [
      "register",
      registerMessageSchema,
      {
        ...base,
        eth_address: `0x${"a".repeat(40)}`,
        gpu_count: 0,
        total_memory_gb: 0,
        gpus: [],
        version: "2.0.0",
      },
    ],
    [
      "heartbeat",
      heartbeatMessageSchema,
      { ...base, hashrate: 1, active_gpus: 1, accepted_blocks: 0, difficulty: 8, uptime_sec: 1 },
    ],
    ["status", statusMessageSchema, { ...base, state: "IDLE" }],
    [
      "block",
      blockMessageSchema,
      { ...base, lease_id: "", hash: "h", key: "k", account: "a", attempts: 0, hashrate: "1.00" },
    ],
  ] as const;

  it.each(schemas)("%s accepts a valid id", (_name, schema, payload) => {
    expect(schema.safeParse({ ...payload, worker_id: "rig-1" }).success).toBe(true);
  });

  it.each(schemas)("%s refuses invalid ids", (_name, schema, payload) => {
    for (const id of ["", "a/b", "a+b", "a#b", "a\nb", "x".repeat(129), 7]) {
      expect(schema.safeParse({ ...payload, worker_id: id }).success).toBe(false);
    }
  });
});

describe("parseStatusMessage", () => {
  it("always yields a state", () => {
    for (const state of WORKER_STATES) {
      const r = parseStatusMessage({ worker_id: "w", state, timestamp: 5 });
      expect(r.success && r.data.state).toBe(state);
    }
    const r = parseStatusMessage({ worker_id: "w", status: "offline", timestamp: 5 });
    expect(r.success && r.data).toEqual({
      worker_id: "w",
      status: "offline",
      timestamp: 5,
      state: "offline",
    });
  });

  it("refuses unknown states and empty payloads without throwing", () => {
    for (const payload of [null, 1, "x", [], {}, { worker_id: "w", state: "PAUSED", timestamp: 1 }]) {
      expect(parseStatusMessage(payload).success).toBe(false);
    }
  });
});

describe("outbound schemas", () => {
  it("register_ack: reason only and always when refused", () => {
    expect(registerAckSchema.safeParse({ command: "register_ack", accepted: true }).success).toBe(true);
    expect(
      registerAckSchema.safeParse({ command: "register_ack", accepted: false, reason: "banned" }).success,
    ).toBe(true);
    for (const bad of [
      { command: "register_ack", accepted: false },
      { command: "register_ack", accepted: true, reason: "banned" },
      { command: "register_ack", accepted: false, reason: "other" },
      { command: "register_ack" },
      { command: "register_ack", accepted: "true" },
      { command: "register_ack", accepted: true, extra: 1 },
    ]) {
      expect(registerAckSchema.safeParse(bad).success).toBe(false);
    }
  });

  it("assign_task: all six fields with the platform's guarantees", () => {
    const good = {
      command: "assign_task",
      lease_id: "lease-1",
      consumer_id: "0x2ac9de9d494459ab28fd09f10056cfa1d4c6af40",
      consumer_address: "0x2ac9de9d494459ab28fd09f10056cfa1d4c6af40",
      prefix: "0baa4a90372c24cf",
      duration_sec: 3600,
    };
    expect(assignTaskSchema.safeParse(good).success).toBe(true);
    for (const [key, value] of [
      ["lease_id", ""],
      ["consumer_id", ""],
      ["consumer_address", "0x2ac9de9d494459AB28fd09F10056cfA1d4C6Af40"],
      ["consumer_address", "2ac9de9d494459ab28fd09f10056cfa1d4c6af40"],
      ["prefix", ""],
      ["prefix", "0BAA4A90372C24CF"],
      ["prefix", "ffffffff12345678"],
      ["prefix", "eeeeeeee12345678"],
      ["duration_sec", 0],
      ["duration_sec", 1.5],
      ["duration_sec", "3600"],
      ["extra", true],
    ] as const) {
      expect(assignTaskSchema.safeParse({ ...good, [key]: value }).success).toBe(false);
    }
  });

  it("release: a non-empty lease id", () => {
    expect(releaseSchema.safeParse({ command: "release", lease_id: "lease-1" }).success).toBe(true);
    expect(releaseSchema.safeParse({ command: "release", lease_id: "" }).success).toBe(false);
    expect(releaseSchema.safeParse({ command: "release" }).success).toBe(false);
  });

  it("control: config always present; empty for pause/resume/shutdown", () => {
    for (const action of ["pause", "resume", "shutdown"]) {
      expect(controlSchema.safeParse({ action, config: {} }).success).toBe(true);
      expect(controlSchema.safeParse({ action }).success).toBe(false);
      expect(controlSchema.safeParse({ action, config: { difficulty: 1 } }).success).toBe(false);
    }
    expect(controlSchema.safeParse({ action: "set_config", config: { difficulty: 1 } }).success).toBe(true);
    expect(controlSchema.safeParse({ action: "reboot", config: {} }).success).toBe(false);
  });

  it("set_config field rules", () => {
    expect(setConfigSchema.safeParse({}).success).toBe(true);
    expect(setConfigSchema.safeParse({ prefix: "a".repeat(48), block_pattern: "XN+/09az" }).success).toBe(
      true,
    );
    expect(setConfigSchema.safeParse({ foo: 1 }).success).toBe(false);
  });
});

describe("isLeasePrefix", () => {
  it("wants 16 lowercase hex outside the reserved dev-fee/eco prefixes", () => {
    expect(isLeasePrefix("0baa4a90372c24cf")).toBe(true);
    expect(isLeasePrefix("fffffffe00000000")).toBe(true);
    expect(isLeasePrefix("ffffffff00000000")).toBe(false);
    expect(isLeasePrefix("eeeeeeee00000000")).toBe(false);
    expect(isLeasePrefix("0baa4a90372c24c")).toBe(false);
    expect(isLeasePrefix("0baa4a90372c24cf0")).toBe(false);
    expect(isLeasePrefix("0baa4a90372c24cg")).toBe(false);
    expect(isLeasePrefix("0BAA4A90372C24CF")).toBe(false);
  });
});
