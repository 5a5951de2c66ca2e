import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { addressBytes, assignTask, base64NoPad, control, parseEncodedArgon2id } from "@xenblocks/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CONSUMER,
  LEASE_PREFIX,
  ManualBlockSource,
  OWNER,
  sleep,
  waitUntil,
} from "./testing/test-platform.js";
import { WorkerHarness } from "./testing/worker-harness.js";

let h: WorkerHarness;
beforeAll(async () => {
  h = await WorkerHarness.create();
});
afterAll(async () => {
  await h.dispose();
});

const lease = (leaseId: string) =>
  assignTask({
    leaseId,
    consumerId: CONSUMER,
    consumerAddress: CONSUMER,
    prefix: LEASE_PREFIX,
    durationSec: 3600,
  });

/** Lets the worker's mining loop pick up its next job, then finds a block for it. */
async function findBlock(source: ManualBlockSource, blockType: "normal" | "xuni" = "normal"): Promise<void> {
  await waitUntil(() => source.current !== null, 2000, "a mining job");
  source.find({ blockType });
}

describe.concurrent("block reports", () => {
  it("self-mined in AVAILABLE: lease_id '', own address, no key prefix; the vector's shape", async () => {
    const source = new ManualBlockSource();
    const w = await h.spawn("self", { miner: source.source });
    const mark = h.platform.mark();
    await findBlock(source);
    const block = await h.platform.waitFor(w.workerId, (r) => r.suffix === "block", { since: mark });
    expect(Object.keys(block.payload)).toEqual([
      "worker_id",
      "lease_id",
      "hash",
      "key",
      "account",
      "attempts",
      "hashrate",
      "timestamp",
    ]);
    expect(block.payload).toMatchObject({
      worker_id: w.workerId,
      lease_id: "",
      account: OWNER,
      attempts: 1000,
    });
    expect(block.payload.key).toMatch(/^[0-9a-f]{64}$/);
    expect(block.payload.hashrate).toMatch(/^\d+\.\d{2}$/);
    const encoded = parseEncodedArgon2id(String(block.payload.hash));
    expect(encoded).toMatchObject({ memoryKiB: 1727, saltB64: base64NoPad(addressBytes(OWNER)!) });
    expect(encoded!.hashedPure).toContain("XEN11");
    expect(source.jobs[0]).toMatchObject({ account: OWNER, keyPrefix: "", memoryKiB: 1727, marker: "XEN11" });
  });

  it("follows set_config: payout address, key prefix, marker and difficulty", async () => {
    const source = new ManualBlockSource();
    const w = await h.spawn("self-config", { miner: source.source });
    const address = "0xA72B7D608c51B0FB4E21B75f37a41A3324f846a7";
    const config = { difficulty: 64, address, prefix: "abcdef01", block_pattern: "XN" };
    await h.platform.send(w.workerId, "control", control("set_config", config));
    await waitUntil(() => source.current?.account === address, 2000, "a job for the new address");
    expect(source.current).toMatchObject({ keyPrefix: "abcdef01", memoryKiB: 64, marker: "XN" });
    const mark = h.platform.mark();
    source.find();
    const block = await h.platform.waitFor(w.workerId, (r) => r.suffix === "block", { since: mark });
    expect(block.payload).toMatchObject({ lease_id: "", account: address });
    expect(String(block.payload.key).startsWith("abcdef01")).toBe(true);
  });

  it("in MINING: the lease id, the consumer address as sent, keys starting with the lease prefix", async () => {
    const source = new ManualBlockSource();
    const w = await h.spawn("lease-block", { miner: source.source });
    const mark = h.platform.mark();
    await h.platform.send(w.workerId, "task", lease("lease-b1"));
    await h.platform.waitForStatus(w.workerId, "MINING", mark);
    await waitUntil(() => source.current?.account === CONSUMER, 2000, "the lease job");
    source.find();
    const block = await h.platform.waitFor(w.workerId, (r) => r.suffix === "block", { since: mark });
    expect(block.payload).toMatchObject({ lease_id: "lease-b1", account: CONSUMER });
    expect(String(block.payload.key).startsWith(LEASE_PREFIX)).toBe(true);
    expect(String(block.payload.key)).toHaveLength(64);
  });

  it("found in IDLE or ERROR: never reported", async () => {
    const source = new ManualBlockSource();
    const w = await h.spawn("unreported", { miner: source.source, watchdogSec: 5 });
    const mark = h.platform.mark();
    await h.platform.send(w.workerId, "control", control("pause"));
    await h.platform.waitForStatus(w.workerId, "IDLE", mark);
    await findBlock(source);
    await h.platform.send(w.workerId, "task", { command: "register_ack", accepted: false, reason: "banned" });
    await h.platform.waitForStatus(w.workerId, "ERROR", mark);
    await findBlock(source);
    await sleep(150);
    expect(h.platform.from(w.workerId, "block")).toEqual([]);
    expect(w.blocksFound).toBe(2);
    expect(w.blocksReported).toBe(0);
  });

  it("xuni counts only in minutes 0-4 and 55-59 of the local hour", async () => {
    let clock = new Date(2026, 0, 1, 12, 30).getTime();
    const source = new ManualBlockSource();
    const w = await h.spawn("xuni", { miner: source.source, now: () => clock });
    await findBlock(source, "xuni");
    await sleep(100);
    expect(w.blocksFound).toBe(0);
    clock = new Date(2026, 0, 1, 12, 57).getTime();
    const mark = h.platform.mark();
    await findBlock(source, "xuni");
    const block = await h.platform.waitFor(w.workerId, (r) => r.suffix === "block", { since: mark });
    expect(String(block.payload.hash)).toMatch(/XUNI\d/);
  });
});

