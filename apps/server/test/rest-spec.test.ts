/**
 * The REST compatibility surface pinned against api.md §4 as a black-box client reads it: the exact
 * keys of WorkerRow / LeaseRow / BlockRow / SettlementRow and of each route's answer, float epoch
 * seconds, money as decimal strings, bare arrays, page shapes and defaults, error statuses and bodies,
 * and who may call what.
 */
import { connect, type MqttClient } from "mqtt";
import { afterEach, describe, expect, it } from "vitest";
import type { ServerConfig } from "../src/config.js";
import type { RunningServer } from "../src/server.js";
import { cleanups, runCleanups, signIn, startTestServer, startWorker, until } from "./helpers.js";

afterEach(runCleanups);

const OWNER = "0x89e457E13160B41beFE3650F244c51B8a08a1ac5";
const RENTER = "0x1111111111111111111111111111111111111111";
const STRANGER = "0x5555555555555555555555555555555555555555";
const POOR = "0x7777777777777777777777777777777777777777";
const ADMIN = "0xad00000000000000000000000000000000000001";
const MONEY = /^\d+\.\d{6}$/;

const WORKER_ROW = [
  "worker_id",
  "eth_address",
  "gpu_count",
  "total_memory_gb",
  "gpus",
  "version",
  "state",
  "online",
  "hashrate",
  "active_gpus",
  "last_heartbeat",
  "registered_at",
  "price_per_min",
  "price_per_sec",
  "min_duration_sec",
  "max_duration_sec",
  "listed",
  "self_blocks_found",
  "current_address",
  "current_prefix",
  "current_block_pattern",
  "reputation",
];
const LEASE_ROW = [
  "lease_id",
  "worker_id",
  "consumer_id",
  "consumer_address",
  "prefix",
  "duration_sec",
  "price_per_sec",
  "state",
  "reason",
  "created_at",
  "confirmed_at",
  "ended_at",
  "blocks_found",
  "avg_hashrate",
  "elapsed_sec",
];
const BLOCK_ROW = [
  "lease_id",
  "worker_id",
  "hash",
  "key",
  "account",
  "attempts",
  "hashrate",
  "block_type",
  "status",
  "reject_reason",
  "prefix_valid",
  "chain_verified",
  "chain_status",
  "chain_block_id",
  "timestamp",
];
const SETTLEMENT_ROW = [
  "lease_id",
  "consumer_id",
  "worker_id",
  "state",
  "duration_sec",
  "blocks_found",
  "total_cost",
  "provider_payment",
  "platform_fee",
  "refund",
  "settled_at",
];

const keys = (o: object) => Object.keys(o).sort();
const sorted = (list: string[]) => [...list].sort();

/** Float epoch seconds close to now (not ms). */
const isNowish = (t: unknown) => typeof t === "number" && Math.abs(t - Date.now() / 1000) < 600;

async function server(overrides: Partial<ServerConfig> = {}): Promise<RunningServer> {
  return startTestServer({ admins: [ADMIN], faucet: true, ...overrides });
}

async function keyFor(s: RunningServer, address: string): Promise<string> {
  const r = await s.platform.accounts.createApiKey({ address: address.toLowerCase(), via: "wallet" }, "k");
  if (!r.ok) throw r.error;
  return r.value.key;
}

interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers are inspected field by field
  body: any;
  headers: Headers;
  text: string;
}

function rest(s: RunningServer) {
  return async (
    method: string,
    path: string,
    options: { key?: string; token?: string; body?: unknown; accept?: string } = {},
  ): Promise<Answer> => {
    const headers: Record<string, string> = {};
    if (options.key) headers["x-api-key"] = options.key;
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.accept) headers.accept = options.accept;
    if (options.body !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(`http://127.0.0.1:${s.httpPort}${path}`, {
      method,
      headers,
      redirect: "manual",
      ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
    });
    const text = await res.text();
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = null;
    }
    return { status: res.status, body, headers: res.headers, text };
  };
}

/**
 * A bare worker on the embedded broker that registers, says AVAILABLE and heartbeats, and never
 * answers a task: a lease rented on it stays `pending`.
 */
async function silentWorker(s: RunningServer, workerId: string, owner: string): Promise<MqttClient> {
  const client = connect(`mqtt://127.0.0.1:${s.mqttPort}`, {
    clientId: `xenminer_${workerId}`,
    reconnectPeriod: 0,
  });
  cleanups.push(() => client.endAsync(true));
  await new Promise<void>((resolve, reject) => {
    client.once("connect", () => resolve());
    client.once("error", reject);
  });
  const now = () => Math.floor(Date.now() / 1000);
  const send = (suffix: string, payload: object) =>
    client.publishAsync(
      `xenminer/${workerId}/${suffix}`,
      JSON.stringify({ worker_id: workerId, ...payload }),
      {
        qos: 1,
      },
    );
  await send("register", {
    eth_address: owner,
    gpu_count: 1,
    total_memory_gb: 24,
    gpus: [{ index: 0, name: "NVIDIA GeForce RTX 4090", memory_gb: 24, bus_id: 1 }],
    version: "2.0.0",
    timestamp: now(),
  });
  await send("status", { state: "AVAILABLE", timestamp: now() });
  const beat = () =>
    send("heartbeat", {
      hashrate: 1000,
      active_gpus: 1,
      accepted_blocks: 0,
      difficulty: 8,
      uptime_sec: 1,
      timestamp: now(),
    });
  await beat();
  const timer = setInterval(() => void beat().catch(() => {}), 1000);
  client.once("close", () => clearInterval(timer));
  return client;
}

