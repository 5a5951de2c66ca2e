import { describe, expect, it } from "vitest";
import { type ParseInboundResult, parseInbound } from "./parse.js";

const ID = "776536cd9695ca58";
const topic = (suffix: string, id = ID) => `xenminer/${id}/${suffix}`;

// Copies of the shared vectors' payloads (vectors.test.ts checks the files themselves).
const register = {
  worker_id: ID,
  eth_address: "0x8d56DA55A9D91b40AfF945714b19E9DfDE32D9C2",
  gpu_count: 2,
  total_memory_gb: 48,
  gpus: [
    { index: 0, name: "NVIDIA GeForce RTX 4090", memory_gb: 24, bus_id: 1 },
    { index: 1, name: "NVIDIA GeForce RTX 4090", memory_gb: 24, bus_id: 33 },
  ],
  version: "2.0.0",
  timestamp: 1795788131,
};
const heartbeat = {
  worker_id: ID,
  hashrate: 4816.54,
  active_gpus: 2,
  accepted_blocks: 0,
  difficulty: 1727,
  address: "0x8d56DA55A9D91b40AfF945714b19E9DfDE32D9C2",
  prefix: "",
  block_pattern: "",
  uptime_sec: 454,
  timestamp: 1795788581,
};
const status = {
  worker_id: ID,
  state: "MINING",
  lease_id: "lease-01a21d56-94d3-74d0-a5fd-cb0423a2b71a",
  timestamp: 1795788543,
};
const offline = { worker_id: ID, status: "offline", timestamp: 1795788130 };
const block = {
  worker_id: ID,
  lease_id: "lease-01a21d56-94d3-74d0-a5fd-cb0423a2b71a",
  hash: "$argon2id$v=19$m=1727,t=1,p=1$KsnenUlEWaso/QnxAFbPodTGr0A$zrWary579C76CKmrZivYwzsuB+otb4wXEN11Zlgqc4e61H17MvLGTwc6XMh0WnprVYCRyW/6Ff6SNji1srn+hw",
  key: "0baa4a90372c24cf5e0c7d2b91a4f3086c1de7b24a9f05c3318e6d7a2b4c90f1",
  account: "0x2ac9de9d494459ab28fd09f10056cfa1d4c6af40",
  attempts: 3118363,
  hashrate: "2408.16",
  timestamp: 1795789422,
};

const valid = { register, heartbeat, status, block } as const;
type Suffix = keyof typeof valid;

function parse(suffix: Suffix, payload: unknown): ParseInboundResult {
  return parseInbound(topic(suffix), JSON.stringify(payload));
}

function without(obj: Record<string, unknown>, key: string): Record<string, unknown> {
  const { [key]: _dropped, ...rest } = obj;
  return rest;
}

function expectDrop(result: ParseInboundResult, reason: string): void {
  if (result.ok) throw new Error(`expected a drop (${reason}), got ${JSON.stringify(result.message)}`);
  expect(result.reason).toBe(reason);
  expect(result.detail.length).toBeGreaterThan(0);
}

