/**
 * The REST compatibility routes (api.md §4) over real HTTP against the whole server (memory storage,
 * embedded broker, simulated workers): the earlier platform's script, auth and refusals, money and
 * time formats, deposits, per-minute pricing, wallet sign-in, and the OpenAPI document.
 */
import { connect } from "node:net";
import { SimWorker, syntheticBlockSource } from "@xenblocks/sim/worker";
import { privateKeyToAccount } from "viem/accounts";
import { afterEach, describe, expect, it } from "vitest";
import { configSchema } from "../src/config.js";
import { createLogger } from "../src/log.js";
import { REST_ROUTES } from "../src/rest/routes.js";
import { type RunningServer, startServer } from "../src/server.js";

const OWNER = "0x89e457E13160B41beFE3650F244c51B8a08a1ac5";
const RENTER = "0x1111111111111111111111111111111111111111";
const STRANGER = "0x5555555555555555555555555555555555555555";
const ADMIN = "0xad00000000000000000000000000000000000001";
const MONEY = /^-?\d+\.\d{6}$/;

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const step of cleanups.splice(0).reverse()) await step();
});

async function server(overrides: Record<string, unknown> = {}): Promise<RunningServer> {
  const config = configSchema.parse({
    httpPort: 0,
    mqttPort: 0,
    host: "127.0.0.1",
    db: "memory",
    blockMarker: "XN",
    admins: [ADMIN],
    faucet: true,
    ...overrides,
  });
  const s = await startServer(
    config,
    createLogger("error", (line) => process.env.REST_DEBUG && console.error(line)),
  );
  cleanups.push(() => s.close());
  return s;
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
}

