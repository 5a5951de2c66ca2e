/**
 * The read side of the API (api.md §2) over real sockets, on a small world whose figures are known:
 * one provider with two workers (one priced, one unlisted), a renter with one settled lease. Each
 * view is checked against what the world must show, field names and money to the unit.
 */
import { feeSplit, formatMoney, parseMoney } from "@xenblocks/core";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../src/server.js";
import {
  apiClient,
  cleanups,
  refusal,
  rentWhenReady,
  signIn,
  startTestServer,
  startWorker,
  type TestWallet,
  until,
} from "./helpers.js";

interface World {
  s: RunningServer;
  provider: TestWallet;
  renter: TestWallet;
  admin: TestWallet;
  w1: string;
  w2: string;
  leaseId: string;
  total: bigint;
}
let world: World;
const teardown: Array<() => Promise<unknown> | unknown> = [];

beforeAll(async () => {
  const adminAccount = privateKeyToAccount(generatePrivateKey());
  const s = await startTestServer({ admins: [adminAccount.address.toLowerCase()], faucet: true });
  const provider = await signIn(s);
  const renter = await signIn(s);
  const admin = await signIn(s, adminAccount);
  const [a, b] = await Promise.all([
    startWorker(s, "view000000000001", provider.address),
    startWorker(s, "view000000000002", provider.address),
  ]);
  if (!a || !b) throw new Error("two workers");
  await until("both online", async () => (await s.platform.queries.fleet.stats()).online === 2);
  await provider.api.provider.setPricing.mutate({
    workerId: a.workerId,
    pricePerSec: "0.020000",
    minDurationSec: 1,
    maxDurationSec: 7200,
  });
  await provider.api.provider.setListed.mutate({ workerId: b.workerId, listed: false });
  await renter.api.account.deposit.mutate({ amount: "40.000000" });
  const lease = await rentWhenReady(renter.api, { workerId: a.workerId, durationSec: 600 });
  await until(
    "active",
    async () => (await renter.api.rental.lease.query({ leaseId: lease.leaseId })).state === "active",
  );
  await until("a lease block", async () => {
    const blocks = await renter.api.rental.blocks.query({ leaseId: lease.leaseId });
    return blocks.items.some((x) => x.status === "accepted");
  });
  await new Promise((r) => setTimeout(r, 1100));
  const stopped = await renter.api.rental.stop.mutate({ leaseId: lease.leaseId });
  world = {
    s,
    provider,
    renter,
    admin,
    w1: a.workerId,
    w2: b.workerId,
    leaseId: lease.leaseId,
    total: parseMoney(stopped.settlement.total),
  };
  await s.platform.jobs.flushHeartbeats();
  teardown.push(...cleanups.splice(0));
}, 30_000);

afterAll(async () => {
  for (const step of teardown.reverse()) await step();
});

const open = () => apiClient(world.s);

