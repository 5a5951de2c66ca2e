import { Counters, type Inbound } from "@xenblocks/core";
import { describe, expect, it } from "vitest";
import { createInboundPipeline } from "./inbound-pipeline.js";
import type { WorkerInbox } from "./inbox.js";
import { type Logger, silentLogger } from "./logger.js";

const ok: Inbound = { accepted: true };
const heartbeat = {
  worker_id: "w1",
  hashrate: 10,
  active_gpus: 1,
  accepted_blocks: 0,
  difficulty: 1727,
  uptime_sec: 5,
  timestamp: 1,
};

function setup(inbox: Partial<WorkerInbox> = {}, logger: Logger = silentLogger) {
  const counters = new Counters();
  const full: WorkerInbox = {
    onRegister: async () => ok,
    onHeartbeat: async () => ok,
    onStatus: async () => ok,
    onBlock: async () => ok,
    onDisconnect: async () => {},
    ...inbox,
  };
  return { counters, pipeline: createInboundPipeline({ inbox: full, counters, logger }) };
}

const bytes = (v: unknown) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v));

describe("inbound pipeline", () => {
  it("hands a valid message to the inbox and reports what it was", async () => {
    const { counters, pipeline } = setup();
    const outcome = await pipeline.handle("xenminer/w1/heartbeat", bytes(heartbeat), { retained: false });
    expect(outcome).toEqual({
      kind: "handled",
      workerId: "w1",
      suffix: "heartbeat",
      offline: false,
      accepted: true,
    });
    expect(counters.get("mqtt_inbound_total", "heartbeat")).toBe(1);
  });

  it("passes the retain flag of a status through and marks offline statuses", async () => {
    const seen: boolean[] = [];
    const { pipeline } = setup({
      onStatus: async (_m, o) => {
        seen.push(o.retained);
        return { accepted: false, reason: "retained" };
      },
    });
    const will = { worker_id: "w1", status: "offline", timestamp: 1 };
    const outcome = await pipeline.handle("xenminer/w1/status", bytes(will), { retained: true });
    expect(seen).toEqual([true]);
    expect(outcome).toMatchObject({ kind: "handled", offline: true, accepted: false, reason: "retained" });
  });

  it.each([
    ["xenminer/w1/heartbeat", "{oops", "invalid_json"],
    ["xenminer/w1/heartbeat", { ...heartbeat, hashrate: "x" }, "schema"],
    ["xenminer/w1/heartbeat", [1, 2], "schema"],
    ["xenminer/w1/heartbeat", { ...heartbeat, worker_id: "w2" }, "worker_id_mismatch"],
    ["xenminer/w1/heartbeat", Buffer.from([0xff, 0xfe]), "invalid_json"],
    ["xenminer/w1/nope", heartbeat, "bad_topic"],
  ])("drops %s %j as %s and counts it", async (topic, payload, reason) => {
    const { counters, pipeline } = setup();
    const body = Buffer.isBuffer(payload) ? payload : bytes(payload);
    const outcome = await pipeline.handle(topic, body, { retained: false });
    expect(outcome).toMatchObject({ kind: "dropped", reason });
    expect(counters.get("mqtt_dropped_total", reason)).toBe(1);
  });

  it("drops a retained replay of anything but a status", async () => {
    const { counters, pipeline } = setup();
    const outcome = await pipeline.handle("xenminer/w1/heartbeat", bytes(heartbeat), { retained: true });
    expect(outcome).toMatchObject({ kind: "dropped", reason: "retained" });
    expect(counters.get("mqtt_inbound_total", "heartbeat")).toBe(0);
  });

  it("counts identity drops as spoofs too", async () => {
    const { counters, pipeline } = setup();
    await pipeline.handle("xenminer/w1/heartbeat", bytes({ ...heartbeat, worker_id: "w2" }), {
      retained: false,
    });
    await pipeline.handle("xenminer/w1/heartbeat", bytes("{bad"), { retained: false });
    expect(counters.get("mqtt_spoof_dropped_total", "worker_id_mismatch")).toBe(1);
    expect(counters.get("mqtt_spoof_dropped_total", "invalid_json")).toBe(0);
  });

  it("turns a throwing handler into a counted failure and logs it at a bounded rate", async () => {
    const lines: string[] = [];
    const logger: Logger = { info: () => {}, warn: (m) => lines.push(m) };
    const { counters, pipeline } = setup(
      {
        onHeartbeat: async () => {
          throw new Error("db down");
        },
      },
      logger,
    );
    for (let i = 0; i < 3; i++) {
      expect(await pipeline.handle("xenminer/w1/heartbeat", bytes(heartbeat), { retained: false })).toEqual({
        kind: "failed",
        error: "db down",
      });
    }
    expect(counters.get("mqtt_handler_failed_total", "heartbeat")).toBe(3);
    expect(lines).toEqual(["mqtt handler failed"]);
  });
});