function client(s: RunningServer) {
  return async (
    method: string,
    path: string,
    options: { key?: string; token?: string; body?: unknown; raw?: string } = {},
  ): Promise<Answer> => {
    const headers: Record<string, string> = {};
    if (options.key) headers["x-api-key"] = options.key;
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined || options.raw !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(`http://127.0.0.1:${s.httpPort}${path}`, {
      method,
      headers,
      redirect: "manual",
      ...(options.raw !== undefined && { body: options.raw }),
      ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
  };
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function worker(s: RunningServer, workerId: string, mining = false): Promise<SimWorker> {
  const w = new SimWorker({
    workerId,
    brokerUrl: `mqtt://127.0.0.1:${s.mqttPort}`,
    ethAddress: OWNER,
    heartbeatSec: 1,
    fixedDifficulty: true,
    difficulty: 8,
    blockPattern: "XN",
    ...(mining && { miner: syntheticBlockSource(50) }),
  });
  cleanups.push(() => w.close());
  expect(await w.start()).toBe(true);
  await until("the worker to register", async () => (await s.platform.fleet.getWorker(workerId)) !== null);
  return w;
}

/** Float epoch seconds close to now. */
const isNowish = (t: unknown) => typeof t === "number" && Math.abs(t - Date.now() / 1000) < 600 && t < 1e11;

describe("REST compatibility (api.md §4)", () => {
  it("runs the earlier platform's script: workers, rent with a key, the lease's blocks, stop, settlements", async () => {
    const s = await server();
    const api = client(s);
    const renter = await keyFor(s, RENTER);
    const stranger = await keyFor(s, STRANGER);
    const owner = await keyFor(s, OWNER);
    const admin = await keyFor(s, ADMIN);
    await worker(s, "rest000000000001", true);

    // GET /api/workers: a bare array of WorkerRow.
    let workers: Answer = await api("GET", "/api/workers");
    await until("the worker to be rentable", async () => {
      workers = await api("GET", "/api/workers");
      return workers.body.some(
        (w: { state: string; hashrate: number }) => w.state === "AVAILABLE" && w.hashrate > 0,
      );
    });
    expect(Array.isArray(workers.body)).toBe(true);
    const row = workers.body[0];
    expect(row).toMatchObject({
      worker_id: "rest000000000001",
      eth_address: OWNER,
      online: true,
      price_per_sec: "0.010000",
      price_per_min: "0.600000",
      min_duration_sec: 60,
      max_duration_sec: 86_400,
      listed: true,
      current_block_pattern: "XN",
      reputation: { breakdown: { blocks: { weight: 40 }, uptime: expect.any(Object) } },
    });
    expect(isNowish(row.last_heartbeat) && isNowish(row.registered_at)).toBe(true);

    // What renting would cost (the worker is matchable once 2 s passed since the platform last wrote to it).
    let estimate: Answer = await api("GET", "/api/marketplace/estimate?duration_sec=600");
    await until("the worker to be matchable", async () => {
      estimate = await api("GET", `/api/marketplace/estimate?duration_sec=600&worker_id=${row.worker_id}`);
      return estimate.status === 200;
    });
    expect(estimate.body).toMatchObject({
      worker_id: "rest000000000001",
      duration_sec: 600,
      price_per_min: "0.600000",
      total_cost: "6.000000",
      min_duration_sec: 60,
    });
    expect(estimate.body.platform_fee).toMatch(MONEY);

    // Money: an admin's manual credit to the renter.
    const credit = await api("POST", `/api/accounts/${RENTER}/deposit`, {
      key: admin,
      body: { amount: "100", reference: "bank-1" },
    });
    expect(credit).toMatchObject({ status: 200, body: { balance: "100.000000" } });

    // Anonymous renting is gone: 401 without a key.
    const anonymous = await api("POST", "/api/rent", {
      body: { worker_id: row.worker_id, duration_sec: 600 },
    });
    expect(anonymous).toMatchObject({
      status: 401,
      body: { code: "UNAUTHORIZED", detail: expect.any(String) },
    });

    const rented = await api("POST", "/api/rent", {
      key: renter,
      body: { worker_id: row.worker_id, duration_sec: 600, consumer_id: "ignored" },
    });
    expect(rented.body).not.toHaveProperty("detail");
    expect(rented.status).toBe(200);
    expect(rented.body).toMatchObject({
      worker_id: "rest000000000001",
      duration_sec: 600,
      consumer_id: RENTER.toLowerCase(),
      price_per_sec: "0.010000",
      escrow: "6.000000",
      state: "pending",
    });
    expect(isNowish(rented.body.created_at)).toBe(true);
    const leaseId: string = rented.body.lease_id;

    const lease = () => api("GET", `/api/leases/${leaseId}`, { key: renter });
    await until("the lease to be active", async () => (await lease()).body.state === "active");
    await until(
      "a block of the lease",
      async () => (await api("GET", `/api/blocks?lease_id=${leaseId}`)).body.length > 0,
    );

    // A stranger's stop is refused before anything changes.
    const refused = await api("POST", "/api/stop", { key: stranger, body: { lease_id: leaseId } });
    expect(refused).toMatchObject({ status: 403, body: { code: "FORBIDDEN" } });
    expect((await lease()).body.state).toBe("active");
    expect((await api("GET", `/api/leases/${leaseId}`, { key: stranger })).status).toBe(403);
    expect((await api("POST", "/api/stop", { body: { lease_id: leaseId } })).status).toBe(401);

    const stopped = await api("POST", "/api/stop", { key: renter, body: { lease_id: leaseId } });
    expect(stopped.status).toBe(200);
    expect(stopped.body).toMatchObject({ lease_id: leaseId, state: "completed" });
    expect(stopped.body.blocks_found).toBeGreaterThan(0);
    const settlement = stopped.body.settlement;
    expect(settlement).toMatchObject({
      lease_id: leaseId,
      consumer_id: RENTER.toLowerCase(),
      worker_id: "rest000000000001",
      state: "completed",
      blocks_found: stopped.body.blocks_found,
    });
    for (const k of ["total_cost", "provider_payment", "platform_fee", "refund"]) {
      expect(settlement[k]).toMatch(MONEY);
    }
    expect(isNowish(settlement.settled_at)).toBe(true);
    expect(typeof settlement.duration_sec).toBe("number");
    // A block already in flight may still be credited to the lease within its grace after the stop.
    const settled = { ...settlement, blocks_found: expect.any(Number) };

    const again = await api("POST", "/api/rental/stop", { key: renter, body: { lease_id: leaseId } });
    expect(again).toMatchObject({ status: 404, body: { detail: "Lease not found or not active" } });
    expect(
      await api("POST", "/api/stop", { key: renter, body: { lease_id: "no-such-lease" } }),
    ).toMatchObject({ status: 404, body: { detail: "Lease not found or not active", code: "NOT_FOUND" } });

    // GET /api/blocks?lease_id=: a bare array of BlockRow, oldest first.
    const blocks = await api("GET", `/api/blocks?lease_id=${leaseId}`);
    expect(Array.isArray(blocks.body)).toBe(true);
    const times = blocks.body.map((b: { timestamp: number }) => b.timestamp);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(blocks.body[0]).toMatchObject({
      lease_id: leaseId,
      worker_id: "rest000000000001",
      hashrate: expect.any(String),
    });
    expect(isNowish(blocks.body[0].timestamp)).toBe(true);

    // GET /api/settlements has items: the renter's, the provider's, and all for an admin.
    const settlements = await api("GET", "/api/settlements", { key: renter });
    expect(settlements.body).toMatchObject({ total: 1, limit: 50, offset: 0 });
    expect(settlements.body.items).toEqual([settled]);
    expect((await api("GET", "/api/settlements", { key: owner })).body.total).toBe(1);
    expect((await api("GET", "/api/settlements", { key: stranger })).body).toMatchObject({
      items: [],
      total: 0,
    });
    expect((await api("GET", "/api/settlements")).status).toBe(401);

    // The lease with its blocks and settlement; the renter's pages.
    const full = (await lease()).body;
    expect(full).toMatchObject({
      state: "completed",
      reason: "stopped",
      settlement: settled,
      consumer_address: RENTER,
    });
    expect(full.blocks.slice(0, blocks.body.length)).toEqual(blocks.body);
    expect(full.elapsed_sec).toBe(settlement.duration_sec);
    const mine = await api("GET", "/api/renter/leases?limit=10", { key: renter });
    expect(mine.body).toMatchObject({ total: 1, limit: 10, offset: 0 });
    expect(mine.body.items[0]).toMatchObject({ lease_id: leaseId, mining_address: RENTER });
    expect((await api("GET", "/api/renter/stats", { key: renter })).body).toMatchObject({
      active_leases: 0,
      completed_leases: 1,
      total_leases: 1,
    });
    const leases = await api("GET", "/api/leases?state=completed", { key: owner });
    expect(leases.body).toMatchObject({
      total: 1,
      items: [{ lease_id: leaseId, blocks_found: expect.any(Number) }],
    });
    expect((await api("GET", "/api/leases", { key: stranger })).body.total).toBe(0);

    // The provider's side of the same lease.
    const earnings = await api("GET", "/api/provider/earnings", { key: owner });
    expect(earnings.body).toEqual({ provider_id: OWNER.toLowerCase(), earnings: [settled] });
    expect((await api("GET", "/api/provider/dashboard", { key: owner })).body).toMatchObject({
      worker_count: 1,
      total_earned: settlement.provider_payment,
      active_leases: 0,
    });
    expect((await api("GET", `/api/provider/dashboard?provider_id=${OWNER}`, { key: stranger })).status).toBe(
      403,
    );
    expect((await api("GET", `/api/provider/dashboard?provider_id=${OWNER}`, { key: admin })).status).toBe(
      200,
    );
    expect((await api("GET", "/api/provider/workers", { key: owner })).body).toMatchObject({
      total: 1,
      total_pages: 1,
      items: [{ worker_id: "rest000000000001", price_per_min: "0.600000", listed: true }],
    });
    expect((await api("GET", "/api/wallet/stats", { key: owner })).body).toMatchObject({
      total_workers: 1,
      total_earnings: settlement.provider_payment,
    });
    expect((await api("GET", "/api/wallet/achievements", { key: owner })).body).toMatchObject({
      leases_served: 1,
      first_seen: expect.any(Number),
    });
    expect((await api("GET", "/api/wallet/share", { key: owner })).body.full_address).toBe(OWNER);
    expect((await api("GET", "/api/wallet/history?period=24h", { key: owner })).body).toMatchObject({
      address: OWNER,
      period: "24h",
      data: expect.any(Array),
    });

    const balance = await api("GET", `/api/accounts/${RENTER.toUpperCase().replace("0X", "0x")}/balance`, {
      key: renter,
    });
    expect(balance.body).toMatchObject({
      account_id: RENTER.toLowerCase(),
      role: "consumer",
      escrowed: "0.000000",
    });
    expect(balance.body.balance).toMatch(MONEY);
  });

  it("answers 410 for register and login, redirects /dashboard, 404 for /ws/dashboard and unknown routes", async () => {
    const s = await server();
    const api = client(s);
    for (const path of ["/api/auth/register", "/api/auth/login"]) {
      expect(await api("POST", path, { body: { username: "x", password: "y" } })).toMatchObject({
        status: 410,
        body: { detail: "Removed: sign in with a wallet, then create an API key" },
      });
    }
    const dashboard = await api("GET", "/dashboard");
    expect(dashboard.status).toBe(302);
    expect(dashboard.headers.get("location")).toBe("/monitoring");
    expect((await api("GET", "/ws/dashboard")).status).toBe(404);
    expect(await api("GET", "/api/nothing/here")).toMatchObject({ status: 404, body: { code: "NOT_FOUND" } });
    const wrong = await api("DELETE", "/api/workers");
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("GET, HEAD, OPTIONS");
  });

  it("refuses bad input with 422, rule refusals with 400, strangers with 403, and echoes per-minute prices", async () => {
    const s = await server();
    const api = client(s);
    const owner = await keyFor(s, OWNER);
    const stranger = await keyFor(s, STRANGER);
    await worker(s, "rest000000000002");
    const path = "/api/workers/rest000000000002/pricing";

    expect(await api("GET", "/api/blocks?limit=500")).toMatchObject({
      status: 422,
      body: { code: "VALIDATION" },
    });
    expect((await api("GET", "/api/monitoring/fleet?status=sideways")).status).toBe(422);
    expect((await api("GET", "/api/marketplace/estimate")).status).toBe(422);
    expect((await api("POST", "/api/rent", { key: owner, raw: "{not json" })).status).toBe(422);
    expect((await api("POST", "/api/rent", { key: owner, body: { duration_sec: "long" } })).status).toBe(422);
    expect((await api("PUT", path, { key: owner, body: { price_per_min: "abc" } })).status).toBe(422);
    expect((await api("PUT", path, { key: owner, body: {} })).status).toBe(422);

    // Refusals come before any change.
    expect(await api("PUT", path, { key: stranger, body: { price_per_min: "1.2" } })).toMatchObject({
      status: 403,
      body: { code: "FORBIDDEN" },
    });
    expect((await api("PUT", path, { body: { price_per_min: "1.2" } })).status).toBe(401);
    expect(
      await api("PUT", path, {
        key: owner,
        body: { price_per_min: "1.2", min_duration_sec: 9000, max_duration_sec: 60 },
      }),
    ).toMatchObject({ status: 400, body: { code: "VALIDATION" } });
    expect((await s.platform.fleet.getWorker("rest000000000002"))?.pricePerSec).toBe(10_000n);
    expect(
      (await api("PUT", "/api/workers/nobody/pricing", { key: owner, body: { price_per_min: "1" } })).status,
    ).toBe(404);

    // 0.000031 XNM/min → round_half_up(31 / 60) = 1 unit/s, echoed as 60 units/min.
    const set = await api("PUT", `/api/provider/workers/rest000000000002/pricing`, {
      key: owner,
      body: { price_per_min: 0.000031, max_duration_sec: 7200 },
    });
    expect(set).toMatchObject({
      status: 200,
      body: {
        worker_id: "rest000000000002",
        price_per_min: "0.000060",
        price_per_sec: "0.000001",
        min_duration_sec: 60,
        max_duration_sec: 7200,
      },
    });
    expect((await api("GET", path)).body).toMatchObject({
      price_per_min: "0.000060",
      price_per_sec: "0.000001",
    });
    const suggest = await api("GET", `${path}/suggest`);
    expect(suggest.body.suggested_price_per_min).toMatch(MONEY);
    expect((await api("GET", "/api/workers/rest000000000002/reputation")).body).toMatchObject({
      worker_id: "rest000000000002",
      breakdown: { completion: { weight: 30 } },
    });

    // Control: shutdown needs confirm (400); the command route lists and unlists.
    expect(
      await api("POST", "/api/workers/rest000000000002/control", {
        key: owner,
        body: { action: "shutdown" },
      }),
    ).toMatchObject({ status: 400, body: { code: "CONFIRMATION_REQUIRED" } });
    expect(
      (
        await api("POST", "/api/workers/rest000000000002/control", {
          key: stranger,
          body: { action: "pause" },
        })
      ).status,
    ).toBe(403);
    const unlisted = await api("POST", "/api/wallet/workers/rest000000000002/command", {
      key: owner,
      body: { command: "update_config", params: { state: "SELF_MINING" } },
    });
    expect(unlisted.body).toEqual({
      status: "ok",
      worker_id: "rest000000000002",
      command: "update_config",
      listed: false,
    });
    expect(
      (
        await api("POST", "/api/wallet/workers/rest000000000002/command", {
          key: owner,
          body: { command: "update_config" },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await api("POST", "/api/wallet/workers/rest000000000002/command", {
          key: owner,
          body: { command: "list" },
        })
      ).body.listed,
    ).toBe(true);
    expect(
      (await api("POST", "/api/control/broadcast", { key: owner, body: { action: "pause" } })).status,
    ).toBe(403);
  });

  it("deposits: the faucet for oneself, a manual credit by an admin, never into another's account", async () => {
    const s = await server();
    const api = client(s);
    const renter = await keyFor(s, RENTER);
    const admin = await keyFor(s, ADMIN);

    expect(
      await api("POST", `/api/accounts/${RENTER}/deposit`, { key: renter, body: { amount: 5.5 } }),
    ).toMatchObject({
      status: 200,
      body: { account_id: RENTER.toLowerCase(), balance: "5.500000" },
    });
    expect(
      await api("POST", `/api/accounts/${STRANGER}/deposit`, { key: renter, body: { amount: "1" } }),
    ).toMatchObject({ status: 403, body: { code: "FORBIDDEN" } });
    expect((await api("POST", `/api/accounts/${RENTER}/deposit`, { body: { amount: "1" } })).status).toBe(
      401,
    );
    expect(
      await api("POST", `/api/accounts/${RENTER}/deposit`, { key: renter, body: { amount: "5000" } }),
    ).toMatchObject({ status: 429, body: { code: "FAUCET_LIMIT" } });
    expect(
      (await api("POST", `/api/accounts/${RENTER}/deposit`, { key: renter, body: { amount: "0" } })).status,
    ).toBe(400);
    expect(
      (
        await api("POST", `/api/accounts/${STRANGER}/deposit`, {
          key: admin,
          body: { amount: "0", reference: "wire-0" },
        })
      ).status,
    ).toBe(400);
    expect(
      await api("POST", `/api/accounts/${STRANGER}/deposit`, {
        key: admin,
        body: { amount: "2", reference: "wire-7" },
      }),
    ).toMatchObject({ status: 200, body: { account_id: STRANGER.toLowerCase(), balance: "2.000000" } });
    expect((await api("GET", `/api/accounts/${STRANGER}/balance`, { key: admin })).body).toMatchObject({
      balance: "2.000000",
      role: "consumer",
    });
    expect((await api("GET", `/api/accounts/${STRANGER}/balance`, { key: renter })).status).toBe(403);

    const all = await api("GET", "/api/accounts", { key: admin });
    expect(all.body[STRANGER]).toMatchObject({ account_id: STRANGER.toLowerCase(), balance: "2.000000" });
    expect((await api("GET", "/api/accounts", { key: renter })).status).toBe(403);

    const withdrawn = await api("POST", `/api/accounts/${RENTER}/withdraw`, {
      key: renter,
      body: { amount: "1.5" },
    });
    expect(withdrawn.body).toMatchObject({ withdrawn: "1.500000", balance: "4.000000", status: "requested" });
    expect(
      await api("POST", `/api/accounts/${RENTER}/withdraw`, { key: renter, body: { amount: "999" } }),
    ).toMatchObject({ status: 400, body: { code: "INSUFFICIENT_BALANCE" } });
    const me = await api("GET", "/api/auth/me", { key: renter });
    expect(me.body).toEqual({
      account_id: RENTER.toLowerCase(),
      role: "consumer",
      eth_address: RENTER,
      balance: "4.000000",
      is_admin: false,
    });
  });

  it("signs in with a wallet: nonce, signature, and the token works as a Bearer", async () => {
    const s = await server();
    const api = client(s);
    const wallet = privateKeyToAccount(`0x${"42".repeat(32)}`);
    const nonce = await api("GET", `/api/auth/nonce?address=${wallet.address}`);
    expect(nonce.status).toBe(200);
    expect(nonce.body.message).toContain(wallet.address);
    expect(isNowish(nonce.body.expires_at)).toBe(true);
    const signature = await wallet.signMessage({ message: nonce.body.message });

    const bad = await api("POST", "/api/auth/verify", {
      body: { address: wallet.address, nonce: nonce.body.nonce, signature: `0x${"1".repeat(130)}` },
    });
    expect(bad.status).toBe(401);
    const again = await api("GET", `/api/auth/nonce?address=${wallet.address}&chain_id=1`);
    const signed = await api("POST", "/api/auth/verify", {
      body: {
        address: wallet.address,
        nonce: again.body.nonce,
        signature: await wallet.signMessage({ message: again.body.message }),
      },
    });
    expect(signed.status).toBe(200);
    expect(signed.body).toMatchObject({
      address: wallet.address,
      account_id: wallet.address.toLowerCase(),
      role: "consumer",
    });
    expect(signature).toMatch(/^0x/);
    const me = await api("GET", "/api/auth/me", { token: signed.body.token });
    expect(me.body).toMatchObject({ account_id: wallet.address.toLowerCase(), is_admin: false });
  });

  it("pages blocks, fleet and activity, and serves status and overview figures", async () => {
    const s = await server();
    const api = client(s);
    await worker(s, "rest000000000003", true);
    await until("a few self-mined blocks", async () => (await api("GET", "/api/blocks")).body.total >= 3);

    const page = await api("GET", "/api/blocks?limit=2&offset=1");
    expect(page.body).toMatchObject({ limit: 2, offset: 1 });
    expect(page.body.items).toHaveLength(2);
    const self = await api("GET", "/api/blocks/self-mined?worker_id=rest000000000003");
    expect(self.body.items[0]).toMatchObject({ lease_id: "", status: "self", prefix_valid: null });
    const recent = await api("GET", "/api/monitoring/blocks/recent?limit=3");
    expect(recent.body).toHaveLength(3);
    expect(recent.body[0].timestamp).toBeGreaterThanOrEqual(recent.body[2].timestamp);

    const fleet = await api("GET", "/api/monitoring/fleet?limit=1");
    expect(fleet.body).toMatchObject({ total: 1, page: 1, limit: 1, total_pages: 1 });
    expect(fleet.body.items[0]).toMatchObject({
      worker_id: "rest000000000003",
      total_online_sec: expect.any(Number),
    });
    const activity = await api("GET", "/api/overview/activity?limit=2");
    expect(activity.body).toMatchObject({ page: 1, limit: 2 });
    expect(activity.body.items[0]).toMatchObject({ type: "block", data: { worker_id: "rest000000000003" } });
    expect(activity.body.total).toBeGreaterThanOrEqual(3);

    const status = await api("GET", "/api/status");
    expect(status.body).toMatchObject({ workers: 1, active_leases: 0 });
    expect(status.body.mqtt_clients).toHaveLength(1);
    expect((await api("GET", "/api/overview/stats")).body).toMatchObject({
      total_workers: 1,
      total_settled: "0.000000",
    });
    expect((await api("GET", "/api/monitoring/stats")).body).toMatchObject({ total_workers: 1, online: 1 });
    expect(Array.isArray((await api("GET", "/api/monitoring/hashrate-history?hours=2")).body)).toBe(true);
    const market = await api("GET", "/api/marketplace?available_only=false");
    expect(market.body).toMatchObject({ total: 1, limit: 18 });
    expect(market.body.items[0]).toMatchObject({
      worker_id: "rest000000000003",
      gpu_name: expect.any(String),
    });
  });

  it("answers HEAD like GET without the body, OPTIONS with the methods, and CORS for the allowed origin", async () => {
    const s = await server({ corsOrigins: ["http://app.test"] });
    const base = `http://127.0.0.1:${s.httpPort}`;
    // On one raw connection, HEAD then GET: the HEAD answer has the GET's headers and length but no
    // body (fetch would hide a body sent after a HEAD), so the GET's answer follows it at once.
    const headThenGet = (path: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(s.httpPort, "127.0.0.1", () =>
          socket.write(`HEAD ${path} HTTP/1.1\r\nHost: x\r\n\r\nGET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`),
        );
        let text = "";
        socket.on("data", (chunk) => {
          text += chunk.toString("latin1");
          const second = text.indexOf("HTTP/1.1", 1);
          const length = /content-length: (\d+)/i.exec(text.slice(second))?.[1];
          const bodyAt = text.indexOf("\r\n\r\n", second) + 4;
          if (second > 0 && length && bodyAt > 3 && text.length >= bodyAt + Number(length)) {
            socket.destroy();
            resolve(text);
          }
        });
        socket.on("error", reject);
        setTimeout(
          () => reject(new Error(`no GET answer after HEAD ${path}: ${JSON.stringify(text)}`)),
          3000,
        );
      });
    for (const path of ["/api/status", "/healthz", "/metrics", "/", "/difficulty"]) {
      const text = await headThenGet(path);
      const second = text.indexOf("HTTP/1.1", 1);
      const [head, get] = [text.slice(0, second), text.slice(second)];
      expect(head, path).toMatch(/^HTTP\/1\.1 200 /);
      expect(head.endsWith("\r\n\r\n"), path).toBe(true);
      const lengthOf = (t: string) => Number(/content-length: (\d+)/i.exec(t)?.[1]);
      const getBody = get.slice(get.indexOf("\r\n\r\n") + 4);
      expect(lengthOf(head), path).toBeGreaterThan(0);
      // /metrics and /api/status may change between the two answers by a digit or two.
      expect(Math.abs(lengthOf(head) - Buffer.byteLength(getBody, "latin1")), path).toBeLessThan(16);
    }
    const options = await fetch(`${base}/api/workers`, { method: "OPTIONS" });
    expect(options.status).toBe(204);
    expect(options.headers.get("allow")).toBe("GET, HEAD, OPTIONS");
    expect(options.headers.get("access-control-allow-origin")).toBeNull();
    // A page on the allowed origin: the preflight and the answer carry the CORS headers.
    const preflight = await fetch(`${base}/api/rent`, {
      method: "OPTIONS",
      headers: { origin: "http://app.test", "access-control-request-method": "POST" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("http://app.test");
    expect(preflight.headers.get("access-control-allow-methods")).toContain("POST");
    expect(preflight.headers.get("access-control-allow-headers")).toContain("x-api-key");
    const allowed = await fetch(`${base}/api/status`, { headers: { origin: "http://app.test" } });
    expect(allowed.headers.get("access-control-allow-origin")).toBe("http://app.test");
    const refused = await fetch(`${base}/api/rent`, {
      method: "POST",
      headers: { origin: "http://app.test" },
    });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("access-control-allow-origin")).toBe("http://app.test");
    const elsewhere = await fetch(`${base}/api/status`, { headers: { origin: "http://evil.test" } });
    expect(elsewhere.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("describes every route of the table in /api/openapi.json", async () => {
    const s = await server();
    const doc = (await client(s)("GET", "/api/openapi.json")).body;
    expect(doc.openapi).toBe("3.1.0");
    for (const r of REST_ROUTES) {
      expect(doc.paths[r.path]?.[r.method.toLowerCase()], `${r.method} ${r.path}`).toBeDefined();
    }
    const documented = Object.values(doc.paths).reduce(
      (n: number, item) => n + Object.keys(item as object).length,
      0,
    );
    // Every route of the table, plus `GET /` (served beside it).
    expect(documented).toBe(REST_ROUTES.length + 1);
    expect(doc.paths["/"].get.responses["200"]).toBeDefined();
    // Routes that only ever refuse document no 200.
    expect(Object.keys(doc.paths["/ws/dashboard"].get.responses)).toEqual(["404"]);
    expect(Object.keys(doc.paths["/api/auth/login"].post.responses)).toEqual(["410"]);
    expect(doc.paths["/api/stop"].post.security).toEqual([{ apiKey: [] }, { bearer: [] }]);
    expect(doc.paths["/api/blocks"].get.parameters.map((p: { name: string }) => p.name)).toEqual([
      "lease_id",
      "limit",
      "offset",
    ]);
    expect(
      doc.paths["/api/workers/{id}/pricing"].put.requestBody.content["application/json"].schema.properties,
    ).toHaveProperty("price_per_min");
    // The §4 table's routes, each present.
    for (const path of [
      "/api/status",
      "/api/accounts",
      "/api/settlements",
      "/api/workers/{id}/control",
      "/api/control/broadcast",
      "/dashboard",
      "/api/overview/stats",
      "/api/overview/activity",
      "/api/overview/network",
      "/api/monitoring/fleet",
      "/api/monitoring/stats",
      "/api/monitoring/hashrate-history",
      "/api/monitoring/blocks/recent",
      "/api/workers",
      "/api/marketplace",
      "/api/marketplace/estimate",
      "/api/workers/{id}/pricing",
      "/api/workers/{id}/pricing/suggest",
      "/api/workers/{id}/reputation",
      "/api/provider/workers/{id}/pricing",
      "/api/rent",
      "/api/rental/start",
      "/api/stop",
      "/api/rental/stop",
      "/api/leases",
      "/api/leases/{lease_id}",
      "/api/blocks",
      "/api/blocks/self-mined",
      "/api/renter/stats",
      "/api/renter/leases",
      "/api/provider/dashboard",
      "/api/provider/earnings",
      "/api/provider/workers",
      "/api/auth/nonce",
      "/api/auth/verify",
      "/api/auth/register",
      "/api/auth/login",
      "/api/auth/me",
      "/api/accounts/{id}/balance",
      "/api/accounts/{id}/deposit",
      "/api/accounts/{id}/withdraw",
      "/api/wallet/history",
      "/api/wallet/achievements",
      "/api/wallet/stats",
      "/api/wallet/share",
      "/api/wallet/workers/{id}/command",
      "/ws/dashboard",
    ]) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
  });
});