describe("parseInbound: valid messages", () => {
  it.each(Object.keys(valid) as Suffix[])("%s parses and keeps its fields", (suffix) => {
    const r = parse(suffix, valid[suffix]);
    if (!r.ok) throw new Error(r.detail);
    expect(r.workerId).toBe(ID);
    expect(r.suffix).toBe(suffix);
    expect(r.message).toEqual(valid[suffix]);
  });

  it("accepts bytes, and a UTF-8 BOM", () => {
    const bytes = new TextEncoder().encode(JSON.stringify(status));
    expect(parseInbound(topic("status"), bytes).ok).toBe(true);
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...bytes]);
    expect(parseInbound(topic("status"), withBom).ok).toBe(true);
  });

  it("keeps extra fields everywhere", () => {
    for (const suffix of Object.keys(valid) as Suffix[]) {
      const r = parse(suffix, { ...valid[suffix], future_field: { nested: [1, 2] }, another: "x" });
      expect(r.ok && (r.message as Record<string, unknown>).future_field).toEqual({ nested: [1, 2] });
      expect(r.ok && (r.message as Record<string, unknown>).another).toBe("x");
    }
    const gpus = [{ ...register.gpus[0], uuid: "GPU-1234" }];
    const r = parse("register", { ...register, gpu_count: 1, gpus });
    expect(r.ok && r.suffix === "register" && r.message.gpus[0]).toEqual(gpus[0]);
  });

  it("accepts a heartbeat without the extra address/prefix/block_pattern", () => {
    const r = parse("heartbeat", without(without(without(heartbeat, "address"), "prefix"), "block_pattern"));
    expect(r.ok).toBe(true);
  });

  it("accepts an integer heartbeat hashrate, and zero", () => {
    expect(parse("heartbeat", { ...heartbeat, hashrate: 4816 }).ok).toBe(true);
    expect(parse("heartbeat", { ...heartbeat, hashrate: 0 }).ok).toBe(true);
  });

  it("accepts a register with no GPUs and the zero address (test mode)", () => {
    const r = parse("register", {
      ...register,
      eth_address: "0x0000000000000000000000000000000000000000",
      gpu_count: 0,
      total_memory_gb: 0,
      gpus: [],
    });
    expect(r.ok).toBe(true);
  });

  it("accepts every known state, with and without lease_id and detail", () => {
    for (const state of ["IDLE", "AVAILABLE", "LEASED", "MINING", "COMPLETED", "ERROR", "offline"]) {
      expect(parse("status", { worker_id: ID, state, timestamp: 1 }).ok).toBe(true);
      expect(parse("status", { worker_id: ID, state, lease_id: "l", detail: "d", timestamp: 1 }).ok).toBe(
        true,
      );
    }
  });

  it("normalises the offline variant to state offline", () => {
    const r = parse("status", offline);
    if (!r.ok || r.suffix !== "status") throw new Error("expected a status");
    expect(r.message.state).toBe("offline");
    expect(r.message).toEqual({ ...offline, state: "offline" });
  });

  it("accepts a self-mined block with an empty lease id and an EIP-55 account", () => {
    const r = parse("block", {
      ...block,
      lease_id: "",
      account: "0x8d56DA55A9D91b40AfF945714b19E9DfDE32D9C2",
    });
    expect(r.ok).toBe(true);
  });

  it("leaves block content checks (key format, hash format, account) to block-hash", () => {
    expect(parse("block", { ...block, key: "not-hex" }).ok).toBe(true);
    expect(parse("block", { ...block, hash: "deadbeef" }).ok).toBe(true);
    expect(parse("block", { ...block, account: "nonsense" }).ok).toBe(true);
    expect(parse("block", { ...block, key: "k".repeat(128), hash: "h".repeat(512) }).ok).toBe(true);
  });
});

describe("parseInbound: topics", () => {
  it.each([
    "xenminer/776536cd9695ca58/task",
    "xenminer/776536cd9695ca58/control",
    "xenminer/776536cd9695ca58/unknown",
    "xenminer/776536cd9695ca58",
    "xenminer/776536cd9695ca58/status/x",
    "xenminer/+/status",
    "other/776536cd9695ca58/status",
    "",
  ])("drops %j as bad_topic", (t) => {
    expectDrop(parseInbound(t, JSON.stringify(status)), "bad_topic");
  });
});

describe("parseInbound: JSON", () => {
  it.each(["", "{", "{'a':1}", "undefined", "NaN", '{"worker_id":"a",}', "\u0000"])(
    "drops %j as invalid_json",
    (text) => {
      expectDrop(parseInbound(topic("status"), text), "invalid_json");
    },
  );

  it("drops invalid UTF-8 as invalid_json", () => {
    expectDrop(parseInbound(topic("status"), new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])), "invalid_json");
  });

  it.each(["null", "42", "true", '"status"', "[]", JSON.stringify([status])])(
    "drops non-object %s as schema",
    (text) => {
      for (const suffix of Object.keys(valid)) expectDrop(parseInbound(topic(suffix), text), "schema");
    },
  );
});

