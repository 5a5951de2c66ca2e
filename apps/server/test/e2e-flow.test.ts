/**
 * The marketplace end to end over real sockets (issue "Done means"): simulated workers on the
 * server's broker; a renter signs in with SIWE, takes faucet funds, rents, sees the lease go
 * pending → active and blocks accepted, stops and gets the exact settlement and refund; a provider
 * prices and lists; an admin bans a worker mid-lease; a worker dies mid-lease and the lease is
 * interrupted and billed to its last good heartbeat. The same flow runs on libSQL with the embedded
 * broker, on the real Postgres, and against an external Mosquitto (`--mqtt-url`).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { billedSeconds, feeSplit, formatMoney, parseMoney } from "@xenblocks/core";
import postgres from "postgres";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { ServerConfig } from "../src/config.js";
import type { RunningServer } from "../src/server.js";
import {
  cleanups,
  privateMosquitto,
  refusal,
  rentWhenReady,
  runCleanups,
  signIn,
  startTestServer,
  startWorker,
  until,
  wsApiClient,
} from "./helpers.js";

afterEach(runCleanups);

/**
 * Scratch databases being dropped. DROP DATABASE forces a checkpoint, which took 13–30 s while the
 * storage suites loaded the same Postgres: the next test does not wait for it, the file's end does.
 */
const drops: Promise<unknown>[] = [];
afterAll(() => Promise.all(drops), 180_000);

const POSTGRES_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "xb-e2e-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A database of its own on the real Postgres, dropped after the test. */
async function freshPostgresDatabase(): Promise<string> {
  const name = `xbe2e_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
  const admin = postgres(POSTGRES_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  cleanups.push(() => {
    drops.push(
      admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).finally(() => admin.end({ timeout: 2 })),
    );
  });
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

const backends: Array<{ name: string; config: () => Promise<Partial<ServerConfig>> }> = [
  {
    name: "libSQL file, embedded broker",
    config: async () => ({ db: join(scratchDir(), "xenblocks.db") }),
  },
  {
    name: "the real Postgres",
    config: async () => ({ db: await freshPostgresDatabase(), chainData: join(scratchDir(), "chain.json") }),
  },
  {
    name: "an external Mosquitto (--mqtt-url)",
    config: async () => ({
      db: join(scratchDir(), "xenblocks.db"),
      mqttUrl: `mqtt://127.0.0.1:${(await privateMosquitto()).port}`,
    }),
  },
];