describe("public views", () => {
  it("overview.stats counts accounts, providers, renters, workers, leases and settled money", async () => {
    const stats = await open().overview.stats.query();
    const { fee } = feeSplit(world.total, 500);
    expect(stats).toMatchObject({
      accounts: 3,
      providers: 1,
      renters: 1,
      totalWorkers: 2,
      onlineWorkers: 2,
      totalLeases: 1,
      activeLeases: 0,
      settledVolume: formatMoney(world.total),
      settledVolume24h: formatMoney(world.total),
      platformRevenue: formatMoney(fee),
    });
    expect(stats.totalBlocks).toBeGreaterThanOrEqual(1);
    expect(stats.blocks24h).toBe(stats.totalBlocks);
  });

  it("overview.activity merges blocks and lease events newest first, and pages without repeats", async () => {
    const first = await open().overview.activity.query({ limit: 3 });
    expect(first.items).toHaveLength(3);
    const all = [...first.items];
    let cursor = first.nextCursor;
    while (cursor) {
      const next = await open().overview.activity.query({ limit: 3, cursor });
      all.push(...next.items);
      cursor = next.nextCursor;
    }
    const ids = all.map((i) => i.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 1; i < all.length; i++) expect(all[i - 1]!.at).toBeGreaterThanOrEqual(all[i]!.at);
    const types = new Set(all.map((i) => i.type));
    expect(types).toEqual(new Set(["block", "lease_started", "lease_completed"]));
    const completed = all.find((i) => i.type === "lease_completed");
    expect(completed).toMatchObject({ leaseId: world.leaseId, workerId: world.w1 });
  });

  it("overview.network names the chain adapter and its difficulty", async () => {
    const net = await open().overview.network.query();
    expect(net).toMatchObject({ chainAdapter: "simulator", difficulty: 1727, totalWorkers: 2 });
    expect(Array.isArray(net.fleetHashrate24h)).toBe(true);
  });

  it("monitoring.stats and monitoring.fleet page the fleet with FleetWorker fields", async () => {
    const stats = await open().monitoring.stats.query();
    expect(stats).toMatchObject({ totalWorkers: 2, online: 2, offline: 0 });
    expect(stats.totalGpus).toBeGreaterThan(0);
    const page = await open().monitoring.fleet.query({ limit: 1, sortBy: "workerId", sortDir: "asc" });
    expect(page).toMatchObject({ total: 2, page: 1, limit: 1, totalPages: 2 });
    expect(page.items[0]).toMatchObject({
      workerId: world.w1,
      owner: world.provider.address,
      online: true,
      listed: true,
      leaseBlocks: expect.any(Number),
      reputation: { score: expect.any(Number), stars: expect.any(Number) },
    });
    const second = await open().monitoring.fleet.query({
      limit: 1,
      page: 2,
      sortBy: "workerId",
      sortDir: "asc",
    });
    expect(second.items[0]?.workerId).toBe(world.w2);
    const searched = await open().monitoring.fleet.query({ search: world.w2.slice(0, 14) });
    expect(searched.items.map((w) => w.workerId)).toContain(world.w2);
  });

  it("monitoring.worker shows the current lease to the owner only", async () => {
    const publicView = await open().monitoring.worker.query({ workerId: world.w1 });
    expect(publicView).toMatchObject({ workerId: world.w1, pricePerSec: "0.020000", banned: false });
    expect(publicView).not.toHaveProperty("currentLeaseId");
    expect(publicView.reputation).toMatchObject({ blocks: { weight: 40 }, completion: { completed: 1 } });
    const ownerView = await world.provider.api.monitoring.worker.query({ workerId: world.w1 });
    expect(ownerView).toHaveProperty("currentLeaseId", null);
    expect(await refusal(open().monitoring.worker.query({ workerId: "nope" }))).toMatchObject({
      appCode: "NOT_FOUND",
    });
  });

  it("monitoring.hashrateHistory answers in server buckets", async () => {
    const history = await open().monitoring.hashrateHistory.query({ range: "1h" });
    expect(history.bucketSec).toBe(30);
    expect((await open().monitoring.hashrateHistory.query({ range: "7d" })).bucketSec).toBe(3600);
  });

  it("marketplace.list hides the unlisted worker, gives facets, and estimates like rent would", async () => {
    const list = await open().marketplace.list.query({ availableOnly: false });
    expect(list.items.map((l) => l.workerId)).toEqual([world.w1]);
    expect(list.items[0]).toMatchObject({ pricePerSec: "0.020000", pricePerHour: "72.000000" });
    expect(list.facets.gpuModels.length).toBeGreaterThan(0);
    // Right after a lease the worker sits out its release wait (WORKER_BUSY), as rent would say.
    const estimate = await until(
      "the worker rentable again",
      () =>
        open()
          .marketplace.estimate.query({ durationSec: 100, workerId: world.w1 })
          .catch(() => null),
      40_000,
    );
    expect(estimate).toEqual({
      workerId: world.w1,
      durationSec: 100,
      pricePerSec: "0.020000",
      total: "2.000000",
      fee: "0.100000",
      providerAmount: "1.900000",
      feeBps: 500,
    });
    expect(
      await refusal(open().marketplace.estimate.query({ durationSec: 100, workerId: world.w2 })),
    ).toMatchObject({ appCode: "WORKER_NOT_AVAILABLE" });
    const listing = await open().marketplace.listing.query({ workerId: world.w1 });
    expect(listing.reputation).toHaveProperty("uptime");
  });
});

