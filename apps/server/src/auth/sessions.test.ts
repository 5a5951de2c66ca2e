import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type Clock,
  createPlatform,
  DomainError,
  type RevokedTokenRepo,
  type SettingsRepo,
  type Storage,
} from "@xenblocks/core";
import { fakeClock, recordingChannel } from "@xenblocks/core/testing";
import { createMemoryStorage, nodeIds, openLibsql } from "@xenblocks/storage";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, describe, expect, it } from "vitest";
import { signJwt } from "./jwt.js";
import { createAuth } from "./sessions.js";

const PUBLIC_URL = "http://localhost:8080";
const ADMIN = "0xad00000000000000000000000000000000000001";

function memorySettings(): SettingsRepo {
  const values = new Map<string, string>();
  return {
    get: async (key) => values.get(key) ?? null,
    setIfAbsent: async (key, value) => {
      if (!values.has(key)) values.set(key, value);
      return values.get(key) as string;
    },
  };
}

function memoryRevocations(): RevokedTokenRepo & { entries: Map<string, number> } {
  const entries = new Map<string, number>();
  return {
    entries,
    revoke: async (tokenId, expiresAt) => {
      if (!entries.has(tokenId)) entries.set(tokenId, expiresAt);
    },
    isRevoked: async (tokenId) => entries.has(tokenId),
    prune: async (before) => {
      let gone = 0;
      for (const [id, expiresAt] of entries) {
        if (expiresAt < before) {
          entries.delete(id);
          gone++;
        }
      }
      return gone;
    },
  };
}

