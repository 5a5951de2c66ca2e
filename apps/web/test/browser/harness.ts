/**
 * The browser tests' fixture: the real server in-process (memory db, embedded broker on port 0, faucet,
 * an admin) serving apps/web/dist, simulated workers over MQTT, and Debian's Chromium through
 * playwright-core with every console error, page error and failed request collected. With
 * `storage: "file"` the server runs on a libSQL file behind a TCP relay and can be stopped and started
 * again (`stopServer`, `startServerAgain`) while pages stay open. `signInNode` / `apiClient` call the API
 * from Node as a script would.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { connect, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { configSchema, type ServerConfig } from "@xenblocks/server/config";
import { createLogger } from "@xenblocks/server/log";
import { type RunningServer, startServer } from "@xenblocks/server/server";
import { SimWorker, type SimWorkerOptions, syntheticBlockSource } from "@xenblocks/sim/worker";
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from "playwright-core";
import type { PrivateKeyAccount } from "viem/accounts";
import type { AppRouter } from "../../src/api-types.js";

export const WEB_DIST = fileURLToPath(new URL("../../dist", import.meta.url));
export const SCREENSHOTS = fileURLToPath(new URL("../../test-results/screenshots", import.meta.url));

export interface Harness {
  /** The running server; replaced by `restartServer`. */
  server: RunningServer;
  base: string;
  browser: Browser;
  workers: SimWorker[];
  serverErrors: string[];
  /** The server's settings (with the ports it got), as `restartServer` starts it again. */
  config: ServerConfig;
  /** The scratch directory of a `storage: "file"` harness (removed by `close`). */
  dataDir: string | null;
  close(): Promise<void>;
}

export async function startHarness(opts: {
  admin: string;
  /** `file`: a libSQL file in a temp directory, so the server can be restarted on the same data. */
  storage?: "memory" | "file";
}): Promise<Harness> {
  const serverErrors: string[] = [];
  const dataDir = opts.storage === "file" ? mkdtempSync(join(tmpdir(), "xb-web-")) : null;
  const logger = createLogger("error", (line) => serverErrors.push(line));
  const config = configSchema.parse({
    httpPort: 0,
    mqttPort: 0,
    host: "127.0.0.1",
    db: dataDir ? join(dataDir, "xenblocks.db") : "memory",
    blockMarker: "XN",
    faucet: true,
    admins: [opts.admin.toLowerCase()],
    webDir: WEB_DIST,
  });
  const server = await startServer(config, logger);
  // A restart listens on the same ports, so pages and workers reconnect to the same address.
  config.httpPort = server.httpPort;
  if (server.mqttPort !== null) config.mqttPort = server.mqttPort;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run"],
  });
  const workers: SimWorker[] = [];
  mkdirSync(SCREENSHOTS, { recursive: true });
  // A restartable harness puts a TCP relay in front of the HTTP port, so that stopping the server can
  // drop every connection from the client side: the server's close() ends its WebSockets but leaves
  // idle keep-alive HTTP connections open, and either of those keeps the port from being bound again.
  const relay = dataDir ? await TcpRelay.start(server.httpPort) : null;
  const harness: Harness = {
    server,
    base: `http://127.0.0.1:${relay ? relay.port : server.httpPort}`,
    browser,
    workers,
    serverErrors,
    config,
    dataDir,
    async close() {
      await browser.close().catch(() => {});
      await Promise.all(workers.map((w) => w.close().catch(() => {})));
      if (internals.get(harness)?.up !== false) await harness.server.close();
      await relay?.close();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  internals.set(harness, { logger, up: true, relay });
  return harness;
}

/** What a restart needs besides the public fields. */
const internals = new WeakMap<
  Harness,
  { logger: ReturnType<typeof createLogger>; up: boolean; relay: TcpRelay | null }
>();

/**
 * Forwards TCP connections from its own port to the server's HTTP port (WebSocket upgrades included,
 * byte for byte). `pause` drops every connection and stops listening (clients get "connection
 * refused", as from a stopped server); `resume` listens on the same port again.
 */
class TcpRelay {
  private readonly sockets = new Set<Socket>();
  private server: Server | null = null;

  private constructor(
    /** The server's HTTP port; a restart may move it (see `startServerAgain`). */
    public target: number,
    public port: number,
  ) {}

  static async start(target: number): Promise<TcpRelay> {
    const relay = new TcpRelay(target, 0);
    await relay.resume();
    return relay;
  }

  async resume(): Promise<void> {
    if (this.server) return;
    const server = createServer((client) => {
      const upstream = connect(this.target, "127.0.0.1");
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on("close", () => this.sockets.delete(s));
        s.on("error", () => {});
      }
      // Half-closes pass through (pipe ends the other side); a close ends it once written out.
      client.on("close", () => upstream.end());
      upstream.on("close", () => client.end());
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    const address = server.address();
    if (address && typeof address === "object") this.port = address.port;
    this.server = server;
  }

  async pause(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  close(): Promise<void> {
    return this.pause();
  }
}

/**
 * Stops the harness's server: pages lose their connections (a restartable harness cuts them at its
 * relay first), then the server shuts down gracefully and its broker drops the workers. Only a
 * `storage: "file"` harness can start it again.
 */
export async function stopServer(h: Harness): Promise<void> {
  const state = internals.get(h);
  if (state) state.up = false;
  // The relay drops every connection first (to the page, as if the network or the server went away):
  // a connection the server closes itself leaves its port in TIME_WAIT, and the server listens
  // without SO_REUSEADDR, so it could not listen on that port again for a minute.
  await state?.relay?.pause();
  await new Promise((r) => setTimeout(r, 200));
  await h.server.close();
}

/**
 * Starts the server again on the same database file and MQTT port, and on the same HTTP port when the
 * system lets it (else on a new one behind the same relay port, so `h.base` does not change).
 */
export async function startServerAgain(h: Harness): Promise<RunningServer> {
  if (!h.dataDir) throw new Error('only a storage: "file" harness can be restarted');
  const state = internals.get(h);
  if (!state) throw new Error("not a harness of startHarness");
  try {
    h.server = await startServer(h.config, state.logger);
  } catch (e) {
    // The server listens without SO_REUSEADDR: a connection it closed itself (a WebSocket it ended, an
    // idle keep-alive it timed out) holds its port in TIME_WAIT for a minute. Pages and workers keep
    // their addresses all the same: pages reach the server through the relay, workers through MQTT.
    if (!state.relay || !/already in use/.test(String(e))) throw e;
    h.server = await startServer({ ...h.config, httpPort: 0 }, state.logger);
    h.config.httpPort = h.server.httpPort;
    state.relay.target = h.server.httpPort;
  }
  state.up = true;
  await state.relay?.resume();
  return h.server;
}

/** `stopServer`, then `startServerAgain`. */
export async function restartServer(h: Harness): Promise<RunningServer> {
  await stopServer(h);
  return startServerAgain(h);
}

/** A tRPC client in Node against the harness server (Bearer token when given), as a script would use. */
export function apiClient(h: Harness, token?: string) {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${h.base}/trpc`,
        headers: () => (token ? { authorization: `Bearer ${token}` } : {}),
      }),
    ],
  });
}

export type ApiClient = ReturnType<typeof apiClient>;

/** Signs `account` in from Node (auth.nonce, a viem signature, auth.verify); returns its client. */
export async function signInNode(h: Harness, account: PrivateKeyAccount): Promise<ApiClient> {
  const open = apiClient(h);
  const { message } = await open.auth.nonce.mutate({ address: account.address, chainId: 1 });
  const signature = await account.signMessage({ message });
  const { token } = await open.auth.verify.mutate({ message, signature });
  return apiClient(h, token);
}

/**
 * A simulated worker on the harness server's broker, mining synthetic blocks now and then; `extra`
 * overrides any other worker option (e.g. `hazards` to slow its handling of `assign_task`).
 */
export async function startWorker(
  h: Harness,
  workerId: string,
  owner: string,
  meanBlockMs = 6_000,
  extra: Partial<SimWorkerOptions> = {},
): Promise<SimWorker> {
  const w = new SimWorker({
    workerId,
    brokerUrl: `mqtt://127.0.0.1:${h.server.mqttPort}`,
    ethAddress: owner,
    heartbeatSec: 1,
    fixedDifficulty: true,
    difficulty: 8,
    blockPattern: "XN",
    miner: syntheticBlockSource(meanBlockMs),
    ...extra,
  });
  h.workers.push(w);
  if (!(await w.start())) throw new Error(`worker ${workerId} did not start`);
  return w;
}

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Console errors, page errors, failed requests and HTTP errors seen so far. */
  problems: string[];
}

