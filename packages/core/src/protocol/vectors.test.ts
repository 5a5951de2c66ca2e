// The shared test vectors (shared/vectors, beside the repository root) against parsers and builders.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { classifyHash, isBlockKey, parseEncodedArgon2id, saltMatchesAccount } from "./block-hash.js";
import { assignTask, control, registerAck, release } from "./builders.js";
import { parseInbound } from "./parse.js";
import {
  assignTaskSchema,
  type BlockMessage,
  controlSchema,
  registerAckSchema,
  releaseSchema,
} from "./schemas.js";
import { clientIdFor, isInboundSuffix, isOutboundSuffix, parseTopic } from "./topics.js";

// src/protocol → src → core → packages → repository root → its parent, which holds shared/.
const VECTORS_DIR = new URL("../../../../../shared/vectors/", import.meta.url);

type Vector = {
  topic: string;
  direction: "worker_to_platform" | "platform_to_worker";
  retain: boolean;
  payload: Record<string, unknown>;
  notes: string;
};

const files = readdirSync(VECTORS_DIR)
  .filter((f) => f.endsWith(".json"))
  .sort();
const vectors = new Map<string, Vector>(
  files.map((f) => [
    f.replace(/\.json$/, ""),
    JSON.parse(readFileSync(new URL(f, VECTORS_DIR), "utf8")) as Vector,
  ]),
);

function vector(name: string): Vector {
  const v = vectors.get(name);
  if (!v) throw new Error(`missing vector ${name}`);
  return v;
}

const WORKER_ID = "776536cd9695ca58";
const inbound = [...vectors].filter(([, v]) => v.direction === "worker_to_platform");
const outbound = [...vectors].filter(([, v]) => v.direction === "platform_to_worker");

describe("shared vectors", () => {
  it("are all present (README index)", () => {
    expect(files).toEqual(
      [
        "assign_task",
        "block",
        "block_lease_xuni",
        "block_self_mined_xuni",
        "control_pause",
        "control_resume",
        "control_set_config",
        "control_shutdown",
        "heartbeat",
        "register",
        "register_ack_accepted",
        "register_ack_rejected",
        "register_ack_reregister",
        "release",
        "status_available",
        "status_completed",
        "status_leased",
        "status_mining",
        "status_offline_shutdown",
        "status_offline_will",
      ].map((n) => `${n}.json`),
    );
    expect(inbound).toHaveLength(11);
    expect(outbound).toHaveLength(9);
  });

  it.each([...vectors])("%s has a worker topic matching its direction", (_name, v) => {
    const topic = parseTopic(v.topic);
    expect(topic).not.toBeNull();
    expect(topic?.workerId).toBe(WORKER_ID);
    const suffix = topic?.suffix ?? "";
    expect(v.direction === "worker_to_platform" ? isInboundSuffix(suffix) : isOutboundSuffix(suffix)).toBe(
      true,
    );
    expect(clientIdFor(WORKER_ID)).toBe("xenminer_776536cd9695ca58");
  });
});

describe("inbound vectors parse", () => {
  it.each(inbound)("%s (string payload)", (name, v) => {
    const r = parseInbound(v.topic, JSON.stringify(v.payload));
    if (!r.ok) throw new Error(`${name}: ${r.reason} ${r.detail}`);
    expect(r.workerId).toBe(WORKER_ID);
    expect(v.topic.endsWith(`/${r.suffix}`)).toBe(true);
    // Nothing is dropped: every field (extras included) survives, and only the offline variant gains `state`.
    const expected =
      "state" in v.payload || r.suffix !== "status" ? v.payload : { ...v.payload, state: "offline" };
    expect(r.message).toEqual(expected);
  });

  it.each(inbound)("%s (bytes payload)", (_name, v) => {
    const r = parseInbound(v.topic, new TextEncoder().encode(JSON.stringify(v.payload)));
    expect(r.ok).toBe(true);
  });

  it("reads both offline shapes as state offline", () => {
    for (const name of ["status_offline_will", "status_offline_shutdown"]) {
      const v = vector(name);
      const r = parseInbound(v.topic, JSON.stringify(v.payload));
      expect(r.ok && r.suffix === "status" && r.message.state).toBe("offline");
    }
    expect(vector("status_offline_will").retain).toBe(true);
    expect("state" in vector("status_offline_will").payload).toBe(false);
  });

  it("keeps the heartbeat's number hashrate and the block's string hashrate", () => {
    const hb = parseInbound(vector("heartbeat").topic, JSON.stringify(vector("heartbeat").payload));
    expect(hb.ok && hb.suffix === "heartbeat" && hb.message.hashrate).toBe(4816.54);
    const block = parseInbound(vector("block").topic, JSON.stringify(vector("block").payload));
    expect(block.ok && block.suffix === "block" && block.message.hashrate).toBe("2408.16");
  });
});