describe("private views", () => {
  it("rental.renterStats and rental.leases come from the renter's settlements", async () => {
    const stats = await world.renter.api.rental.renterStats.query();
    expect(stats).toMatchObject({
      activeLeases: 0,
      completedLeases: 1,
      totalSpent: formatMoney(world.total),
      avgCostPerLease: formatMoney(world.total),
    });
    expect(stats.blocksAccepted).toBeGreaterThanOrEqual(1);
    const leases = await world.renter.api.rental.leases.query({});
    expect(leases.items.map((l) => l.leaseId)).toEqual([world.leaseId]);
    const asProvider = await world.provider.api.rental.leases.query({ as: "provider" });
    expect(asProvider.items.map((l) => l.leaseId)).toEqual([world.leaseId]);
    expect((await world.admin.api.rental.leases.query({ as: "provider" })).items).toEqual([]);
  });

  it("provider.dashboard, provider.workers and provider.suggestPrice", async () => {
    const { providerAmount } = feeSplit(world.total, 500);
    const dash = await world.provider.api.provider.dashboard.query();
    expect(dash).toMatchObject({
      workerCount: 2,
      onlineCount: 2,
      leasedCount: 0,
      totalEarned: formatMoney(providerAmount),
      earned24h: formatMoney(providerAmount),
    });
    const unlisted = await world.provider.api.provider.workers.query({ filter: "unlisted" });
    expect(unlisted.items.map((w) => w.workerId)).toEqual([world.w2]);
    const suggestion = await world.provider.api.provider.suggestPrice.query({ workerId: world.w1 });
    expect(suggestion.lines.length).toBeGreaterThan(0);
    expect(await refusal(world.renter.api.provider.suggestPrice.query({ workerId: world.w1 }))).toMatchObject(
      {
        appCode: "FORBIDDEN",
      },
    );
  });

  it("wallet views sum the owner's workers and earnings", async () => {
    const { providerAmount } = feeSplit(world.total, 500);
    const stats = await world.provider.api.wallet.stats.query();
    expect(stats).toMatchObject({
      totalWorkers: 2,
      onlineWorkers: 2,
      totalEarnings: formatMoney(providerAmount),
    });
    const achievements = await world.provider.api.wallet.achievements.query();
    expect(achievements).toMatchObject({ leasesServed: 1, totalEarnings: formatMoney(providerAmount) });
    const share = await world.provider.api.wallet.share.query();
    expect(share.fullAddress).toBe(world.provider.address);
    const history = await world.provider.api.wallet.history.query({ period: "24h" });
    expect(history.bucketSec).toBe(3600);
    const earned = history.points.reduce((sum, p) => sum + parseMoney(p.earnings), 0n);
    expect(earned).toBe(providerAmount);
  });

  it("account.paymentOptions shows what is left of the faucet's day", async () => {
    const options = await world.renter.api.account.paymentOptions.query();
    expect(options.faucet).toEqual({
      enabled: true,
      perRequest: "1000.000000",
      per24h: "10000.000000",
      remaining24h: "9960.000000",
    });
  });

  it("admin views: status, accounts, settlements, audit", async () => {
    const status = await world.admin.api.admin.status.query();
    expect(status).toMatchObject({
      workers: { total: 2, online: 2, banned: 0 },
      leases: { pending: 0, active: 0 },
      chain: { adapter: "simulator", reachable: true },
      mqttClients: 2,
    });
    const accounts = await world.admin.api.admin.accounts.query({ limit: 10 });
    expect(accounts.items).toHaveLength(3);
    const provider = accounts.items.find((a) => a.address === world.provider.address);
    expect(provider).toMatchObject({ isProvider: true, workerCount: 2 });
    const settlements = await world.admin.api.admin.settlements.query({ leaseId: world.leaseId });
    expect(settlements.items.map((x) => x.leaseId)).toEqual([world.leaseId]);
    expect(await refusal(world.renter.api.admin.status.query())).toMatchObject({ appCode: "FORBIDDEN" });
  });
});