/** A fresh context and page that records everything that goes wrong. */
export async function openPage(h: Harness, viewport = { width: 1440, height: 900 }): Promise<WatchedPage> {
  const context = await h.browser.newContext({ viewport });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("requestfailed", (r) => {
    const reason = r.failure()?.errorText ?? "";
    // Navigating away aborts requests in flight; that is the browser's doing, not a failure.
    if (reason !== "net::ERR_ABORTED") problems.push(`request failed: ${r.method()} ${r.url()} ${reason}`);
  });
  page.on("response", (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.request().method()} ${r.url()}`);
  });
  return { page, context, problems };
}

/** Injects an EIP-1193 wallet whose `personal_sign` is done in Node with a viem key. */
export async function injectWallet(page: Page, account: PrivateKeyAccount): Promise<void> {
  await page.exposeFunction("__xbTestSign", (hex: string) =>
    account.signMessage({ message: { raw: hex as `0x${string}` } }),
  );
  await page.addInitScript(
    ({ address }) => {
      const w = window as unknown as {
        ethereum: unknown;
        __xbTestSign: (hex: string) => Promise<string>;
      };
      w.ethereum = {
        isTestWallet: true,
        request: async ({ method, params }: { method: string; params?: unknown[] }) => {
          if (method === "eth_requestAccounts" || method === "eth_accounts") return [address];
          if (method === "eth_chainId") return "0x1";
          if (method === "personal_sign") return w.__xbTestSign(String(params?.[0]));
          throw Object.assign(new Error(`unsupported method ${method}`), { code: 4200 });
        },
        on: () => {},
        removeListener: () => {},
      };
    },
    { address: account.address },
  );
}

/** Waits until the locator's text matches. */
export async function waitForText(locator: Locator, pattern: RegExp, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  for (;;) {
    last = (await locator.textContent({ timeout: timeoutMs }).catch(() => null)) ?? "";
    if (pattern.test(last)) return last;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${pattern} (last text: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function until<T>(
  what: string,
  check: () => Promise<T | false | null | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function screenshot(page: Page, name: string, fullPage = false): Promise<void> {
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage });
}