describe("REST §4 objects and answers", () => {
  it("WorkerRow has exactly its keys, state and per-minute prices; fleet, marketplace and provider rows add theirs", async () => {
    const s = await server();
    const api = rest(s);
    const owner = await keyFor(s, OWNER);
    const worker = await startWorker(s, "spec00000000000a", OWNER);

    const rowOf = async () =>
      ((await api("GET", "/api/workers")).body as Array<Record<string, unknown>>).find(
        (w) => w.worker_id === "spec00000000000a",
      );
    const row = await until("the worker AVAILABLE", async () => {
      const r = await rowOf();
      return r?.state === "AVAILABLE" && (r.hashrate as number) > 0 ? r : null;
    });
    expect(keys(row)).toEqual(sorted(WORKER_ROW));
    expect(row).toMatchObject({
      eth_address: OWNER,
      online: true,
      price_per_sec: "0.010000",
      price_per_min: "0.600000",
      min_duration_sec: 60,
      max_duration_sec: 86_400,
      listed: true,
      self_blocks_found: expect.any(Number),
    });
    expect(isNowish(row.last_heartbeat) && isNowish(row.registered_at)).toBe(true);
    const rep = row.reputation as Record<string, unknown>;
    expect(keys(rep)).toEqual(["breakdown", "score", "stars"]);
    expect(keys(rep.breakdown as object)).toEqual(["age", "blocks", "completion", "uptime"]);
    const gpus = row.gpus as Array<Record<string, unknown>>;
    expect(gpus.length).toBeGreaterThan(0);
    expect(keys(gpus[0] as object)).toEqual(["bus_id", "index", "memory_gb", "name"]);

    // Per-minute pricing: stored as round_half_up(per_min / 60), echoed as price_per_sec × 60.
    const put = await api("PUT", "/api/workers/spec00000000000a/pricing", {
      key: owner,
      body: { price_per_min: "1.2" },
    });
    expect(put.body).toEqual({
      worker_id: "spec00000000000a",
      price_per_min: "1.200000",
      price_per_sec: "0.020000",
      min_duration_sec: 60,
      max_duration_sec: 86_400,
    });
    expect(await rowOf()).toMatchObject({ price_per_min: "1.200000", price_per_sec: "0.020000" });
    const pricing = await api("GET", "/api/workers/spec00000000000a/pricing");
    expect(keys(pricing.body)).toEqual(
      sorted([
        "worker_id",
        "price_per_min",
        "price_per_sec",
        "min_duration_sec",
        "max_duration_sec",
        "gpu_count",
        "total_memory_gb",
        "hashrate",
      ]),
    );
    const suggest = await api("GET", "/api/workers/spec00000000000a/pricing/suggest");
    expect(keys(suggest.body)).toEqual(
      sorted([
        "worker_id",
        "suggested_price_per_min",
        "suggested_price_per_sec",
        "gpu_count",
        "total_memory_gb",
        "current_price_per_min",
      ]),
    );
    expect(suggest.body.current_price_per_min).toBe("1.200000");
    const reputation = await api("GET", "/api/workers/spec00000000000a/reputation");
    expect(keys(reputation.body)).toEqual(["breakdown", "score", "stars", "worker_id"]);

    // The fleet table: page style of WorkerRow + total_online_sec, limit 20 by default.
    const fleet = await api("GET", "/api/monitoring/fleet");
    expect(keys(fleet.body)).toEqual(["items", "limit", "page", "total", "total_pages"]);
    expect(fleet.body).toMatchObject({ page: 1, limit: 20, total: 1, total_pages: 1 });
    expect(keys(fleet.body.items[0])).toEqual(sorted([...WORKER_ROW, "total_online_sec"]));

    // The marketplace: limit 18 by default; WorkerRow + gpu_name, uptime_pct, blocks_mined.
    const market = await api("GET", "/api/marketplace?available_only=false");
    expect(keys(market.body)).toEqual(["items", "limit", "page", "total", "total_pages"]);
    expect(market.body).toMatchObject({ page: 1, limit: 18, total: 1, total_pages: 1 });
    expect(keys(market.body.items[0])).toEqual(
      sorted([...WORKER_ROW, "gpu_name", "uptime_pct", "blocks_mined"]),
    );
    // Booleans as Python's requests sends them (True/False), and yes/no, on/off; anything else is 422.
    const ids = (r: { body: { total: number; items: { worker_id: string }[] } }) => [
      r.body.total,
      ...r.body.items.map((i) => i.worker_id),
    ];
    expect(ids(await api("GET", "/api/marketplace?available_only=False"))).toEqual(ids(market));
    expect(ids(await api("GET", "/api/marketplace?available_only=off"))).toEqual(ids(market));
    const strict = ids(await api("GET", "/api/marketplace?available_only=true"));
    expect(ids(await api("GET", "/api/marketplace?available_only=True"))).toEqual(strict);
    expect(ids(await api("GET", "/api/marketplace?available_only=YES"))).toEqual(strict);
    const unclear = await api("GET", "/api/marketplace?available_only=maybe");
    expect(unclear.status).toBe(422);
    expect(unclear.body).toMatchObject({ code: "VALIDATION" });

    // max_price is per minute and compares with the shown price_per_min (= price_per_sec × 60):
    // 0.000031/min is stored as 1 unit/s, shown as 0.000060/min, so a maximum of 0.000059 excludes it.
    await api("PUT", "/api/workers/spec00000000000a/pricing", {
      key: owner,
      body: { price_per_min: "0.000031" },
    });
    expect(await rowOf()).toMatchObject({ price_per_min: "0.000060", price_per_sec: "0.000001" });
    const under = await api("GET", "/api/marketplace?available_only=false&max_price=0.000059");
    expect(under.body.total).toBe(0);
    const at = await api("GET", "/api/marketplace?available_only=false&max_price=0.00006&limit=5");
    expect(at.body).toMatchObject({ total: 1, limit: 5 });

    // The provider's workers: exactly the §4 item keys.
    const mine = await api("GET", "/api/provider/workers", { key: owner });
    expect(keys(mine.body)).toEqual(["items", "limit", "page", "provider_id", "total", "total_pages"]);
    expect(mine.body).toMatchObject({ provider_id: OWNER.toLowerCase(), page: 1, limit: 20, total: 1 });
    expect(keys(mine.body.items[0])).toEqual(
      sorted([
        "worker_id",
        "state",
        "online",
        "hashrate",
        "gpu_count",
        "active_gpus",
        "gpu_name",
        "memory_gb",
        "price_per_min",
        "listed",
        "self_blocks_found",
        "total_online_sec",
      ]),
    );
    expect(mine.body.items[0]).toMatchObject({ price_per_min: "0.000060", state: "AVAILABLE" });

    // Control answers {status:"sent", worker_id, action}, even when the action waits for the worker.
    const paused = await api("POST", "/api/workers/spec00000000000a/control", {
      key: owner,
      body: { action: "pause" },
    });
    expect(paused).toMatchObject({ status: 200 });
    expect(paused.body).toEqual({ status: "sent", worker_id: "spec00000000000a", action: "pause" });
    expect(
      (await api("POST", "/api/workers/nobody/control", { key: owner, body: { action: "resume" } })).status,
    ).toBe(404);

    // Pricing and control are the owner's or an admin's; broadcast an admin's.
    const admin = await keyFor(s, ADMIN);
    const stranger = await keyFor(s, STRANGER);
    expect(
      await api("PUT", "/api/provider/workers/spec00000000000a/pricing", {
        key: admin,
        body: { price_per_sec: "0.01", max_duration_sec: 3600 },
      }),
    ).toMatchObject({ status: 200, body: { price_per_min: "0.600000", max_duration_sec: 3600 } });
    expect(
      await api("PUT", "/api/workers/spec00000000000a/pricing", {
        key: stranger,
        body: { price_per_min: "1" },
      }),
    ).toMatchObject({ status: 403, body: { code: "FORBIDDEN" } });
    const broadcast = await api("POST", "/api/control/broadcast", { key: admin, body: { action: "resume" } });
    expect(broadcast.status).toBe(200);
    expect(keys(broadcast.body)).toEqual(["action", "skipped", "status", "workers"]);
    expect(broadcast.body).toMatchObject({ status: "sent", action: "resume" });
    expect(
      (await api("POST", "/api/control/broadcast", { key: owner, body: { action: "resume" } })).status,
    ).toBe(403);

    // A worker that leaves reads `offline`, and control on it is a 409.
    await worker.close();
    await until("the worker offline", async () => (await rowOf())?.state === "offline");
    expect(await rowOf()).toMatchObject({ online: false, state: "offline" });
    expect(
      await api("POST", "/api/workers/spec00000000000a/control", { key: owner, body: { action: "resume" } }),
    ).toMatchObject({ status: 409, body: { code: "WORKER_OFFLINE" } });
  });

  it("the script contract on a pending lease: rent refusals, 403 before any change, stop → cancelled, rows and bare arrays", async () => {
    const s = await server();
    const api = rest(s);
    const renter = await keyFor(s, RENTER);
    const stranger = await keyFor(s, STRANGER);
    const poor = await keyFor(s, POOR);
    const owner = await keyFor(s, OWNER);
    const admin = await keyFor(s, ADMIN);
    await silentWorker(s, "spec00000000000b", OWNER);
    await until(
      "the worker to be matchable",
      async () => (await api("GET", "/api/marketplace/estimate?duration_sec=600")).status === 200,
    );
    const estimate = await api(
      "GET",
      "/api/marketplace/estimate?duration_sec=600&worker_id=spec00000000000b",
    );
    expect(keys(estimate.body)).toEqual(
      sorted([
        "worker_id",
        "duration_sec",
        "price_per_min",
        "total_cost",
        "provider_payout",
        "platform_fee",
        "hashrate",
        "min_duration_sec",
        "max_duration_sec",
      ]),
    );
    expect(estimate.body).toMatchObject({ price_per_min: "0.600000", total_cost: "6.000000" });

    // An admin's manual credit; §4 makes the reference optional.
    expect(
      await api("POST", `/api/accounts/${RENTER}/deposit`, { key: admin, body: { amount: "50" } }),
    ).toMatchObject({ status: 200, body: { account_id: RENTER.toLowerCase(), balance: "50.000000" } });

    // Refusals of rent, each before anything changes.
    expect(await api("POST", "/api/rent", { body: { duration_sec: 600 } })).toMatchObject({
      status: 401,
      body: { code: "UNAUTHORIZED" },
    });
    const broke = await api("POST", "/api/rent", {
      key: poor,
      body: { duration_sec: 600, worker_id: "spec00000000000b" },
    });
    expect(broke).toMatchObject({ status: 402, body: { code: "INSUFFICIENT_BALANCE" } });
    expect(keys(broke.body)).toEqual(["code", "detail"]);
    expect(
      (
        await api("POST", "/api/rent", {
          key: renter,
          body: { duration_sec: 30, worker_id: "spec00000000000b" },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await api("POST", "/api/rent", {
          key: owner,
          body: { duration_sec: 600, worker_id: "spec00000000000b" },
        })
      ).status,
    ).toBe(400);

    const rented = await api("POST", "/api/rent", {
      key: renter,
      body: { duration_sec: 600, consumer_id: "whoever" },
    });
    expect(rented.status).toBe(200);
    expect(keys(rented.body)).toEqual(
      sorted([
        "lease_id",
        "worker_id",
        "prefix",
        "duration_sec",
        "consumer_id",
        "consumer_address",
        "price_per_sec",
        "escrow",
        "state",
        "created_at",
      ]),
    );
    expect(rented.body).toMatchObject({
      worker_id: "spec00000000000b",
      consumer_id: RENTER.toLowerCase(),
      consumer_address: RENTER,
      duration_sec: 600,
      price_per_sec: "0.010000",
      escrow: "6.000000",
      state: "pending",
    });
    expect(rented.body.prefix).toMatch(/^[0-9a-f]{16}$/);
    expect(isNowish(rented.body.created_at)).toBe(true);
    const leaseId: string = rented.body.lease_id;

    // The worker is taken: 409 for it by name, 404 "No available workers" for any.
    await api("POST", `/api/accounts/${STRANGER}/deposit`, { key: admin, body: { amount: "50" } });
    expect(
      await api("POST", "/api/rent", {
        key: stranger,
        body: { duration_sec: 600, worker_id: "spec00000000000b" },
      }),
    ).toMatchObject({ status: 409 });
    expect(await api("POST", "/api/rent", { key: stranger, body: { duration_sec: 600 } })).toEqual(
      expect.objectContaining({
        status: 404,
        body: { detail: "No available workers", code: "NO_WORKER_AVAILABLE" },
      }),
    );

    // LeaseRow: the lists and the lease itself (LeaseRow + blocks + settlement); private to its parties.
    const listed = await api("GET", "/api/leases", { key: renter });
    expect(keys(listed.body)).toEqual(["items", "limit", "offset", "total"]);
    expect(listed.body).toMatchObject({ total: 1, limit: 50, offset: 0 });
    expect(keys(listed.body.items[0])).toEqual(sorted(LEASE_ROW));
    expect(listed.body.items[0]).toMatchObject({
      lease_id: leaseId,
      consumer_id: RENTER.toLowerCase(),
      state: "pending",
      reason: null,
      confirmed_at: null,
      ended_at: null,
      elapsed_sec: 0,
    });
    expect((await api("GET", "/api/leases", { key: owner })).body.total).toBe(1);
    expect((await api("GET", "/api/leases", { key: stranger })).body.total).toBe(0);
    expect((await api("GET", "/api/leases", { key: admin })).body.total).toBe(1);
    expect((await api("GET", `/api/leases/${leaseId}`, { key: stranger })).status).toBe(403);
    const renterLeases = await api("GET", "/api/renter/leases", { key: renter });
    expect(keys(renterLeases.body.items[0])).toEqual(sorted([...LEASE_ROW, "mining_address"]));

    // A stranger's stop is refused before any change; then the renter's stop cancels the pending lease.
    expect(await api("POST", "/api/stop", { key: stranger, body: { lease_id: leaseId } })).toMatchObject({
      status: 403,
      body: { code: "FORBIDDEN" },
    });
    expect((await api("GET", `/api/leases/${leaseId}`, { key: renter })).body.state).toBe("pending");
    const stopped = await api("POST", "/api/stop", { key: renter, body: { lease_id: leaseId } });
    expect(stopped.status).toBe(200);
    expect(keys(stopped.body)).toEqual(["blocks_found", "lease_id", "settlement", "state"]);
    expect(stopped.body).toMatchObject({ lease_id: leaseId, state: "cancelled", blocks_found: 0 });
    expect(keys(stopped.body.settlement)).toEqual(sorted(SETTLEMENT_ROW));
    expect(stopped.body.settlement).toMatchObject({
      lease_id: leaseId,
      consumer_id: RENTER.toLowerCase(),
      worker_id: "spec00000000000b",
      state: "cancelled",
      duration_sec: 0,
      blocks_found: 0,
      total_cost: "0.000000",
      provider_payment: "0.000000",
      platform_fee: "0.000000",
      refund: "6.000000",
    });
    expect(isNowish(stopped.body.settlement.settled_at)).toBe(true);
    for (const path of ["/api/stop", "/api/rental/stop"]) {
      expect(await api("POST", path, { key: renter, body: { lease_id: leaseId } })).toMatchObject({
        status: 404,
        body: { detail: "Lease not found or not active" },
      });
    }
    expect(await api("POST", "/api/stop", { key: renter, body: { lease_id: "lease-nope" } })).toMatchObject({
      status: 404,
      body: { detail: "Lease not found or not active" },
    });

    // The ended lease: LeaseRow + blocks + settlement.
    const full = await api("GET", `/api/leases/${leaseId}`, { key: owner });
    expect(keys(full.body)).toEqual(sorted([...LEASE_ROW, "blocks", "settlement"]));
    expect(full.body).toMatchObject({ state: "cancelled", reason: "stopped", blocks: [], elapsed_sec: 0 });
    expect(isNowish(full.body.ended_at)).toBe(true);

    // GET /api/blocks?lease_id= is a bare array, also for a lease without blocks or an unknown one.
    expect((await api("GET", `/api/blocks?lease_id=${leaseId}`)).body).toEqual([]);
    expect(await api("GET", "/api/blocks?lease_id=lease-unknown")).toMatchObject({ status: 200, body: [] });

    // Settlements: an offset page with items; private to the parties, all for an admin.
    const settlements = await api("GET", "/api/settlements", { key: renter });
    expect(keys(settlements.body)).toEqual(["items", "limit", "offset", "total"]);
    expect(settlements.body).toMatchObject({ total: 1, limit: 50, offset: 0 });
    expect(keys(settlements.body.items[0])).toEqual(sorted(SETTLEMENT_ROW));
    expect((await api("GET", "/api/settlements", { key: stranger })).body.total).toBe(0);
    expect((await api("GET", "/api/settlements?limit=1&offset=0", { key: admin })).body).toMatchObject({
      total: 1,
      limit: 1,
    });
    const earnings = await api("GET", "/api/provider/earnings", { key: owner });
    expect(keys(earnings.body)).toEqual(["earnings", "provider_id"]);
    expect(keys(earnings.body.earnings[0])).toEqual(sorted(SETTLEMENT_ROW));

    const dashboard = await api("GET", "/api/provider/dashboard", { key: owner });
    expect(keys(dashboard.body)).toEqual(
      sorted([
        "provider_id",
        "worker_count",
        "total_earned",
        "active_leases",
        "total_blocks_mined",
        "avg_hashrate",
      ]),
    );
    expect(dashboard.body).toMatchObject({
      provider_id: OWNER.toLowerCase(),
      worker_count: 1,
      total_earned: "0.000000",
    });
    expect((await api("GET", `/api/provider/dashboard?provider_id=${OWNER}`, { key: stranger })).status).toBe(
      403,
    );

    const stats = await api("GET", "/api/renter/stats", { key: renter });
    expect(keys(stats.body)).toEqual(
      sorted(["active_leases", "completed_leases", "total_leases", "total_spent", "avg_cost"]),
    );
    expect(stats.body).toMatchObject({ active_leases: 0, total_leases: 1, total_spent: "0.000000" });
  });

  it("BlockRow keys on every block route; recent blocks and hashrate history are bare arrays", async () => {
    const s = await server();
    const api = rest(s);
    await startWorker(s, "spec00000000000c", OWNER);
    await until(
      "self-mined blocks",
      async () => (await api("GET", "/api/blocks/self-mined")).body.total >= 2,
    );

    const page = await api("GET", "/api/blocks");
    expect(keys(page.body)).toEqual(["items", "limit", "offset", "total"]);
    expect(page.body).toMatchObject({ limit: 50, offset: 0 });
    const block = page.body.items[0];
    expect(keys(block)).toEqual(sorted(BLOCK_ROW));
    expect(block).toMatchObject({
      lease_id: "",
      worker_id: "spec00000000000c",
      hashrate: expect.any(String),
      status: "self",
      reject_reason: null,
    });
    expect(isNowish(block.timestamp)).toBe(true);
    const self = await api("GET", "/api/blocks/self-mined?worker_id=spec00000000000c&limit=1");
    expect(self.body).toMatchObject({ limit: 1, offset: 0 });
    expect(keys(self.body.items[0])).toEqual(sorted(BLOCK_ROW));

    const recent = await api("GET", "/api/monitoring/blocks/recent");
    expect(Array.isArray(recent.body)).toBe(true);
    expect(keys(recent.body[0])).toEqual(sorted(BLOCK_ROW));
    const times = recent.body.map((b: { timestamp: number }) => b.timestamp);
    expect(times).toEqual([...times].sort((a, b) => b - a));

    // Hashrate history: hours 0.0167..720 (1), a bare array ascending.
    await s.platform.jobs.snapshotHashrate();
    for (const q of ["", "?hours=0.0167", "?hours=720", "?worker_id=spec00000000000c&hours=1"]) {
      const h = await api("GET", `/api/monitoring/hashrate-history${q}`);
      expect(h.status, q).toBe(200);
      expect(Array.isArray(h.body), q).toBe(true);
      const ts = h.body.map((p: { timestamp: number }) => p.timestamp);
      expect(ts).toEqual([...ts].sort((a, b) => a - b));
    }
    const one = await api("GET", "/api/monitoring/hashrate-history?worker_id=spec00000000000c");
    expect(one.body.length).toBeGreaterThan(0);
    expect(keys(one.body[0])).toEqual(["active_gpus", "hashrate", "timestamp", "worker_id"]);
    expect(one.body[0].worker_id).toBe("spec00000000000c");
    expect(isNowish(one.body[0].timestamp)).toBe(true);
    for (const hours of ["0.01", "721", "0", "abc"]) {
      expect(await api("GET", `/api/monitoring/hashrate-history?hours=${hours}`)).toMatchObject({
        status: 422,
        body: { code: "VALIDATION" },
      });
    }

    // The overview and status figures, key for key.
    const status = await api("GET", "/api/status");
    expect(keys(status.body)).toEqual(
      sorted([
        "mqtt_clients",
        "workers",
        "active_leases",
        "total_blocks",
        "self_mined_blocks",
        "total_settlements",
      ]),
    );
    expect(status.body.mqtt_clients).toEqual(["xenminer_spec00000000000c"]);
    const overview = await api("GET", "/api/overview/stats");
    expect(keys(overview.body)).toEqual(
      sorted([
        "total_users",
        "total_providers",
        "total_consumers",
        "total_workers",
        "online_workers",
        "total_hashrate",
        "total_blocks",
        "blocks_24h",
        "total_leases",
        "active_leases",
        "total_settled",
        "platform_revenue",
      ]),
    );
    expect(overview.body.total_settled).toMatch(MONEY);
    expect(overview.body.platform_revenue).toMatch(MONEY);
    const activity = await api("GET", "/api/overview/activity");
    expect(keys(activity.body)).toEqual(["items", "limit", "page", "total", "total_pages"]);
    expect(activity.body).toMatchObject({ page: 1, limit: 50 });
    expect(keys(activity.body.items[0])).toEqual(["data", "timestamp", "type"]);
    expect((await api("GET", "/api/overview/activity?limit=200")).status).toBe(200);
    expect((await api("GET", "/api/overview/activity?limit=201")).status).toBe(422);
    const network = await api("GET", "/api/overview/network");
    expect(keys(network.body)).toEqual(["chain_blocks", "difficulty", "total_blocks", "total_workers"]);
    const cards = await api("GET", "/api/monitoring/stats");
    expect(keys(cards.body)).toEqual(
      sorted([
        "total_workers",
        "online",
        "offline",
        "total_hashrate",
        "total_gpus",
        "active_gpus",
        "total_blocks",
        "blocks_last_hour",
      ]),
    );
  });

  it("pages: limits, defaults and 422 for bad paging", async () => {
    const s = await server();
    const api = rest(s);
    const key = await keyFor(s, RENTER);
    for (const [path, status] of [
      ["/api/blocks?limit=200", 200],
      ["/api/blocks?limit=201", 422],
      ["/api/blocks?limit=0", 422],
      ["/api/blocks?offset=-1", 422],
      ["/api/blocks/self-mined?limit=201", 422],
      ["/api/monitoring/fleet?limit=100", 200],
      ["/api/monitoring/fleet?limit=101", 422],
      ["/api/monitoring/fleet?page=0", 422],
      ["/api/monitoring/fleet?sort=up", 422],
      ["/api/marketplace?limit=100", 200],
      ["/api/marketplace?limit=101", 422],
      ["/api/marketplace?sort_by=cheapest", 422],
      ["/api/monitoring/blocks/recent?limit=201", 422],
      ["/api/marketplace/estimate?duration_sec=0", 422],
    ] as const) {
      expect((await api("GET", path)).status, path).toBe(status);
    }
    for (const [path, status] of [
      ["/api/leases?limit=201", 422],
      ["/api/settlements?limit=200", 200],
      ["/api/settlements?offset=-1", 422],
      ["/api/renter/leases?state=running", 422],
      ["/api/provider/workers?limit=101", 422],
    ] as const) {
      expect((await api("GET", path, { key })).status, path).toBe(status);
    }
    expect((await api("GET", "/api/renter/leases", { key })).body).toEqual({
      items: [],
      total: 0,
      limit: 50,
      offset: 0,
    });
    expect((await api("GET", "/api/blocks")).body).toEqual({ items: [], total: 0, limit: 50, offset: 0 });
    expect((await api("GET", "/api/workers")).body).toEqual([]);
    // No workers: estimate is a 404 with the earlier message.
    expect(await api("GET", "/api/marketplace/estimate?duration_sec=60")).toMatchObject({
      status: 404,
      body: { detail: "No available workers" },
    });
  });

  it("accounts: faucet for oneself, manual credit by admins, 409 faucet disabled, 429 limit, withdrawals", async () => {
    const s = await server();
    const api = rest(s);
    const renter = await keyFor(s, RENTER);
    const stranger = await keyFor(s, STRANGER);
    const admin = await keyFor(s, ADMIN);

    expect(
      await api("POST", `/api/accounts/${RENTER}/deposit`, { key: renter, body: { amount: "10" } }),
    ).toMatchObject({ status: 200, body: { account_id: RENTER.toLowerCase(), balance: "10.000000" } });
    expect(
      keys((await api("POST", `/api/accounts/${RENTER}/deposit`, { key: renter, body: { amount: 1 } })).body),
    ).toEqual(["account_id", "balance"]);
    expect(
      await api("POST", `/api/accounts/${RENTER}/deposit`, { key: renter, body: { amount: "1000.000001" } }),
    ).toMatchObject({ status: 429, body: { code: "FAUCET_LIMIT" } });
    expect(
      await api("POST", `/api/accounts/${STRANGER}/deposit`, { key: renter, body: { amount: "1" } }),
    ).toMatchObject({ status: 403, body: { code: "FORBIDDEN" } });
    expect(
      (await api("POST", `/api/accounts/${RENTER}/deposit`, { key: renter, body: { amount: "-1" } })).status,
    ).toBe(422);

    // Admin: manual credit with or without a reference; a repeated reference is a no-op.
    expect(
      await api("POST", `/api/accounts/${STRANGER}/deposit`, { key: admin, body: { amount: "3" } }),
    ).toMatchObject({ status: 200, body: { account_id: STRANGER.toLowerCase(), balance: "3.000000" } });
    for (let i = 0; i < 2; i++) {
      expect(
        await api("POST", `/api/accounts/${STRANGER}/deposit`, {
          key: admin,
          body: { amount: "2", reference: "0xabc" },
        }),
      ).toMatchObject({ status: 200, body: { balance: "5.000000" } });
    }

    const balance = await api("GET", `/api/accounts/${RENTER}/balance`, { key: renter });
    expect(keys(balance.body)).toEqual(["account_id", "balance", "escrowed", "eth_address", "role"]);
    expect((await api("GET", `/api/accounts/${RENTER}/balance`, { key: stranger })).status).toBe(403);
    expect((await api("GET", `/api/accounts/${POOR}/balance`, { key: admin })).status).toBe(404);

    // Withdrawals: by the holder, or by an admin for the holder; never by a stranger.
    const own = await api("POST", `/api/accounts/${RENTER}/withdraw`, { key: renter, body: { amount: "1" } });
    expect(keys(own.body)).toEqual(["account_id", "balance", "status", "withdrawal_id", "withdrawn"]);
    expect(own.body).toMatchObject({ balance: "10.000000", withdrawn: "1.000000", status: "requested" });
    expect(
      await api("POST", `/api/accounts/${RENTER}/withdraw`, { key: stranger, body: { amount: "1" } }),
    ).toMatchObject({ status: 403 });
    expect(
      await api("POST", `/api/accounts/${STRANGER}/withdraw`, { key: admin, body: { amount: "2" } }),
    ).toMatchObject({
      status: 200,
      body: {
        account_id: STRANGER.toLowerCase(),
        balance: "3.000000",
        withdrawn: "2.000000",
        status: "requested",
      },
    });
    expect(
      await api("POST", `/api/accounts/${RENTER}/withdraw`, { key: renter, body: { amount: "100" } }),
    ).toMatchObject({ status: 400, body: { code: "INSUFFICIENT_BALANCE" } });

    const all = await api("GET", "/api/accounts", { key: admin });
    expect(keys(all.body[RENTER])).toEqual(["account_id", "balance", "eth_address", "role"]);
    expect((await api("GET", "/api/accounts", { key: renter })).status).toBe(403);
    expect((await api("GET", "/api/accounts")).status).toBe(401);

    // The faucet off: 409.
    const closed = await server({ faucet: false });
    const self = await keyFor(closed, RENTER);
    expect(
      await rest(closed)("POST", `/api/accounts/${RENTER}/deposit`, { key: self, body: { amount: "1" } }),
    ).toMatchObject({ status: 409, body: { code: "FAUCET_DISABLED" } });
  });

  it("auth: wallet sign-in keys, me, 410 for register and login, 401 and 403 bodies", async () => {
    const s = await server();
    const api = rest(s);
    const wallet = await signIn(s);
    const me = await api("GET", "/api/auth/me", { token: wallet.token });
    expect(me.body).toEqual({
      account_id: wallet.address.toLowerCase(),
      role: "consumer",
      eth_address: wallet.address,
      balance: "0.000000",
      is_admin: false,
    });
    const nonce = await api("GET", `/api/auth/nonce?address=${wallet.address}`);
    expect(keys(nonce.body)).toEqual(["expires_at", "message", "nonce"]);
    expect(isNowish(nonce.body.expires_at)).toBe(true);
    const verified = await api("POST", "/api/auth/verify", {
      body: {
        address: wallet.address,
        nonce: nonce.body.nonce,
        signature: await wallet.account.signMessage({ message: nonce.body.message }),
      },
    });
    expect(keys(verified.body)).toEqual(["account_id", "address", "expires_at", "role", "token"]);
    // The JWT lives 24 h: float epoch seconds a day ahead (not ms).
    expect(verified.body.expires_at - Date.now() / 1000).toBeGreaterThan(86_000);
    expect(verified.body.expires_at - Date.now() / 1000).toBeLessThan(86_500);

    for (const path of ["/api/auth/register", "/api/auth/login"]) {
      const gone = await api("POST", path, { body: { username: "u", password: "p" } });
      expect(gone.status).toBe(410);
      expect(gone.body.detail).toBe("Removed: sign in with a wallet, then create an API key");
    }
    const huge = await api("POST", "/api/rent", { token: wallet.token, body: { pad: "x".repeat(70_000) } });
    expect(huge).toMatchObject({ status: 413, body: { code: "PAYLOAD_TOO_LARGE" } });
    expect(keys(huge.body)).toEqual(["code", "detail"]);
    const anonymous = await api("GET", "/api/auth/me");
    expect(anonymous.status).toBe(401);
    expect(keys(anonymous.body)).toEqual(["code", "detail"]);
    expect((await api("GET", "/api/auth/me", { key: "xbk_nope" })).status).toBe(401);
    const notAdmin = await api("POST", "/api/control/broadcast", {
      token: wallet.token,
      body: { action: "pause" },
    });
    expect(notAdmin).toMatchObject({ status: 403, body: { code: "FORBIDDEN" } });
  });

  it("wallet commands: owner only, list/unlist/update_config set listed, anything else is a 400", async () => {
    const s = await server();
    const api = rest(s);
    const owner = await keyFor(s, OWNER);
    const admin = await keyFor(s, ADMIN);
    await startWorker(s, "spec00000000000d", OWNER);
    await until("the worker", async () => (await s.platform.fleet.getWorker("spec00000000000d")) !== null);
    const path = "/api/wallet/workers/spec00000000000d/command";

    expect(await api("POST", path, { key: owner, body: { command: "unlist" } })).toMatchObject({
      status: 200,
      body: { status: "ok", worker_id: "spec00000000000d", command: "unlist", listed: false },
    });
    expect(
      (
        await api("POST", path, {
          key: owner,
          body: { command: "update_config", params: { state: "AVAILABLE" } },
        })
      ).body,
    ).toEqual({ status: "ok", worker_id: "spec00000000000d", command: "update_config", listed: true });
    expect(await api("POST", path, { key: owner, body: { command: "explode" } })).toMatchObject({
      status: 400,
      body: { code: "VALIDATION" },
    });
    expect((await api("POST", path, { key: owner, body: { command: "update_config" } })).status).toBe(400);
    expect(await api("POST", path, { key: admin, body: { command: "unlist" } })).toMatchObject({
      status: 403,
      body: { code: "FORBIDDEN" },
    });
    expect(
      (await api("POST", "/api/wallet/workers/nobody/command", { key: owner, body: { command: "list" } }))
        .status,
    ).toBe(404);
    expect((await s.platform.fleet.getWorker("spec00000000000d"))?.listed).toBe(true);
  });

  it("GET / for scripts, /dashboard and /ws/dashboard", async () => {
    const s = await server();
    const api = rest(s);
    const root = await api("GET", "/", { accept: "application/json" });
    expect(root.status).toBe(200);
    expect(keys(root.body)).toEqual(
      sorted(["service", "version", "mqtt_port", "api_port", "connected_workers", "uptime", "uptime_sec"]),
    );
    expect(root.body).toMatchObject({
      mqtt_port: s.mqttPort,
      api_port: s.httpPort,
      connected_workers: 0,
      uptime: "running",
    });
    const page = await api("GET", "/", { accept: "text/html,application/xhtml+xml" });
    expect(page.headers.get("content-type")).toContain("text/html");
    const dashboard = await api("GET", "/dashboard");
    expect(dashboard.status).toBe(302);
    expect(dashboard.headers.get("location")).toBe("/monitoring");
    expect((await api("GET", "/ws/dashboard")).status).toBe(404);
  });
});