describe("parseInbound: identity", () => {
  it.each(Object.keys(valid) as Suffix[])("%s with another worker_id is a mismatch", (suffix) => {
    expectDrop(parse(suffix, { ...valid[suffix], worker_id: "other" }), "worker_id_mismatch");
    expectDrop(parse(suffix, { ...valid[suffix], worker_id: `${ID} ` }), "worker_id_mismatch");
    expectDrop(parse(suffix, { ...valid[suffix], worker_id: ID.toUpperCase() }), "worker_id_mismatch");
  });

  it("checks identity before the rest of the schema", () => {
    expectDrop(parse("block", { worker_id: "spoofed" }), "worker_id_mismatch");
  });

  it.each(Object.keys(valid) as Suffix[])("%s without a string worker_id is a schema failure", (suffix) => {
    expectDrop(parse(suffix, without(valid[suffix], "worker_id")), "schema");
    expectDrop(parse(suffix, { ...valid[suffix], worker_id: 776536 }), "schema");
    expectDrop(parse(suffix, { ...valid[suffix], worker_id: null }), "schema");
  });

  it("works for unusual but valid ids", () => {
    const id = "rig 7 ü";
    const r = parseInbound(topic("status", id), JSON.stringify({ ...status, worker_id: id }));
    expect(r.ok && r.workerId).toBe(id);
  });
});

