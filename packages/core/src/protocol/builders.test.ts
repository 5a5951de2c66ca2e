import { describe, expect, it } from "vitest";
import { DomainError } from "../errors.js";
import {
  type AssignTaskInput,
  assignTask,
  control,
  isControlAction,
  registerAck,
  release,
  validateSetConfig,
} from "./builders.js";
import type { ControlAction, RegisterAckReason } from "./schemas.js";

function expectValidation(fn: () => unknown, message?: RegExp): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).code).toBe("VALIDATION");
    if (message) expect((e as DomainError).message).toMatch(message);
    return;
  }
  throw new Error("expected a VALIDATION DomainError");
}

describe("registerAck", () => {
  it("builds accepted and refused acks in the vectors' key order", () => {
    expect(JSON.stringify(registerAck(true))).toBe('{"command":"register_ack","accepted":true}');
    expect(JSON.stringify(registerAck(false, "banned"))).toBe(
      '{"command":"register_ack","accepted":false,"reason":"banned"}',
    );
    expect(JSON.stringify(registerAck(false, "reregister"))).toBe(
      '{"command":"register_ack","accepted":false,"reason":"reregister"}',
    );
  });

  it("refuses a reason on acceptance and a rejection without a known reason", () => {
    expectValidation(() => registerAck(true as boolean, "banned"));
    expectValidation(() => registerAck(false as boolean));
    expectValidation(() => registerAck(false, "kicked" as RegisterAckReason));
  });
});

describe("assignTask", () => {
  const input: AssignTaskInput = {
    leaseId: "lease-01a21d56-94d3-74d0-a5fd-cb0423a2b71a",
    consumerId: "0x2ac9de9d494459ab28fd09f10056cfa1d4c6af40",
    consumerAddress: "0x2ac9de9d494459ab28fd09f10056cfa1d4c6af40",
    prefix: "0baa4a90372c24cf",
    durationSec: 3600,
  };

  it("sends all six fields in order", () => {
    expect(Object.keys(assignTask(input))).toEqual([
      "command",
      "lease_id",
      "consumer_id",
      "consumer_address",
      "prefix",
      "duration_sec",
    ]);
    expect(assignTask({ ...input, durationSec: 1 }).duration_sec).toBe(1);
  });

  it.each([
    ["empty lease id", { leaseId: "" }],
    ["empty consumer id", { consumerId: "" }],
    ["mixed-case address", { consumerAddress: "0x2ac9de9d494459AB28fd09F10056cfA1d4C6Af40" }],
    ["address without 0x", { consumerAddress: "2ac9de9d494459ab28fd09f10056cfa1d4c6af40" }],
    ["short address", { consumerAddress: "0x2ac9de9d494459ab28fd09f10056cfa1d4c6af4" }],
    ["non-hex address", { consumerAddress: "0x2ac9de9d494459ab28fd09f10056cfa1d4c6afzz" }],
    ["empty prefix", { prefix: "" }],
    ["15-char prefix", { prefix: "0baa4a90372c24c" }],
    ["17-char prefix", { prefix: "0baa4a90372c24cf0" }],
    ["uppercase prefix", { prefix: "0BAA4A90372C24CF" }],
    ["non-hex prefix", { prefix: "0baa4a90372c24cx" }],
    ["dev-fee prefix", { prefix: "ffffffff372c24cf" }],
    ["eco prefix", { prefix: "eeeeeeee372c24cf" }],
    ["zero duration", { durationSec: 0 }],
    ["negative duration", { durationSec: -60 }],
    ["fractional duration", { durationSec: 1.5 }],
    ["NaN duration", { durationSec: Number.NaN }],
    ["infinite duration", { durationSec: Number.POSITIVE_INFINITY }],
  ])("refuses %s", (_label, patch) => {
    expectValidation(() => assignTask({ ...input, ...patch }));
  });
});

describe("release", () => {
  it("names the lease", () => {
    expect(JSON.stringify(release("lease-1"))).toBe('{"command":"release","lease_id":"lease-1"}');
  });

  it("refuses an empty id (it would release any lease)", () => {
    expectValidation(() => release(""));
  });
});