describe.each(backends)("the marketplace end to end on $name", ({ config }) => {
  it("rents, mines, stops and settles exactly; lists, bans and survives a dead worker", async () => {
    const admin = privateKeyToAccount(generatePrivateKey());
    const settings = await config();
    const s: RunningServer = await startTestServer({
      ...settings,
      admins: [admin.address.toLowerCase()],
      faucet: true,
    });
    const brokerUrl = settings.mqttUrl ?? `mqtt://127.0.0.1:${s.mqttPort}`;

    // A provider with three workers, signed in with its wallet.
    const provider = await signIn(s);
    const ids = ["e2e0000000000001", "e2e0000000000002", "e2e0000000000003"].map(
      (id) => `${id.slice(0, 12)}${Math.floor(Math.random() * 9000 + 1000)}`,
    );
    const [w1, w2, w3] = await Promise.all(
      ids.map((id) => startWorker(s, id, provider.address, { brokerUrl })),
    );
    if (!w1 || !w2 || !w3) throw new Error("three workers");
    await until("the workers online and AVAILABLE", async () => {
      const page = await provider.api.provider.workers.query({ filter: "online", limit: 10 });
      return page.total === 3 && page.items.every((w) => w.state === "AVAILABLE");
    });

    // The provider prices its first worker and takes the second off the market, then back.
    const priced = await provider.api.provider.setPricing.mutate({
      workerId: w1.workerId,
      pricePerSec: "0.012345",
      minDurationSec: 1,
      maxDurationSec: 3600,
    });
    expect(priced).toEqual({
      workerId: w1.workerId,
      pricePerSec: "0.012345",
      pricePerHour: "44.442000",
      minDurationSec: 1,
      maxDurationSec: 3600,
    });
    await provider.api.provider.setListed.mutate({ workerId: w2.workerId, listed: false });
    const listed = async () =>
      (await provider.api.marketplace.list.query({ limit: 100, availableOnly: false })).items.map(
        (l) => l.workerId,
      );
    expect(await listed()).not.toContain(w2.workerId);
    await provider.api.provider.setListed.mutate({ workerId: w2.workerId, listed: true });
    expect(await listed()).toContain(w2.workerId);

    // A renter signs in with SIWE and takes faucet funds.
    const renter = await signIn(s);
    const me = await renter.api.auth.me.query();
    expect(me).toMatchObject({ address: renter.address, isAdmin: false, isProvider: false });
    await renter.api.account.deposit.mutate({ amount: "100.000000", idempotencyKey: "first-deposit" });
    // A replay under the same key returns the first answer and credits nothing more.
    await renter.api.account.deposit.mutate({ amount: "100.000000", idempotencyKey: "first-deposit" });
    expect(await renter.api.account.balance.query()).toEqual({
      available: "100.000000",
      escrowed: "0.000000",
      pendingWithdrawals: "0.000000",
    });

    // Live events over the WebSocket: the renter's leases, and the public block feed.
    const leaseEvents: Array<{ leaseId: string; state: string; settled: boolean }> = [];
    const blockEvents: Array<{ leaseId: string | null; status: string }> = [];
    const ws = wsApiClient(s, renter.token);
    const leaseSub = ws.live.leases.subscribe(
      {},
      {
        onData: ({ data }) =>
          leaseEvents.push({
            leaseId: data.lease.leaseId,
            state: data.lease.state,
            settled: data.settlement !== undefined,
          }),
      },
    );
    const blockSub = ws.live.events.subscribe(
      { topics: ["block"] },
      {
        onData: ({ data }) => {
          if (data.type === "block") blockEvents.push({ leaseId: data.leaseId, status: data.status });
        },
      },
    );
    cleanups.push(() => {
      leaseSub.unsubscribe();
      blockSub.unsubscribe();
    });
    // Let both subscriptions attach before anything happens.
    await until(
      "the live subscriptions to attach",
      async () => (await ws.live.snapshot.query()).eventId !== undefined,
    );

    // Rent the priced worker: pending, then active once the worker confirms.
    const lease = await rentWhenReady(renter.api, { workerId: w1.workerId, durationSec: 600 });
    expect(lease).toMatchObject({ workerId: w1.workerId, state: "pending", pricePerSec: "0.012345" });
    expect(lease.escrow).toBe(formatMoney(parseMoney("0.012345") * 600n));
    const active = await until("the lease to become active", async () => {
      const l = await renter.api.rental.lease.query({ leaseId: lease.leaseId });
      return l.state === "active" ? l : null;
    });
    expect(active.confirmedAt).toBeGreaterThanOrEqual(lease.createdAt);

    // Blocks mined under the lease's prefix are accepted and credited to the renter.
    const blocks = await until("two accepted lease blocks", async () => {
      const page = await renter.api.rental.blocks.query({ leaseId: lease.leaseId, limit: 100 });
      const accepted = page.items.filter((b) => b.status === "accepted");
      return accepted.length >= 2 ? accepted : null;
    });
    expect(blocks.every((b) => b.leaseId === lease.leaseId && b.workerId === w1.workerId)).toBe(true);
    await new Promise((r) => setTimeout(r, 1200));

    // Stop: the settlement is the billed seconds at the lease's price, the rest comes back.
    const stopped = await renter.api.rental.stop.mutate({ leaseId: lease.leaseId });
    expect(stopped.lease.state).toBe("completed");
    const record = await s.platform.rental.getLease(
      { address: renter.address.toLowerCase(), via: "wallet" },
      lease.leaseId,
    );
    if (!record.ok) throw record.error;
    const billed = billedSeconds(record.value.lease.confirmedAt, record.value.lease.endedAt ?? 0, 600);
    expect(billed).toBeGreaterThanOrEqual(1);
    const total = parseMoney("0.012345") * BigInt(billed);
    const { fee, providerAmount } = feeSplit(total, 500);
    expect(stopped.settlement).toMatchObject({
      leaseId: lease.leaseId,
      state: "completed",
      billedSec: billed,
      total: formatMoney(total),
      fee: formatMoney(fee),
      feeBps: 500,
      providerAmount: formatMoney(providerAmount),
      refund: formatMoney(parseMoney(lease.escrow) - total),
    });
    expect(await renter.api.account.balance.query()).toMatchObject({
      available: formatMoney(parseMoney("100.000000") - total),
      escrowed: "0.000000",
    });
    // The renter saw its lease go pending → active → completed live, and its blocks arrive.
    await until("the completed lease event", () =>
      leaseEvents.some((e) => e.leaseId === lease.leaseId && e.state === "completed" && e.settled),
    );
    const states = leaseEvents.filter((e) => e.leaseId === lease.leaseId).map((e) => e.state);
    expect(states.slice(0, 2)).toEqual(["pending", "active"]);
    expect(
      blockEvents.filter((b) => b.leaseId === lease.leaseId && b.status === "accepted").length,
    ).toBeGreaterThanOrEqual(blocks.length);
    expect(await refusal(renter.api.rental.stop.mutate({ leaseId: lease.leaseId }))).toMatchObject({
      appCode: "LEASE_NOT_ACTIVE",
    });
    const earnings = await provider.api.provider.earnings.query({ limit: 10 });
    expect(earnings.items.map((e) => [e.leaseId, e.providerAmount])).toEqual([
      [lease.leaseId, formatMoney(providerAmount)],
    ]);
    const history = await renter.api.account.transactions.query({ limit: 10 });
    expect(history.items.map((t) => [t.type, t.amount])).toEqual([
      ["lease_refund", formatMoney(parseMoney(lease.escrow) - total)],
      ["lease_escrow", `-${lease.escrow}`],
      ["deposit", "100.000000"],
    ]);

    // An admin bans a worker in the middle of a lease: the lease is interrupted at once.
    const banned = await rentWhenReady(renter.api, { workerId: w2.workerId, durationSec: 600 });
    await until(
      "the second lease to become active",
      async () => (await renter.api.rental.lease.query({ leaseId: banned.leaseId })).state === "active",
    );
    const adminApi = (await signIn(s, admin)).api;
    expect(
      await refusal(provider.api.admin.setBanned.mutate({ workerId: w2.workerId, banned: true })),
    ).toMatchObject({
      appCode: "FORBIDDEN",
    });
    await adminApi.admin.setBanned.mutate({ workerId: w2.workerId, banned: true, reason: "e2e" });
    const afterBan = await renter.api.rental.lease.query({ leaseId: banned.leaseId });
    expect(afterBan.state).toBe("interrupted");
    expect(afterBan.settlement?.state).toBe("interrupted");

    // A worker dies mid-lease: interrupted, billed to its last good heartbeat.
    const dying = await rentWhenReady(renter.api, { workerId: w3.workerId, durationSec: 600 });
    await until(
      "the third lease to become active",
      async () => (await renter.api.rental.lease.query({ leaseId: dying.leaseId })).state === "active",
    );
    await new Promise((r) => setTimeout(r, 2200));
    await w3.kill();
    const died = await until(
      "the third lease to be interrupted",
      async () => {
        const l = await renter.api.rental.lease.query({ leaseId: dying.leaseId });
        return l.state === "interrupted" ? l : null;
      },
      15_000,
    );
    const diedRecord = await s.platform.rental.getLease(
      { address: renter.address.toLowerCase(), via: "wallet" },
      dying.leaseId,
    );
    if (!diedRecord.ok) throw diedRecord.error;
    const { confirmedAt, lastGoodHeartbeatAt } = diedRecord.value.lease;
    expect(lastGoodHeartbeatAt).not.toBeNull();
    const diedBilled = billedSeconds(confirmedAt, lastGoodHeartbeatAt ?? 0, 600);
    expect(died.settlement?.billedSec).toBe(diedBilled);
    expect(died.settlement?.total).toBe(formatMoney(parseMoney(dying.pricePerSec) * BigInt(diedBilled)));

    // The books balance: every unit is somewhere, nothing went negative.
    expect(await s.platform.ledgerViolations()).toEqual([]);
  }, 90_000);
});
