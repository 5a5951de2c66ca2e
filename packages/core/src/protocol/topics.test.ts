import { describe, expect, it } from "vitest";
import { DomainError } from "../errors.js";
import {
  CLIENT_ID_PREFIX,
  clientIdFor,
  formatTopic,
  INBOUND_SUFFIXES,
  isInboundSuffix,
  isOutboundSuffix,
  isValidWorkerId,
  OUTBOUND_SUFFIXES,
  parseTopic,
  TOPIC_ROOT,
  type TopicSuffix,
  workerIdFromClientId,
} from "./topics.js";

describe("isValidWorkerId", () => {
  it.each([
    "776536cd9695ca58",
    "a",
    "rig-01.local_A",
    "x".repeat(128),
    "日本語のリグ",
    "😀".repeat(128), // 128 code points, 256 UTF-16 units
    "with space",
    "$argon",
  ])("accepts %j", (id) => {
    expect(isValidWorkerId(id)).toBe(true);
  });

  it.each([
    ["empty", ""],
    ["129 characters", "x".repeat(129)],
    ["129 astral characters", "😀".repeat(129)],
    ["slash", "a/b"],
    ["plus wildcard", "a+b"],
    ["hash wildcard", "a#"],
    ["lone +", "+"],
    ["lone #", "#"],
    ["NUL", "a\u0000b"],
    ["newline", "a\nb"],
    ["tab", "a\tb"],
    ["DEL", "a\u007fb"],
    ["C1 control", "a\u0085b"],
    ["lone surrogate", "a\ud800b"],
  ])("refuses %s", (_label, id) => {
    expect(isValidWorkerId(id)).toBe(false);
  });

  it("refuses non-strings", () => {
    for (const id of [undefined, null, 42, {}, ["a"]]) expect(isValidWorkerId(id)).toBe(false);
  });
});

describe("parseTopic", () => {
  it("splits every known suffix", () => {
    for (const suffix of [...INBOUND_SUFFIXES, ...OUTBOUND_SUFFIXES]) {
      expect(parseTopic(`xenminer/776536cd9695ca58/${suffix}`)).toEqual({
        workerId: "776536cd9695ca58",
        suffix,
      });
    }
  });

  it.each([
    "",
    "xenminer",
    "xenminer/",
    "xenminer//status",
    "xenminer/abc",
    "xenminer/abc/",
    "xenminer/abc/status/",
    "xenminer/abc/status/extra",
    "/xenminer/abc/status",
    "xenminer/abc/Status",
    "xenminer/abc/stats",
    "xenminer/abc/unknown",
    "xenminer/+/status",
    "xenminer/#",
    "xenminer/abc/#",
    "xenminer/a#b/status",
    "Xenminer/abc/status",
    "other/abc/status",
    "xenminer_abc/status",
    `xenminer/${"x".repeat(129)}/status`,
    "xenminer/a\u0000b/status",
  ])("refuses %j", (topic) => {
    expect(parseTopic(topic)).toBeNull();
  });

  it("accepts the longest valid id", () => {
    const id = "x".repeat(128);
    expect(parseTopic(`xenminer/${id}/block`)).toEqual({ workerId: id, suffix: "block" });
  });
});

describe("formatTopic", () => {
  it("round-trips with parseTopic", () => {
    for (const suffix of [...INBOUND_SUFFIXES, ...OUTBOUND_SUFFIXES]) {
      const topic = formatTopic("rig-1", suffix);
      expect(topic).toBe(`${TOPIC_ROOT}/rig-1/${suffix}`);
      expect(parseTopic(topic)).toEqual({ workerId: "rig-1", suffix });
    }
  });

  it("refuses ids that would break the topic", () => {
    for (const id of ["", "a/b", "+", "#", "x".repeat(129)]) {
      expect(() => formatTopic(id, "task")).toThrow(DomainError);
    }
    expect(() => formatTopic("rig", "bogus" as TopicSuffix)).toThrow(DomainError);
  });
});

describe("suffix kinds", () => {
  it("separates inbound from outbound", () => {
    expect(INBOUND_SUFFIXES.every(isInboundSuffix)).toBe(true);
    expect(OUTBOUND_SUFFIXES.every(isOutboundSuffix)).toBe(true);
    expect(INBOUND_SUFFIXES.some(isOutboundSuffix)).toBe(false);
    expect(OUTBOUND_SUFFIXES.some(isInboundSuffix)).toBe(false);
    expect(isInboundSuffix("task")).toBe(false);
    expect(isInboundSuffix("")).toBe(false);
  });
});

describe("client ids", () => {
  it("prefixes xenminer_", () => {
    expect(CLIENT_ID_PREFIX).toBe("xenminer_");
    expect(clientIdFor("776536cd9695ca58")).toBe("xenminer_776536cd9695ca58");
  });

  it("recovers the worker id", () => {
    expect(workerIdFromClientId("xenminer_776536cd9695ca58")).toBe("776536cd9695ca58");
    expect(workerIdFromClientId(clientIdFor("x".repeat(128)))).toBe("x".repeat(128));
    expect(workerIdFromClientId("xenminer_a_b")).toBe("a_b");
  });

  it.each([
    "",
    "xenminer_",
    "xenminer",
    "xenminer-abc",
    "Xenminer_abc",
    "simulator_abc",
    "xenminer_a/b",
    "xenminer_a+b",
    "xenminer_#",
    `xenminer_${"x".repeat(129)}`,
  ])("refuses %j", (clientId) => {
    expect(workerIdFromClientId(clientId)).toBeNull();
  });
});
