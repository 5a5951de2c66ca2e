/**
 * Every mutation refuses a caller who is not allowed, before it changes anything (issue "Done
 * means"): each refusal is checked for its app code and for the state it must have left alone.
 */
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../src/server.js";
import {
  apiClient,
  cleanups,
  refusal,
  rentWhenReady,
  runCleanups,
  signIn,
  startTestServer,
  startWorker,
  type TestWallet,
  until,
} from "./helpers.js";

interface World {
  s: RunningServer;
  owner: TestWallet;
  renter: TestWallet;
  stranger: TestWallet;
  admin: TestWallet;
  workerId: string;
  leaseId: string;
  withdrawalId: string;
  strangerKey: string;
  ownerKeyId: string;
}

let world: World;
const teardown: Array<() => Promise<unknown> | unknown> = [];

beforeAll(async () => {
  const adminAccount = privateKeyToAccount(generatePrivateKey());
  const s = await startTestServer({ admins: [adminAccount.address.toLowerCase()], faucet: true });
  const owner = await signIn(s);
  const renter = await signIn(s);
  const stranger = await signIn(s);
  const admin = await signIn(s, adminAccount);
  const w = await startWorker(s, "ref0000000000001", owner.address);
  await until("the worker online", async () => (await s.platform.fleet.getWorker(w.workerId))?.online);
  await renter.api.account.deposit.mutate({ amount: "50.000000" });
  const lease = await rentWhenReady(renter.api, { workerId: w.workerId, durationSec: 600 });
  await until(
    "the lease active",
    async () => (await renter.api.rental.lease.query({ leaseId: lease.leaseId })).state === "active",
  );
  const withdrawal = await renter.api.account.withdraw.mutate({ amount: "1.000000" });
  const strangerKey = await stranger.api.account.apiKeys.create.mutate({ name: "stranger" });
  const ownerKey = await owner.api.account.apiKeys.create.mutate({ name: "owner" });
  world = {
    s,
    owner,
    renter,
    stranger,
    admin,
    workerId: w.workerId,
    leaseId: lease.leaseId,
    withdrawalId: withdrawal.id,
    strangerKey: strangerKey.key,
    ownerKeyId: ownerKey.id,
  };
  // The world lives for the whole file: keep its cleanups away from the per-test ones.
  teardown.push(...cleanups.splice(0));
}, 30_000);

afterEach(runCleanups);
afterAll(async () => {
  for (const step of teardown.reverse()) await step();
});

const nobody = () => apiClient(world.s);
const viaKey = () => apiClient(world.s, { apiKey: world.strangerKey });

async function leaseState() {
  return (await world.renter.api.rental.lease.query({ leaseId: world.leaseId })).state;
}

async function workerRow() {
  const w = await world.s.platform.fleet.getWorker(world.workerId);
  if (!w) throw new Error("worker gone");
  return { price: w.pricePerSec, listed: w.listed, banned: w.banned, pending: w.pendingControl };
}