describe("control", () => {
  it("always includes config", () => {
    for (const action of ["pause", "resume", "shutdown"] as const) {
      expect(JSON.stringify(control(action))).toBe(`{"action":"${action}","config":{}}`);
      expect(JSON.stringify(control(action, {}))).toBe(`{"action":"${action}","config":{}}`);
    }
  });

  it("refuses a config for pause/resume/shutdown", () => {
    for (const action of ["pause", "resume", "shutdown"] as const) {
      expectValidation(() => control(action, { difficulty: 1 }));
      expectValidation(() => control(action, null));
      expectValidation(() => control(action, []));
      expectValidation(() => control(action, "x"));
    }
  });

  it("refuses unknown actions", () => {
    expect(isControlAction("pause")).toBe(true);
    expect(isControlAction("reboot")).toBe(false);
    expect(isControlAction("Pause")).toBe(false);
    expectValidation(() => control("reboot" as ControlAction, {}), /Unknown control action/);
    expectValidation(() => control("" as ControlAction, {}));
  });

  it("builds set_config in canonical key order with only the given keys", () => {
    const built = control("set_config", {
      block_pattern: "",
      prefix: "",
      address: "0xA72B7D608c51B0FB4E21B75f37a41A3324f846a7",
      difficulty: 1727,
    });
    expect(JSON.stringify(built)).toBe(
      '{"action":"set_config","config":{"difficulty":1727,"address":"0xA72B7D608c51B0FB4E21B75f37a41A3324f846a7","prefix":"","block_pattern":""}}',
    );
    expect(control("set_config", { difficulty: 8 })).toEqual({
      action: "set_config",
      config: { difficulty: 8 },
    });
    expect(control("set_config")).toEqual({ action: "set_config", config: {} });
  });
});

describe("validateSetConfig (worker-protocol §5.4)", () => {
  it.each([
    {},
    { difficulty: 1 },
    { difficulty: 1727 },
    { address: "0xA72B7D608c51B0FB4E21B75f37a41A3324f846a7" },
    { address: "0xa72b7d608c51b0fb4e21b75f37a41a3324f846a7" },
    { address: "0xA72B7D608C51B0FB4E21B75F37A41A3324F846A7" },
    { prefix: "" },
    { prefix: "0123456789abcdef" },
    { prefix: "a".repeat(48) },
    { block_pattern: "" },
    { block_pattern: "XEN11" },
    { block_pattern: "XN" },
    { block_pattern: "Az09+/Az09+/Az09" },
  ])("accepts %j", (config) => {
    expect(validateSetConfig(config)).toEqual(config);
  });

  it.each([
    ["difficulty 0", { difficulty: 0 }],
    ["negative difficulty", { difficulty: -1 }],
    ["fractional difficulty", { difficulty: 1.5 }],
    ["difficulty as string", { difficulty: "1727" }],
    ["difficulty null", { difficulty: null }],
    ["short address", { address: "0xA72B7D608c51B0FB4E21B75f37a41A3324f846a" }],
    ["address without 0x", { address: "A72B7D608c51B0FB4E21B75f37a41A3324f846a7" }],
    ["non-hex address", { address: "0xG72B7D608c51B0FB4E21B75f37a41A3324f846a7" }],
    ["address as number", { address: 1 }],
    ["uppercase prefix", { prefix: "ABCDEF" }],
    ["non-hex prefix", { prefix: "xyz" }],
    ["49-char prefix", { prefix: "a".repeat(49) }],
    ["prefix as number", { prefix: 123 }],
    ["17-char pattern", { block_pattern: "A".repeat(17) }],
    ["pattern with '-'", { block_pattern: "XEN-11" }],
    ["pattern with '='", { block_pattern: "XEN=" }],
    ["pattern with space", { block_pattern: "XEN 11" }],
    ["pattern as number", { block_pattern: 11 }],
    ["unknown key", { difficulty: 8, verbose: true }],
    ["misspelt key", { blockPattern: "XEN11" }],
    ["null config", null],
    ["array config", []],
    ["string config", "difficulty=8"],
  ])("refuses %s", (_label, config) => {
    expectValidation(() => validateSetConfig(config));
  });

  it("returns a fresh object", () => {
    const config = { difficulty: 8 };
    expect(validateSetConfig(config)).not.toBe(config);
  });
});
