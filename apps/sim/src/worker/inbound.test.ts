import { describe, expect, it } from "vitest";
import { decodeInbound, isAcceptedPrefixLength, readAssignTask, readSetConfig } from "./inbound.js";

describe("decodeInbound (dispatch by payload, nlohmann semantics)", () => {
  it("routes on `command`, everything else is control keyed on `action`", () => {
    expect(decodeInbound('{"command":"register_ack","accepted":true}')).toEqual({
      ok: true,
      inbound: { kind: "register_ack", accepted: true, reason: "" },
    });
    expect(decodeInbound('{"command":"release","lease_id":"l"}')).toMatchObject({
      inbound: { kind: "release", leaseId: "l" },
    });
    // An unknown command falls through to control (with an empty action: a no-op).
    expect(decodeInbound('{"command":"reboot"}')).toMatchObject({ inbound: { kind: "control", action: "" } });
    expect(decodeInbound('{"action":"pause","config":{}}')).toMatchObject({
      inbound: { kind: "control", action: "pause", config: {} },
    });
  });

  it("reads a missing `accepted` as false, and a missing reason as `unknown`", () => {
    expect(decodeInbound('{"command":"register_ack"}')).toMatchObject({
      inbound: { accepted: false, reason: "unknown" },
    });
  });

  it("drops invalid JSON, non-objects, invalid UTF-8 and wrong types (null included)", () => {
    for (const payload of [
      "{",
      "[1]",
      "42",
      "null",
      new Uint8Array([0x7b, 0xff, 0x7d]),
      '{"command":5}',
      '{"command":"register_ack","accepted":1}',
      '{"command":"register_ack","accepted":null}',
      '{"command":"register_ack","accepted":false,"reason":3}',
      '{"command":"release","lease_id":null}',
      '{"action":["pause"]}',
    ]) {
      expect(decodeInbound(payload).ok, String(payload)).toBe(false);
    }
    // The reason is only read on a rejection.
    expect(decodeInbound('{"command":"register_ack","accepted":true,"reason":3}').ok).toBe(true);
  });
});

describe("readAssignTask", () => {
  const full = {
    command: "assign_task",
    lease_id: "l",
    consumer_id: "c",
    consumer_address: "0xabc",
    prefix: "0baa4a90372c24cf",
    duration_sec: 60,
  };

  it("requires the three ids as strings and defaults prefix and duration", () => {
    expect(readAssignTask(full)).toEqual({
      leaseId: "l",
      consumerId: "c",
      consumerAddress: "0xabc",
      prefix: "0baa4a90372c24cf",
      durationSec: 60,
    });
    const { prefix: _p, duration_sec: _d, ...minimal } = full;
    expect(readAssignTask(minimal)).toMatchObject({ prefix: "", durationSec: 3600 });
    for (const key of ["lease_id", "consumer_id", "consumer_address"] as const) {
      const { [key]: _, ...missing } = full;
      expect(typeof readAssignTask(missing)).toBe("string");
    }
  });

  it("converts numbers like C++ (a float truncates, a boolean counts) and refuses strings", () => {
    expect(readAssignTask({ ...full, duration_sec: 90.9 })).toMatchObject({ durationSec: 90 });
    expect(readAssignTask({ ...full, duration_sec: true })).toMatchObject({ durationSec: 1 });
    expect(typeof readAssignTask({ ...full, duration_sec: "60" })).toBe("string");
    expect(typeof readAssignTask({ ...full, prefix: null })).toBe("string");
  });

  it("accepts prefixes of 0 or 16 bytes without checking hex (H10)", () => {
    expect(isAcceptedPrefixLength("")).toBe(true);
    expect(isAcceptedPrefixLength("zzzzzzzzzzzzzzzz")).toBe(true);
    expect(isAcceptedPrefixLength("0baa4a90")).toBe(false);
    expect(isAcceptedPrefixLength("é".repeat(8))).toBe(true); // 16 UTF-8 bytes
  });
});

describe("readSetConfig", () => {
  it("applies in the worker's order and stops at the first wrong type", () => {
    expect(readSetConfig({ block_pattern: "XN", prefix: "ab", address: "0x1", difficulty: 8 })).toEqual({
      update: { difficulty: 8, address: "0x1", prefix: "ab", blockPattern: "XN" },
    });
    expect(readSetConfig({ difficulty: 8, address: 1, prefix: "ab" })).toEqual({
      update: { difficulty: 8 },
      stoppedAt: "address",
    });
    expect(readSetConfig({ difficulty: "8", prefix: "ab" })).toEqual({ update: {}, stoppedAt: "difficulty" });
    expect(readSetConfig(undefined)).toEqual({ update: {} });
  });
});
