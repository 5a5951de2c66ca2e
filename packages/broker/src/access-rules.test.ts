import { describe, expect, it } from "vitest";
import { checkConnect, checkPublish, checkSubscribe } from "./access-rules.js";

describe("checkConnect", () => {
  it("accepts worker client ids and other client ids, refuses invalid worker ids", () => {
    expect(checkConnect("xenminer_776536cd9695ca58")).toEqual({ ok: true, workerId: "776536cd9695ca58" });
    expect(checkConnect("dashboard")).toEqual({ ok: true, workerId: null });
    for (const bad of [
      "xenminer_",
      "xenminer_a/b",
      "xenminer_a+b",
      "xenminer_#",
      `xenminer_${"z".repeat(129)}`,
    ]) {
      expect(checkConnect(bad).ok).toBe(false);
    }
  });
});

describe("checkPublish", () => {
  const me = "xenminer_w1";
  it.each([
    ["xenminer/w1/register", me, { ok: true, workerId: "w1", suffix: "register" }],
    ["xenminer/w1/block", me, { ok: true, workerId: "w1", suffix: "block" }],
    ["xenminer/w2/heartbeat", me, { ok: false, reason: "client_id_mismatch" }],
    ["xenminer/w1/task", me, { ok: false, reason: "platform_topic" }],
    ["xenminer/w1/control", me, { ok: false, reason: "platform_topic" }],
    ["xenminer/w1/stats", me, { ok: false, reason: "bad_topic" }],
    ["xenminer/w1/heartbeat/extra", me, { ok: false, reason: "bad_topic" }],
    ["xenminer", me, { ok: false, reason: "bad_topic" }],
    ["xenminer/w1/heartbeat", "probe", { ok: false, reason: "not_a_worker" }],
    ["other/w1/heartbeat", me, { ok: false, reason: "foreign_topic" }],
    ["xenminerx/w1/heartbeat", me, { ok: false, reason: "foreign_topic" }],
    ["$SYS/broker", me, { ok: false, reason: "foreign_topic" }],
  ])("%s from %s", (topic, clientId, expected) => {
    expect(checkPublish(clientId, topic)).toEqual(expected);
  });
});

describe("checkSubscribe", () => {
  it("grants exactly the worker's own task and control", () => {
    expect(checkSubscribe("xenminer_w1", "xenminer/w1/task")).toBe(true);
    expect(checkSubscribe("xenminer_w1", "xenminer/w1/control")).toBe(true);
    for (const filter of [
      "xenminer/#",
      "xenminer/+/task",
      "xenminer/w2/task",
      "xenminer/w1/heartbeat",
      "#",
      "xenminer/w1/+",
    ]) {
      expect(checkSubscribe("xenminer_w1", filter)).toBe(false);
    }
    expect(checkSubscribe("probe", "xenminer/w1/task")).toBe(false);
  });
});