async function setup(options: { jwtSecret?: string; settings?: SettingsRepo } = {}) {
  const clock = fakeClock();
  const storage = createMemoryStorage();
  const platform = createPlatform({
    storage,
    channel: recordingChannel(),
    clock,
    ids: nodeIds,
    config: { admins: [ADMIN] },
  });
  const settings = options.settings ?? memorySettings();
  const revokedTokens = memoryRevocations();
  const auth = await createAuth({
    platform,
    settings,
    revokedTokens,
    siweNonces: storage.siweNonces,
    publicUrl: PUBLIC_URL,
    clock,
    ...(options.jwtSecret !== undefined && { jwtSecret: options.jwtSecret }),
  });
  const wallet = privateKeyToAccount(generatePrivateKey());
  const signIn = async () => {
    const { message } = await auth.issueNonce({ address: wallet.address, chainId: 1 });
    return auth.verify({ message, signature: await wallet.signMessage({ message }) });
  };
  return { clock, storage, platform, settings, revokedTokens, auth, wallet, signIn };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Another server instance (or the same one restarted) over a storage: everything from the database. */
function instance(storage: Storage, clock: Clock) {
  const platform = createPlatform({
    storage,
    channel: recordingChannel(),
    clock,
    ids: nodeIds,
    config: { admins: [ADMIN] },
  });
  return createAuth({
    platform,
    settings: storage.settings,
    revokedTokens: storage.revokedTokens,
    siweNonces: storage.siweNonces,
    publicUrl: PUBLIC_URL,
    clock,
  });
}

/** The refusal of a call, as `{code, message}`. */
async function refusal(call: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  const { code, message } = error as DomainError;
  return { code, message };
}

const scratch = mkdtempSync(join(tmpdir(), "xenblocks-auth-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("auth sessions", () => {
  it("signs in: a JWT for the wallet, its account created, and the token authenticates as the wallet", async () => {
    const { auth, wallet, storage, clock, signIn } = await setup();
    const address = wallet.address.toLowerCase();
    expect(await storage.accounts.get(address)).toBeNull();

    const signedIn = await signIn();
    expect(signedIn).toMatchObject({ address, expiresAt: clock.now() + 24 * 3_600_000 });
    expect(await storage.accounts.get(address)).toMatchObject({ address });

    const caller = await auth.authenticate(bearer(signedIn.token));
    expect(caller.actor).toEqual({ address, via: "wallet" });
    expect(caller.session).toEqual({ tokenId: expect.any(String), expiresAt: signedIn.expiresAt });
  });

  it("signs in over REST by address + nonce + signature", async () => {
    const { auth, wallet } = await setup();
    const { nonce, message } = await auth.issueNonce({ address: wallet.address, chainId: 1 });
    const signature = await wallet.signMessage({ message });
    const signedIn = await auth.verifyByNonce({ address: wallet.address, nonce, signature });
    expect((await auth.authenticate(bearer(signedIn.token))).actor?.address).toBe(
      wallet.address.toLowerCase(),
    );
  });

  it("refuses a bad sign-in with the domain's error, and creates no account", async () => {
    const { auth, wallet, storage } = await setup();
    const { message } = await auth.issueNonce({ address: wallet.address, chainId: 1 });
    const other = privateKeyToAccount(generatePrivateKey());
    const error = await auth
      .verify({ message, signature: await other.signMessage({ message }) })
      .catch((e) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: "UNAUTHORIZED" });
    expect(await storage.accounts.get(wallet.address.toLowerCase())).toBeNull();
  });

  it("refuses a revoked token (after logout)", async () => {
    const { auth, revokedTokens, signIn } = await setup();
    const signedIn = await signIn();
    const { session } = await auth.authenticate(bearer(signedIn.token));
    if (!session) throw new Error("no session");
    await auth.logout(session);
    expect(revokedTokens.entries.get(session.tokenId)).toBe(signedIn.expiresAt);
    expect(await auth.authenticate(bearer(signedIn.token))).toEqual({ actor: null, session: null });
    // Logging out twice is harmless.
    await auth.logout(session);
    // Another session of the same wallet is unaffected.
    const again = await signIn();
    expect((await auth.authenticate(bearer(again.token))).actor).not.toBeNull();
  });

  it("prunes revocations once the tokens have expired anyway", async () => {
    const { auth, clock, revokedTokens, signIn } = await setup();
    const { session } = await auth.authenticate(bearer((await signIn()).token));
    if (!session) throw new Error("no session");
    await auth.logout(session);
    expect(await auth.pruneRevoked()).toBe(0);
    clock.advance(24 * 3_600_000 + 1);
    expect(await auth.pruneRevoked()).toBe(1);
    expect(revokedTokens.entries.size).toBe(0);
  });

  it("refuses an expired token, one signed with another secret, and alg none", async () => {
    const { auth, clock, wallet, signIn } = await setup({ jwtSecret: "k".repeat(32) });
    const signedIn = await signIn();
    const forged = signJwt("x".repeat(32), { address: wallet.address, now: clock.now() }).token;
    expect((await auth.authenticate(bearer(forged))).actor).toBeNull();
    const [, payload] = signedIn.token.split(".");
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString("base64url")}.${payload}.`;
    expect((await auth.authenticate(bearer(none))).actor).toBeNull();
    clock.advance(24 * 3_600_000);
    expect((await auth.authenticate(bearer(signedIn.token))).actor).toBeNull();
  });

  it("keeps sessions across a restart: the generated secret is stored once and read back", async () => {
    const settings = memorySettings();
    const first = await setup({ settings });
    const signedIn = await first.signIn();
    const restarted = await createAuth({
      platform: first.platform,
      settings,
      revokedTokens: first.revokedTokens,
      siweNonces: first.storage.siweNonces,
      publicUrl: PUBLIC_URL,
      clock: first.clock,
    });
    expect((await restarted.authenticate(bearer(signedIn.token))).actor?.address).toBe(
      first.wallet.address.toLowerCase(),
    );
    // A configured secret wins; tokens of the stored one are then invalid.
    const configured = await createAuth({
      platform: first.platform,
      settings,
      revokedTokens: first.revokedTokens,
      siweNonces: first.storage.siweNonces,
      publicUrl: PUBLIC_URL,
      clock: first.clock,
      jwtSecret: "z".repeat(48),
    });
    expect((await configured.authenticate(bearer(signedIn.token))).actor).toBeNull();
    await expect(
      createAuth({
        platform: first.platform,
        settings,
        revokedTokens: first.revokedTokens,
        siweNonces: first.storage.siweNonces,
        publicUrl: PUBLIC_URL,
        clock: first.clock,
        jwtSecret: "too short",
      }),
    ).rejects.toThrow(/32/);
  });

  it("authenticates an API key as api_key without a session, and refuses it once revoked", async () => {
    const { auth, platform, wallet } = await setup();
    const owner = { address: wallet.address.toLowerCase(), via: "wallet" as const };
    const created = await platform.accounts.createApiKey(owner, "ci");
    if (!created.ok) throw created.error;
    expect(await auth.authenticate({ apiKey: created.value.key })).toEqual({
      actor: { address: owner.address, via: "api_key" },
      session: null,
    });
    const revoked = await platform.accounts.revokeApiKey(owner, created.value.record.id);
    expect(revoked.ok).toBe(true);
    expect(await auth.authenticate({ apiKey: created.value.key })).toEqual({ actor: null, session: null });
  });

  it("gives no actor for a present but invalid credential, and none without credentials", async () => {
    const { auth, platform, wallet, signIn } = await setup();
    const nobody = { actor: null, session: null };
    expect(await auth.authenticate({})).toEqual(nobody);
    expect(await auth.authenticate({ authorization: null, apiKey: null })).toEqual(nobody);
    expect(await auth.authenticate({ authorization: "Bearer garbage" })).toEqual(nobody);
    expect(await auth.authenticate({ authorization: "Basic dXNlcjpwYXNz" })).toEqual(nobody);
    expect(await auth.authenticate({ apiKey: `xbk_${"A".repeat(43)}` })).toEqual(nobody);
    // A bad Bearer token does not fall back to a good API key.
    const created = await platform.accounts.createApiKey(
      { address: wallet.address.toLowerCase(), via: "wallet" },
      "ci",
    );
    if (!created.ok) throw created.error;
    expect(await auth.authenticate({ authorization: "Bearer nope", apiKey: created.value.key })).toEqual(
      nobody,
    );
    // The scheme is case-insensitive, as HTTP says.
    const { token } = await signIn();
    expect((await auth.authenticate({ authorization: `bearer ${token}` })).actor?.via).toBe("wallet");
  });
});

describe("sign-in nonces in the database", () => {
  it("a nonce issued by one instance is verified by another over the same storage, then neither takes it", async () => {
    const clock = fakeClock();
    const storage = createMemoryStorage();
    const [first, second] = [await instance(storage, clock), await instance(storage, clock)];
    const wallet = privateKeyToAccount(generatePrivateKey());
    const issued = await first.issueNonce({ address: wallet.address, chainId: 1 });
    const signature = await wallet.signMessage({ message: issued.message });

    const signedIn = await second.verify({ message: issued.message, signature });
    expect(signedIn.address).toBe(wallet.address.toLowerCase());
    // One secret in settings: the token works on both.
    expect((await first.authenticate(bearer(signedIn.token))).actor?.address).toBe(signedIn.address);

    for (const auth of [first, second]) {
      expect(await refusal(auth.verify({ message: issued.message, signature }))).toMatchObject({
        code: "UNAUTHORIZED",
        message: expect.stringMatching(/already used/),
      });
      expect(
        await refusal(auth.verifyByNonce({ address: wallet.address, nonce: issued.nonce, signature })),
      ).toMatchObject({ code: "UNAUTHORIZED", message: expect.stringMatching(/already used/) });
    }
  });

  it("survives a restart (libSQL file); after a restart two instances racing on one nonce: one wins", async () => {
    const clock = fakeClock();
    const file = join(scratch, "restart.db");
    const wallet = privateKeyToAccount(generatePrivateKey());

    const before = await openLibsql(file);
    const old = await instance(before, clock);
    const a = await old.issueNonce({ address: wallet.address, chainId: 1 });
    const b = await old.issueNonce({ address: wallet.address, chainId: 1 });
    await before.close();

    const after = await openLibsql(file);
    try {
      const [one, two] = [await instance(after, clock), await instance(after, clock)];
      clock.advance(60_000);
      const signatureA = await wallet.signMessage({ message: a.message });
      const signedIn = await one.verifyByNonce({
        address: wallet.address,
        nonce: a.nonce,
        signature: signatureA,
      });
      expect(signedIn.address).toBe(wallet.address.toLowerCase());
      for (const auth of [one, two]) {
        expect((await refusal(auth.verify({ message: a.message, signature: signatureA }))).message).toMatch(
          /already used/,
        );
      }

      const signatureB = await wallet.signMessage({ message: b.message });
      const race = await Promise.allSettled(
        [one, two, one, two].map((auth) => auth.verify({ message: b.message, signature: signatureB })),
      );
      expect(race.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      for (const r of race) {
        if (r.status === "rejected") expect((r.reason as DomainError).message).toMatch(/already used/);
      }
      expect(await after.siweNonces.countForAddress(wallet.address.toLowerCase(), clock.now())).toBe(0);
    } finally {
      await after.close();
    }
  });

  it("keeps at most 5 nonces per address across instances, and prunes expired ones", async () => {
    const clock = fakeClock();
    const storage = createMemoryStorage();
    const [first, second] = [await instance(storage, clock), await instance(storage, clock)];
    const wallet = privateKeyToAccount(generatePrivateKey());
    const address = wallet.address.toLowerCase();
    const issued = [];
    for (let i = 0; i < 8; i++) {
      issued.push(await (i % 2 ? second : first).issueNonce({ address: wallet.address, chainId: 1 }));
    }
    expect(await storage.siweNonces.countForAddress(address, clock.now())).toBe(5);
    const oldest = issued[0]!;
    const signature = await wallet.signMessage({ message: oldest.message });
    expect((await refusal(second.verify({ message: oldest.message, signature }))).message).toMatch(/unknown/);

    clock.advance(5 * 60_000 + 1);
    expect(await first.pruneNonces()).toBe(5);
    expect(await second.pruneNonces()).toBe(0);
  });
});