describe("parseInbound: schema rules", () => {
  const requiredFields: Record<Suffix, string[]> = {
    register: ["eth_address", "gpu_count", "total_memory_gb", "gpus", "version", "timestamp"],
    heartbeat: ["hashrate", "active_gpus", "accepted_blocks", "difficulty", "uptime_sec", "timestamp"],
    status: ["state", "timestamp"],
    block: ["lease_id", "hash", "key", "account", "attempts", "hashrate", "timestamp"],
  };

  for (const suffix of Object.keys(requiredFields) as Suffix[]) {
    it.each(requiredFields[suffix])(`${suffix} without %s is refused`, (field) => {
      expectDrop(parse(suffix, without(valid[suffix], field)), "schema");
    });
  }

  const wrongTypes: [Suffix, string, unknown][] = [
    ["register", "eth_address", 123],
    ["register", "eth_address", "0x1234"],
    ["register", "eth_address", "8d56DA55A9D91b40AfF945714b19E9DfDE32D9C2"],
    ["register", "eth_address", "0x8d56DA55A9D91b40AfF945714b19E9DfDE32D9CZ"],
    ["register", "gpu_count", "2"],
    ["register", "gpu_count", 2.5],
    ["register", "gpu_count", -1],
    ["register", "total_memory_gb", 48.5],
    ["register", "gpus", {}],
    ["register", "gpus", "RTX 4090"],
    ["register", "gpus", [{ index: 0, name: "RTX", memory_gb: 24 }]],
    ["register", "gpus", [{ index: "0", name: "RTX", memory_gb: 24, bus_id: 1 }]],
    ["register", "gpus", [{ index: 0, name: 4090, memory_gb: 24, bus_id: 1 }]],
    ["register", "gpus", [{ index: 0, name: "RTX", memory_gb: 23.5, bus_id: 1 }]],
    ["register", "gpus", [null]],
    ["register", "version", 2],
    ["register", "timestamp", "1795788131"],
    ["register", "timestamp", 1795788131.5],
    ["heartbeat", "hashrate", "4816.54"],
    ["heartbeat", "hashrate", null],
    ["heartbeat", "hashrate", -1],
    ["heartbeat", "active_gpus", 1.5],
    ["heartbeat", "accepted_blocks", "0"],
    ["heartbeat", "difficulty", 1727.1],
    ["heartbeat", "uptime_sec", true],
    ["heartbeat", "address", 0],
    ["heartbeat", "prefix", null],
    ["heartbeat", "block_pattern", 11],
    ["heartbeat", "timestamp", -5],
    ["status", "state", "BUSY"],
    ["status", "state", "available"],
    ["status", "state", "OFFLINE"],
    ["status", "state", ""],
    ["status", "state", null],
    ["status", "state", 1],
    ["status", "lease_id", 123],
    ["status", "lease_id", null],
    ["status", "detail", {}],
    ["status", "timestamp", "now"],
    ["block", "hashrate", 2408.16],
    ["block", "hash", ""],
    ["block", "hash", "h".repeat(513)],
    ["block", "hash", 1],
    ["block", "key", ""],
    ["block", "key", "k".repeat(129)],
    ["block", "key", 123],
    ["block", "account", null],
    ["block", "attempts", -1],
    ["block", "attempts", 1.5],
    ["block", "attempts", "3118363"],
    ["block", "lease_id", null],
    ["block", "lease_id", 0],
    ["block", "timestamp", 1.25],
  ];

  it.each(wrongTypes)("%s.%s = %j is refused", (suffix, field, value) => {
    expectDrop(parse(suffix, { ...valid[suffix], [field]: value }), "schema");
  });

  it("refuses offline-variant look-alikes", () => {
    expectDrop(parse("status", { ...offline, status: "online" }), "schema");
    expectDrop(parse("status", { ...offline, status: "OFFLINE" }), "schema");
    expectDrop(parse("status", without(offline, "timestamp")), "schema");
    expectDrop(parse("status", { ...offline, timestamp: "1795788130" }), "schema");
    expectDrop(parse("status", { worker_id: ID, timestamp: 1 }), "schema");
    // With a `state` key the message is a regular status: an unknown state cannot hide behind `status`.
    expectDrop(parse("status", { ...offline, state: "BOGUS" }), "schema");
    expectDrop(parse("status", { ...offline, state: null }), "schema");
  });

  it("a regular status that also carries status:offline keeps its own state", () => {
    const r = parse("status", { ...offline, state: "AVAILABLE" });
    expect(r.ok && r.suffix === "status" && r.message.state).toBe("AVAILABLE");
  });

  it("never throws, whatever the payload", () => {
    const payloads = [
      "{}",
      '{"worker_id":{}}',
      '{"__proto__":{"x":1}}',
      '{"constructor":1}',
      "1e999",
      '"\\ud800"',
    ];
    for (const suffix of ["register", "heartbeat", "status", "block", "task", "x"]) {
      for (const p of payloads) expect(() => parseInbound(topic(suffix), p)).not.toThrow();
    }
  });
});

describe("control characters", () => {
  it("drops a payload with a control character in any string, nested or not", () => {
    const status = (leaseId: string) =>
      parseInbound(
        "xenminer/w-1/status",
        JSON.stringify({ worker_id: "w-1", state: "MINING", lease_id: leaseId, timestamp: 1 }),
      );
    expect(status("lease-\u0000")).toMatchObject({ ok: false, reason: "schema" });
    expect(status("lease-\n")).toMatchObject({ ok: false, reason: "schema" });
    expect(status("lease-ok")).toMatchObject({ ok: true });
    const register = parseInbound(
      "xenminer/w-1/register",
      JSON.stringify({
        worker_id: "w-1",
        eth_address: "0x8d56DA55A9D91b40AfF945714b19E9DfDE32D9C2",
        gpu_count: 1,
        total_memory_gb: 24,
        gpus: [{ index: 0, name: "RTX\u00004090", memory_gb: 24, bus_id: 1 }],
        version: "2.0.0",
        timestamp: 1,
      }),
    );
    expect(register).toMatchObject({ ok: false, reason: "schema" });
  });
});
