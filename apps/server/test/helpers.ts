/**
 * What the server's integration tests share: a server on ephemeral ports, typed API clients,
 * wallets that sign in with SIWE, simulated workers, a private Mosquitto, and polling.
 */
import { spawn } from "node:child_process";
import { type AddressInfo, connect, createServer } from "node:net";
import { createTRPCClient, createWSClient, httpBatchLink, TRPCClientError, wsLink } from "@trpc/client";
import { SimWorker, type SimWorkerOptions, syntheticBlockSource } from "@xenblocks/sim/worker";
import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from "viem/accounts";
import { expect } from "vitest";
import { WebSocket } from "ws";
import { configSchema, type ServerConfig } from "../src/config.js";
import { createLogger } from "../src/log.js";
import { type RunningServer, startServer } from "../src/server.js";
import type { AppRouter } from "../src/trpc/router.js";

export const quiet = createLogger("error", () => {});

/** Steps to undo after each test, run in reverse; register them with `cleanups.push`. */
export const cleanups: Array<() => Promise<unknown> | unknown> = [];
export async function runCleanups(): Promise<void> {
  for (const step of cleanups.splice(0).reverse()) {
    const started = Date.now();
    await step();
    // A slow clean-up is how a hang in a shutdown path shows first: say which one.
    const took = Date.now() - started;
    if (took > 5000) console.warn(`slow clean-up (${took} ms): ${String(step).slice(0, 160)}`);
  }
}

/** A server on ephemeral ports with in-memory storage unless overridden; closed after the test. */
export async function startTestServer(overrides: Partial<ServerConfig> = {}): Promise<RunningServer> {
  const config = configSchema.parse({
    httpPort: 0,
    mqttPort: 0,
    host: "127.0.0.1",
    db: "memory",
    blockMarker: "XN",
    ...overrides,
  });
  const s = await startServer(config, quiet);
  cleanups.push(() => s.close());
  return s;
}

export type Api = ReturnType<typeof apiClient>;

/** A typed client; `auth` is a JWT (sent as Bearer) or `{apiKey}`. */
export function apiClient(s: RunningServer, auth?: string | { apiKey: string }) {
  const headers: Record<string, string> =
    auth === undefined
      ? {}
      : typeof auth === "string"
        ? { authorization: `Bearer ${auth}` }
        : { "x-api-key": auth.apiKey };
  return createTRPCClient<AppRouter>({
    links: [httpBatchLink({ url: `http://127.0.0.1:${s.httpPort}/trpc`, headers })],
  });
}

/** A typed client over the WebSocket at /trpc (subscriptions); the JWT goes as `connectionParams.token`. */
export function wsApiClient(s: RunningServer, token?: string) {
  const client = createWSClient({
    url: `ws://127.0.0.1:${s.httpPort}/trpc`,
    WebSocket: WebSocket as never,
    ...(token !== undefined && { connectionParams: { token } }),
  });
  cleanups.push(() => client.close());
  return createTRPCClient<AppRouter>({ links: [wsLink({ client })] });
}

/** The error data of a refused call (`code`, `appCode`, `httpStatus`). */
export async function refusal(call: Promise<unknown>) {
  const e = await call.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(TRPCClientError);
  return (e as TRPCClientError<AppRouter>).data as { code: string; appCode: string; httpStatus: number };
}

export interface TestWallet {
  account: PrivateKeyAccount;
  /** EIP-55. */
  address: string;
  token: string;
  api: Api;
}

/** A fresh key that signs in with SIWE through the API, as a browser wallet would. */
export async function signIn(
  s: RunningServer,
  account = privateKeyToAccount(generatePrivateKey()),
): Promise<TestWallet> {
  const open = apiClient(s);
  const { message } = await open.auth.nonce.mutate({ address: account.address, chainId: 1 });
  const signature = await account.signMessage({ message });
  const { token } = await open.auth.verify.mutate({ message, signature });
  return { account, address: account.address, token, api: apiClient(s, token) };
}

/** A simulated worker on the server's embedded broker (or `brokerUrl`), mining synthetic blocks. */
export async function startWorker(
  s: RunningServer,
  workerId: string,
  owner: string,
  options: Partial<SimWorkerOptions> = {},
): Promise<SimWorker> {
  const w = new SimWorker({
    workerId,
    brokerUrl: `mqtt://127.0.0.1:${s.mqttPort}`,
    ethAddress: owner,
    heartbeatSec: 1,
    fixedDifficulty: true,
    difficulty: 8,
    blockPattern: "XN",
    miner: syntheticBlockSource(150),
    ...options,
  });
  cleanups.push(() => w.close());
  expect(await w.start()).toBe(true);
  return w;
}

/** Polls until `check` holds (or fails the test with what it was waiting for). */
export async function until<T>(
  what: string,
  check: () => Promise<T | false | null | undefined> | T | false | null | undefined,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Rents, retrying only while the worker is inside its settle gap or release wait (WORKER_BUSY:
 * platform-rules §5); any other refusal fails the test at once with its reason.
 */
export async function rentWhenReady(
  api: Api,
  input: Parameters<Api["rental"]["rent"]["mutate"]>[0],
): Promise<Awaited<ReturnType<Api["rental"]["rent"]["mutate"]>>> {
  return until("the worker to be rentable", async () => {
    try {
      return await api.rental.rent.mutate(input);
    } catch (e) {
      if (e instanceof TRPCClientError && e.data?.appCode === "WORKER_BUSY") return null;
      throw e;
    }
  });
}

/** `mosquitto -p <free port>` (no config: anonymous, loopback only), stopped after the test. */
export async function privateMosquitto(): Promise<{ port: number; stop: () => Promise<void> }> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  const child = spawn("mosquitto", ["-p", String(port)], { stdio: "ignore" });
  await until(
    "mosquitto to listen",
    () =>
      new Promise<boolean>((resolve) => {
        const socket = connect(port, "127.0.0.1", () => {
          socket.destroy();
          resolve(true);
        });
        socket.once("error", () => resolve(false));
      }),
  );
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill();
    });
  cleanups.push(stop);
  return { port, stop };
}