describe("outbound vectors equal the builders' output", () => {
  const built: Record<string, (p: Record<string, unknown>) => unknown> = {
    register_ack_accepted: (p) => registerAck(p.accepted as true),
    register_ack_rejected: (p) => registerAck(p.accepted as false, p.reason as "banned"),
    register_ack_reregister: (p) => registerAck(p.accepted as false, p.reason as "reregister"),
    assign_task: (p) =>
      assignTask({
        leaseId: p.lease_id as string,
        consumerId: p.consumer_id as string,
        consumerAddress: p.consumer_address as string,
        prefix: p.prefix as string,
        durationSec: p.duration_sec as number,
      }),
    release: (p) => release(p.lease_id as string),
    control_pause: (p) => control("pause", p.config),
    control_resume: (p) => control("resume", p.config),
    control_shutdown: (p) => control("shutdown", p.config),
    control_set_config: (p) => control("set_config", p.config),
  };

  it("covers every outbound vector", () => {
    expect(Object.keys(built).sort()).toEqual(outbound.map(([n]) => n).sort());
  });

  it.each(outbound)("%s", (name, v) => {
    const build = built[name];
    if (!build) throw new Error(`no builder for ${name}`);
    const message = build(v.payload);
    expect(message).toEqual(v.payload);
    // Same keys in the same order, so the bytes on the wire match the reference.
    expect(JSON.stringify(message)).toBe(JSON.stringify(v.payload));
  });

  it.each(outbound)("%s passes its outbound schema", (name, v) => {
    const suffix = parseTopic(v.topic)?.suffix;
    if (suffix === "control") {
      expect(controlSchema.safeParse(v.payload).success).toBe(true);
      return;
    }
    const schema = name.startsWith("register_ack")
      ? registerAckSchema
      : name === "assign_task"
        ? assignTaskSchema
        : releaseSchema;
    expect(schema.safeParse(v.payload).success).toBe(true);
  });

  it("sends control on control and tasks on task", () => {
    for (const [name, v] of outbound) {
      expect(parseTopic(v.topic)?.suffix).toBe(name.startsWith("control_") ? "control" : "task");
    }
  });
});

describe("block vectors: hash content", () => {
  const blocks: [string, BlockMessage, string][] = [
    ["block", vector("block").payload as BlockMessage, "normal"],
    ["block_lease_xuni", vector("block_lease_xuni").payload as BlockMessage, "xuni"],
    ["block_self_mined_xuni", vector("block_self_mined_xuni").payload as BlockMessage, "xuni"],
  ];

  it.each(blocks)("%s: encoded hash parses, salt matches account, class %s", (_name, b, expectedClass) => {
    const parsed = parseEncodedArgon2id(b.hash);
    expect(parsed).not.toBeNull();
    if (!parsed) return;
    expect(parsed.memoryKiB).toBe(1727);
    expect(parsed.saltB64).toHaveLength(27);
    expect(parsed.hashedPure).toHaveLength(86);
    expect(saltMatchesAccount(parsed.saltB64, b.account)).toBe(true);
    expect(classifyHash(parsed.hashedPure)).toBe(expectedClass);
    expect(isBlockKey(b.key)).toBe(true);
  });

  it("the normal block has XEN11 but fewer than 50 uppercase letters (27)", () => {
    const parsed = parseEncodedArgon2id((vector("block").payload as BlockMessage).hash);
    expect(parsed?.hashedPure.match(/[A-Z]/g)?.length).toBe(27);
  });

  it("the salts differ between renter and owner, and do not cross-match", () => {
    const lease = parseEncodedArgon2id((vector("block").payload as BlockMessage).hash);
    const self = parseEncodedArgon2id((vector("block_self_mined_xuni").payload as BlockMessage).hash);
    expect(lease?.saltB64).toBe("KsnenUlEWaso/QnxAFbPodTGr0A");
    expect(saltMatchesAccount(lease?.saltB64 ?? "", "0x8d56DA55A9D91b40AfF945714b19E9DfDE32D9C2")).toBe(
      false,
    );
    expect(saltMatchesAccount(self?.saltB64 ?? "", "0x8d56da55a9d91b40aff945714b19e9dfde32d9c2")).toBe(true);
    expect(saltMatchesAccount(self?.saltB64 ?? "", "0x2ac9de9d494459ab28fd09f10056cfa1d4c6af40")).toBe(false);
  });

  it("cross-file checks of the README hold", () => {
    const assign = vector("assign_task").payload;
    for (const name of ["block", "block_lease_xuni"]) {
      const b = vector(name).payload as BlockMessage;
      expect(b.key.startsWith(assign.prefix as string)).toBe(true);
      expect(b.account).toBe(assign.consumer_address);
      expect(b.lease_id).toBe(assign.lease_id);
    }
    expect((vector("block_self_mined_xuni").payload as BlockMessage).lease_id).toBe("");
    expect(vector("status_mining").payload.lease_id).toBe(assign.lease_id);
    expect(vector("status_completed").payload.lease_id).toBe(assign.lease_id);
    expect("lease_id" in vector("status_leased").payload).toBe(false);
    expect(vector("release").payload.lease_id).toBe(assign.lease_id);
  });
});