// Sequential: the tests share the fake chain server and its request log.
describe("chain submission", () => {
  type Reply = { status: number; body: string };
  let server: Server;
  let url: string;
  const requests: Record<string, unknown>[] = [];
  let replies: Reply[] = [];

  beforeAll(async () => {
    server = createServer(async (req: IncomingMessage, res) => {
      let body = "";
      for await (const chunk of req) body += chunk;
      requests.push(JSON.parse(body) as Record<string, unknown>);
      const reply = replies.shift() ?? { status: 200, body: '{"status":"success"}' };
      res.writeHead(reply.status, { "content-type": "application/json" }).end(reply.body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it("posts /verify after the MQTT report and counts accepted blocks in heartbeats", async () => {
    requests.length = 0;
    replies = [{ status: 409, body: '{"status":"error","message":"Key already exists"}' }];
    const source = new ManualBlockSource();
    const w = await h.spawn("chain", {
      miner: source.source,
      fixedDifficulty: false,
      chain: { url, pollDifficultySec: 0 },
    });
    const mark = h.platform.mark();
    await findBlock(source);
    await findBlock(source);
    await waitUntil(() => w.acceptedBlocks === 2 && w.chainPending === 0, 3000, "two accepted blocks");
    const [block] = h.platform.from(w.workerId, "block").map((r) => r.payload);
    expect(requests[0]).toEqual({
      hash_to_verify: block!.hash,
      key: block!.key,
      account: OWNER,
      attempts: String(block!.attempts),
      hashes_per_second: block!.hashrate,
      worker: w.workerId,
    });
    await h.platform.send(w.workerId, "control", control("set_config", {}));
    const hb = await h.platform.waitFor(w.workerId, (r) => r.suffix === "heartbeat", { since: mark });
    expect(hb.payload.accepted_blocks).toBe(2);
  });

  it("skips /verify in fixed-difficulty test mode", async () => {
    requests.length = 0;
    const source = new ManualBlockSource();
    const w = await h.spawn("chain-fixed", { miner: source.source, chain: { url, pollDifficultySec: 0 } });
    await findBlock(source);
    await waitUntil(() => w.blocksReported === 1);
    await sleep(100);
    expect(requests).toEqual([]);
  });
});
