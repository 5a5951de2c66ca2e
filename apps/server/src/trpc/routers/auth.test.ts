import { TRPCError } from "@trpc/server";
import { createPlatform, DomainError, type RevokedTokenRepo, type SettingsRepo } from "@xenblocks/core";
import { fakeClock, recordingChannel } from "@xenblocks/core/testing";
import { createMemoryStorage, nodeIds } from "@xenblocks/storage";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { MUTATION_LIMIT, RateLimiter, SIGN_IN_LIMIT } from "../../auth/rate-limit.js";
import { createAuth } from "../../auth/sessions.js";
import type { Context, ServerInfo } from "../trpc.js";
import { ViewCache } from "../view-cache.js";
import { auth } from "./auth.js";

function settingsRepo(): SettingsRepo {
  const values = new Map<string, string>();
  return {
    get: async (key) => values.get(key) ?? null,
    setIfAbsent: async (key, value) => {
      if (!values.has(key)) values.set(key, value);
      return values.get(key) as string;
    },
  };
}

function revocations(): RevokedTokenRepo {
  const ids = new Map<string, number>();
  return {
    revoke: async (id, expiresAt) => {
      ids.set(id, expiresAt);
    },
    isRevoked: async (id) => ids.has(id),
    prune: async () => 0,
  };
}

async function setup() {
  const clock = fakeClock();
  const storage = createMemoryStorage();
  const platform = createPlatform({ storage, channel: recordingChannel(), clock, ids: nodeIds });
  const authApi = await createAuth({
    platform,
    settings: settingsRepo(),
    revokedTokens: revocations(),
    siweNonces: storage.siweNonces,
    publicUrl: "http://localhost:8080",
    clock,
  });
  const info: ServerInfo = {
    version: "test",
    startedAt: clock.now(),
    mqttPort: null,
    httpPort: () => 8080,
    mqttClients: () => [],
    chain: { adapter: "none", stats: async () => null },
  };
  const limits = {
    signIn: new RateLimiter({ ...SIGN_IN_LIMIT, clock }),
    mutations: new RateLimiter({ ...MUTATION_LIMIT, clock }),
  };
  /** A caller as the server would build it from the request's credentials. */
  const caller = async (credentials: { authorization?: string; apiKey?: string } = {}) => {
    const { actor, session } = await authApi.authenticate(credentials);
    const ctx: Context = {
      platform,
      storage,
      actor,
      session,
      auth: authApi,
      clientIp: "127.0.0.1",
      info,
      limits,
      views: new ViewCache(),
      live: undefined as never,
    };
    return auth.createCaller(ctx);
  };
  return { platform, storage, caller, wallet: privateKeyToAccount(generatePrivateKey()) };
}

async function refusal(call: Promise<unknown>) {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCError);
  return error as TRPCError;
}

describe("the auth router", () => {
  it("signs in with a wallet: nonce, verify, me, logout", async () => {
    const { caller, wallet } = await setup();
    const publicApi = await caller();
    const issued = await publicApi.nonce({ address: wallet.address.toLowerCase(), chainId: 1 });
    expect(issued).toEqual({
      nonce: expect.any(String),
      message: expect.any(String),
      expiresAt: expect.any(Number),
    });

    const signature = await wallet.signMessage({ message: issued.message });
    const signedIn = await publicApi.verify({ message: issued.message, signature });
    expect(signedIn.me).toEqual({
      address: wallet.address, // EIP-55
      isAdmin: false,
      isProvider: false,
      createdAt: expect.any(Number),
    });

    const user = await caller({ authorization: `Bearer ${signedIn.token}` });
    expect(await user.me()).toEqual(signedIn.me);
    expect(await user.logout()).toEqual({ ok: true });

    const after = await caller({ authorization: `Bearer ${signedIn.token}` });
    expect((await refusal(after.me())).code).toBe("UNAUTHORIZED");
    expect((await refusal(after.logout())).code).toBe("UNAUTHORIZED");
  });

  it("refuses logout with an API key (signed-in only), while me works with it", async () => {
    const { caller, platform, wallet } = await setup();
    const created = await platform.accounts.createApiKey(
      { address: wallet.address.toLowerCase(), via: "wallet" },
      "ci",
    );
    if (!created.ok) throw created.error;
    const withKey = await caller({ apiKey: created.value.key });
    expect((await withKey.me()).address).toBe(wallet.address);
    expect((await refusal(withKey.logout())).code).toBe("UNAUTHORIZED");
  });

  it("refuses a bad signature with UNAUTHORIZED and the domain's reason", async () => {
    const { caller, wallet } = await setup();
    const api = await caller();
    const { message } = await api.nonce({ address: wallet.address, chainId: 1 });
    const other = privateKeyToAccount(generatePrivateKey());
    const error = await refusal(api.verify({ message, signature: await other.signMessage({ message }) }));
    expect(error.code).toBe("UNAUTHORIZED");
    expect(error.cause).toBeInstanceOf(DomainError);
    expect(error.message).toBe("the signature is not from this address");
  });

  it("validates inputs strictly (unknown keys, address format, signature format)", async () => {
    const { caller, wallet } = await setup();
    const api = await caller();
    const bad = [
      api.nonce({ address: "0x1234", chainId: 1 }),
      api.nonce({ address: wallet.address, chainId: 0 }),
      api.nonce({ address: wallet.address, chainId: 1, extra: true } as never),
      api.verify({ message: "hello", signature: "0x12" }),
      api.verify({ message: "", signature: `0x${"1".repeat(130)}` }),
    ];
    for (const call of bad) expect((await refusal(call)).code).toBe("BAD_REQUEST");
  });
});
