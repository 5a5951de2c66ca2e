/**
 * The API over real sockets with a typed client: who is asking (API keys; JWT comes with sign-in),
 * the error shape of api.md §1 (tRPC code + `data.appCode`), and the first public query fed by a
 * simulated worker through the embedded broker.
 */
import { SimWorker, syntheticBlockSource } from "@xenblocks/sim/worker";
import { afterEach, describe, expect, it } from "vitest";
import type { RunningServer } from "../src/server.js";
import { checksumAddress } from "../src/trpc/serialize.js";
import { apiClient, cleanups, refusal, runCleanups, startTestServer } from "./helpers.js";

const OWNER = "0xd54D06EeA11Ee23E88352633671d0b0C13c84563";
const ADMIN = "0xad00000000000000000000000000000000000001";

afterEach(runCleanups);

const server = () => startTestServer({ admins: [ADMIN] });
const api = (s: RunningServer, headers: Record<string, string> = {}) =>
  apiClient(s, headers["x-api-key"] === undefined ? undefined : { apiKey: headers["x-api-key"] });

describe("the API", () => {
  it("knows an API key's holder, and refuses a missing or unknown key with UNAUTHORIZED", async () => {
    const s = await server();
    const created = await s.platform.accounts.createApiKey(
      { address: OWNER.toLowerCase(), via: "wallet" },
      "ci",
    );
    if (!created.ok) throw created.error;
    const me = await api(s, { "x-api-key": created.value.key }).auth.me.query();
    expect(me).toMatchObject({ address: OWNER, isAdmin: false, isProvider: false });
    expect(typeof me.createdAt).toBe("number");

    expect(await refusal(api(s).auth.me.query())).toMatchObject({
      code: "UNAUTHORIZED",
      appCode: "UNAUTHORIZED",
      httpStatus: 401,
    });
    const forged = `xbk_${"A".repeat(43)}`;
    expect(await refusal(api(s, { "x-api-key": forged }).auth.me.query())).toMatchObject({
      appCode: "UNAUTHORIZED",
    });
    // An invalid credential is refused even where the public may ask (platform-rules §10).
    expect(await refusal(api(s, { "x-api-key": forged }).monitoring.stats.query())).toMatchObject({
      appCode: "UNAUTHORIZED",
    });
    expect(await refusal(apiClient(s, "not.a.jwt").overview.stats.query())).toMatchObject({
      appCode: "UNAUTHORIZED",
    });
    const rest = await fetch(`http://127.0.0.1:${s.httpPort}/api/workers`, {
      headers: { "x-api-key": forged },
    });
    expect(rest.status).toBe(401);
    const revoked = await s.platform.accounts.revokeApiKey(
      { address: OWNER.toLowerCase(), via: "wallet" },
      created.value.record.id,
    );
    expect(revoked.ok).toBe(true);
    expect(await refusal(api(s, { "x-api-key": created.value.key }).auth.me.query())).toMatchObject({
      appCode: "UNAUTHORIZED",
    });
  });

  it("refuses bad input with VALIDATION and unknown procedures with NOT_FOUND", async () => {
    const s = await server();
    expect(await refusal(api(s).monitoring.recentBlocks.query({ limit: 500 }))).toMatchObject({
      code: "BAD_REQUEST",
      appCode: "VALIDATION",
    });
    const unknown = await fetch(`http://127.0.0.1:${s.httpPort}/trpc/nothing.here`);
    expect(unknown.status).toBe(404);
    const body = (await unknown.json()) as { error: { data: unknown } };
    expect(body.error.data).toMatchObject({ code: "NOT_FOUND", appCode: "NOT_FOUND" });
  });

  it("lists the newest blocks a simulated worker reported, newest first", async () => {
    const s = await server();
    expect(await api(s).monitoring.recentBlocks.query()).toEqual([]);
    const worker = new SimWorker({
      workerId: "api0000000000001",
      brokerUrl: `mqtt://127.0.0.1:${s.mqttPort}`,
      ethAddress: OWNER,
      heartbeatSec: 1,
      fixedDifficulty: true,
      difficulty: 8,
      blockPattern: "XN",
      miner: syntheticBlockSource(50),
    });
    cleanups.push(() => worker.close());
    expect(await worker.start()).toBe(true);
    const deadline = Date.now() + 5000;
    let blocks = await api(s).monitoring.recentBlocks.query({ limit: 2 });
    while (blocks.length < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      blocks = await api(s).monitoring.recentBlocks.query({ limit: 2 });
    }
    expect(blocks).toHaveLength(2);
    const [newest, older] = blocks;
    expect(newest).toMatchObject({
      workerId: "api0000000000001",
      leaseId: null,
      status: "self",
      chainStatus: "pending",
    });
    expect(newest?.id).toBeGreaterThan(older?.id ?? Number.POSITIVE_INFINITY);
    expect(typeof newest?.receivedAt).toBe("number");
    expect(newest).not.toHaveProperty("rejectReason");
  });

  it("pages the fleet's online/offline history, newest first", async () => {
    const s = await server();
    const worker = new SimWorker({
      workerId: "api0000000000002",
      brokerUrl: `mqtt://127.0.0.1:${s.mqttPort}`,
      ethAddress: OWNER,
      heartbeatSec: 1,
      fixedDifficulty: true,
      difficulty: 8,
    });
    cleanups.push(() => worker.close());
    expect(await worker.start()).toBe(true);
    const client = api(s);
    const until = async (check: () => Promise<boolean>) => {
      for (let i = 0; i < 100 && !(await check()); i++) await new Promise((r) => setTimeout(r, 50));
    };
    await until(async () => (await s.platform.fleet.getWorker(worker.workerId))?.online === true);
    await worker.kill(); // the will fires: offline
    await until(
      async () => (await client.monitoring.health.query({ workerId: worker.workerId })).items.length > 0,
    );
    const first = await client.monitoring.health.query({ workerId: worker.workerId, limit: 1 });
    expect(first.items).toEqual([
      expect.objectContaining({ workerId: "api0000000000002", kind: "offline", reason: expect.any(String) }),
    ]);
    expect(first.items[0]).not.toHaveProperty("offlineForSec");
    // Another worker's history is not this one's.
    expect((await client.monitoring.health.query({ workerId: "someone-else" })).items).toEqual([]);
  });

  it("shows the audit log to admins only", async () => {
    const s = await server();
    const admin = { address: ADMIN, via: "wallet" as const };
    const credited = await s.platform.payments.credit(admin, OWNER, 5_000_000n, "bank-ref-1");
    expect(credited.ok).toBe(true);
    const adminKey = await s.platform.accounts.createApiKey(admin, "ops");
    const userKey = await s.platform.accounts.createApiKey(
      { address: OWNER.toLowerCase(), via: "wallet" },
      "me",
    );
    if (!adminKey.ok || !userKey.ok) throw new Error("keys");
    const log = await api(s, { "x-api-key": adminKey.value.key }).admin.audit.query({ limit: 10 });
    expect(log.items).toEqual([
      // Addresses come out in EIP-55 (api.md §1).
      expect.objectContaining({ actor: checksumAddress(ADMIN), action: "credit", target: OWNER }),
    ]);
    expect(log.nextCursor).toBeNull();
    expect(await refusal(api(s, { "x-api-key": userKey.value.key }).admin.audit.query())).toMatchObject({
      code: "FORBIDDEN",
      appCode: "FORBIDDEN",
    });
    expect(await refusal(api(s).admin.audit.query())).toMatchObject({ appCode: "UNAUTHORIZED" });
  });

  it("lets a worker's owner (or an admin) price and list it, and refuses anyone else before changing anything", async () => {
    const s = await server();
    const worker = new SimWorker({
      workerId: "api0000000000003",
      brokerUrl: `mqtt://127.0.0.1:${s.mqttPort}`,
      ethAddress: OWNER,
      heartbeatSec: 1,
      fixedDifficulty: true,
      difficulty: 8,
    });
    cleanups.push(() => worker.close());
    expect(await worker.start()).toBe(true);
    for (let i = 0; i < 100 && !(await s.platform.fleet.getWorker(worker.workerId)); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const key = async (address: string) => {
      const r = await s.platform.accounts.createApiKey({ address, via: "wallet" }, "k");
      if (!r.ok) throw r.error;
      return r.value.key;
    };
    const owner = api(s, { "x-api-key": await key(OWNER.toLowerCase()) });
    const stranger = api(s, { "x-api-key": await key("0x5555555555555555555555555555555555555555") });
    const admin = api(s, { "x-api-key": await key(ADMIN) });
    const pricing = {
      workerId: worker.workerId,
      pricePerSec: "0.020000",
      minDurationSec: 60,
      maxDurationSec: 7200,
    };
    const before = await s.platform.fleet.getWorker(worker.workerId);

    expect(await refusal(stranger.provider.setPricing.mutate(pricing))).toMatchObject({
      appCode: "FORBIDDEN",
    });
    expect(await refusal(api(s).provider.setPricing.mutate(pricing))).toMatchObject({
      appCode: "UNAUTHORIZED",
    });
    expect(
      await refusal(stranger.provider.setListed.mutate({ workerId: worker.workerId, listed: false })),
    ).toMatchObject({
      appCode: "FORBIDDEN",
    });
    expect(await refusal(owner.provider.setPricing.mutate({ ...pricing, pricePerSec: "abc" }))).toMatchObject(
      {
        appCode: "VALIDATION",
      },
    );
    expect(
      await refusal(owner.provider.setPricing.mutate({ ...pricing, minDurationSec: 9000 })),
    ).toMatchObject({
      appCode: "VALIDATION",
    });
    // Nothing changed so far.
    expect(await s.platform.fleet.getWorker(worker.workerId)).toMatchObject({
      pricePerSec: before?.pricePerSec,
      listed: before?.listed,
    });

    expect(await owner.provider.setPricing.mutate(pricing)).toEqual({
      workerId: worker.workerId,
      pricePerSec: "0.020000",
      pricePerHour: "72.000000",
      minDurationSec: 60,
      maxDurationSec: 7200,
    });
    expect(await owner.provider.setListed.mutate({ workerId: worker.workerId, listed: false })).toEqual({
      workerId: worker.workerId,
      listed: false,
    });
    expect(await admin.provider.setListed.mutate({ workerId: worker.workerId, listed: true })).toEqual({
      workerId: worker.workerId,
      listed: true,
    });
    expect(await s.platform.fleet.getWorker(worker.workerId)).toMatchObject({
      pricePerSec: 20_000n,
      listed: true,
    });
    expect(
      await refusal(owner.provider.setListed.mutate({ workerId: "nobody-here", listed: true })),
    ).toMatchObject({
      appCode: "NOT_FOUND",
    });
  });
});

describe("rate limits (platform-rules §10)", () => {
  it("allows 10 nonces a minute per IP, with its own budget for verify", async () => {
    const s = await server();
    const open = apiClient(s);
    const address = "0x2ac9de9d494459ab28fd09f10056cfa1d4c6af40";
    // Ten at once; the bucket regains one every 6 s, so a slow machine may get one more per 6 s taken.
    const started = Date.now();
    for (let i = 0; i < 10; i++) await open.auth.nonce.mutate({ address, chainId: 1 });
    const extra = Math.floor((Date.now() - started) / 6000);
    for (let i = 0; i < extra; i++) await open.auth.nonce.mutate({ address, chainId: 1 }).catch(() => {});
    expect(await refusal(open.auth.nonce.mutate({ address, chainId: 1 }))).toMatchObject({
      code: "TOO_MANY_REQUESTS",
      appCode: "RATE_LIMITED",
    });
    // Verifying is a separate step with its own budget: this one is refused for its signature.
    const verify = open.auth.verify.mutate({ message: "x".repeat(40), signature: `0x${"1".repeat(130)}` });
    expect((await refusal(verify)).appCode).not.toBe("RATE_LIMITED");
    const rest = await fetch(`http://127.0.0.1:${s.httpPort}/api/auth/nonce?address=${address}`);
    expect(rest.status).toBe(429);
  });

  it("allows 60 mutations a minute per account, then RATE_LIMITED", async () => {
    const s = await server();
    const created = await s.platform.accounts.createApiKey(
      { address: OWNER.toLowerCase(), via: "wallet" },
      "ci",
    );
    if (!created.ok) throw created.error;
    const api = apiClient(s, { apiKey: created.value.key });
    // Unknown worker: each call is refused by the domain, but every one spends the budget. The bucket
    // regains a token a second, so on a slow machine a few more than 60 may pass: never more than the
    // time taken allows.
    const started = Date.now();
    let allowed = 0;
    for (;;) {
      const refused = await refusal(api.provider.setListed.mutate({ workerId: "nope", listed: true }));
      if (refused.appCode === "RATE_LIMITED") break;
      expect(refused.appCode).toBe("NOT_FOUND");
      allowed++;
      if (allowed > 300) throw new Error("no RATE_LIMITED after 300 mutations");
    }
    const regained = Math.ceil((Date.now() - started) / 1000);
    expect(allowed).toBeGreaterThanOrEqual(60);
    expect(allowed).toBeLessThanOrEqual(60 + regained);
    // Queries are not limited.
    expect(await api.auth.me.query()).toMatchObject({ address: OWNER });
  });
});