describe("every mutation refuses who may not call it, and changes nothing", () => {
  it("rental.rent: nobody → UNAUTHORIZED; no lease, no escrow", async () => {
    const before = await world.s.platform.queries.market.overviewStats();
    expect(await refusal(nobody().rental.rent.mutate({ durationSec: 60 }))).toMatchObject({
      appCode: "UNAUTHORIZED",
    });
    expect((await world.s.platform.queries.market.overviewStats()).totalLeases).toBe(before.totalLeases);
  });

  it("rental.stop: nobody → UNAUTHORIZED, a stranger and the provider → FORBIDDEN; the lease runs on", async () => {
    expect(await refusal(nobody().rental.stop.mutate({ leaseId: world.leaseId }))).toMatchObject({
      appCode: "UNAUTHORIZED",
    });
    for (const who of [world.stranger, world.owner]) {
      expect(await refusal(who.api.rental.stop.mutate({ leaseId: world.leaseId }))).toMatchObject({
        appCode: "FORBIDDEN",
      });
    }
    expect(await leaseState()).toBe("active");
  });

  it("provider.setPricing / setListed / control: a stranger → FORBIDDEN; the worker is untouched", async () => {
    const before = await workerRow();
    const { workerId } = world;
    const api = world.stranger.api;
    expect(
      await refusal(
        api.provider.setPricing.mutate({
          workerId,
          pricePerSec: "0.000001",
          minDurationSec: 1,
          maxDurationSec: 60,
        }),
      ),
    ).toMatchObject({ appCode: "FORBIDDEN" });
    expect(await refusal(api.provider.setListed.mutate({ workerId, listed: false }))).toMatchObject({
      appCode: "FORBIDDEN",
    });
    expect(await refusal(api.provider.control.mutate({ workerId, action: "pause" }))).toMatchObject({
      appCode: "FORBIDDEN",
    });
    expect(await refusal(nobody().provider.setListed.mutate({ workerId, listed: false }))).toMatchObject({
      appCode: "UNAUTHORIZED",
    });
    expect(await workerRow()).toEqual(before);
    expect(await leaseState()).toBe("active");
  });

  it("account.deposit / withdraw: nobody → UNAUTHORIZED; cancelling another's withdrawal → NOT_FOUND", async () => {
    const before = await world.renter.api.account.balance.query();
    expect(await refusal(nobody().account.deposit.mutate({ amount: "1.000000" }))).toMatchObject({
      appCode: "UNAUTHORIZED",
    });
    expect(await refusal(nobody().account.withdraw.mutate({ amount: "1.000000" }))).toMatchObject({
      appCode: "UNAUTHORIZED",
    });
    expect(
      await refusal(world.stranger.api.account.cancelWithdrawal.mutate({ id: world.withdrawalId })),
    ).toMatchObject({ appCode: "NOT_FOUND" });
    expect(await world.renter.api.account.balance.query()).toEqual(before);
    const mine = await world.renter.api.account.withdrawals.query({ limit: 5 });
    expect(mine.items.find((w) => w.id === world.withdrawalId)?.state).toBe("requested");
  });

  it("account.apiKeys: an API key cannot manage keys; another account's key cannot be revoked", async () => {
    expect(await refusal(viaKey().account.apiKeys.create.mutate({ name: "more" }))).toMatchObject({
      appCode: "UNAUTHORIZED",
    });
    expect(await refusal(viaKey().account.apiKeys.revoke.mutate({ id: world.ownerKeyId }))).toMatchObject({
      appCode: "UNAUTHORIZED",
    });
    const foreign = await refusal(world.stranger.api.account.apiKeys.revoke.mutate({ id: world.ownerKeyId }));
    expect(["NOT_FOUND", "FORBIDDEN"]).toContain(foreign.appCode);
    const keys = await world.owner.api.account.apiKeys.list.query();
    expect(keys.find((k) => k.id === world.ownerKeyId)?.revokedAt).toBeNull();
  });

  it("auth.logout: nobody and an API key → UNAUTHORIZED", async () => {
    expect(await refusal(nobody().auth.logout.mutate())).toMatchObject({ appCode: "UNAUTHORIZED" });
    expect(await refusal(viaKey().auth.logout.mutate())).toMatchObject({ appCode: "UNAUTHORIZED" });
  });

  it("admin mutations: a user who is not an admin → FORBIDDEN; nothing moves", async () => {
    const { workerId } = world;
    const api = world.owner.api;
    const balance = await world.stranger.api.account.balance.query();
    const before = await workerRow();
    const calls: Array<Promise<unknown>> = [
      api.admin.setBanned.mutate({ workerId, banned: true }),
      api.admin.workerControl.mutate({ workerId, action: "pause" }),
      api.admin.broadcast.mutate({ action: "pause" }),
      api.admin.credit.mutate({ address: world.stranger.address, amount: "5.000000", reference: "r-1" }),
      api.admin.resolveWithdrawal.mutate({ id: world.withdrawalId, action: "complete" }),
    ];
    for (const call of calls) expect(await refusal(call)).toMatchObject({ appCode: "FORBIDDEN" });
    expect(await refusal(nobody().admin.setBanned.mutate({ workerId, banned: true }))).toMatchObject({
      appCode: "UNAUTHORIZED",
    });
    expect(await world.stranger.api.account.balance.query()).toEqual(balance);
    expect(await workerRow()).toEqual(before);
    expect(await leaseState()).toBe("active");
    const withdrawals = await world.admin.api.admin.withdrawals.query({ limit: 10 });
    expect(withdrawals.items.find((w) => w.id === world.withdrawalId)?.state).toBe("requested");
  });

  it("shutdown needs confirm: CONFIRMATION_REQUIRED, and the lease runs on", async () => {
    expect(
      await refusal(
        world.owner.api.provider.control.mutate({ workerId: world.workerId, action: "shutdown" }),
      ),
    ).toMatchObject({ appCode: "CONFIRMATION_REQUIRED" });
    expect(await leaseState()).toBe("active");
  });
});
