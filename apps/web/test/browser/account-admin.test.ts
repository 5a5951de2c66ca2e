/**
 * Account and Administration in Debian's Chromium against a real server (libSQL file, so it can be
 * restarted): (a) a wallet takes a faucet deposit, requests and cancels a withdrawal, creates an API
 * key (shown once) and revokes it; (b) the admin bans a worker during a lease set up from Node, and
 * the lease shows as interrupted; (c) the live connection survives a server restart without a page
 * reload, and a block found while the page was disconnected appears after the resume. Screenshots in
 * test-results/screenshots/.
 */
import { TRPCClientError } from "@trpc/client";
import { type BlockSource, SimWorker, syntheticBlock } from "@xenblocks/sim/worker";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shortAddress } from "../../src/lib/address.js";
import { middleTruncate } from "../../src/lib/format.js";
import {
  type Harness,
  injectWallet,
  openPage,
  screenshot,
  signInNode,
  startHarness,
  startServerAgain,
  startWorker,
  stopServer,
  until,
  type WatchedPage,
  waitForText,
} from "./harness.js";

const admin = privateKeyToAccount(generatePrivateKey());
const provider = privateKeyToAccount(generatePrivateKey());
const user = privateKeyToAccount(generatePrivateKey());
const renter = privateKeyToAccount(generatePrivateKey());
const suffix = () => Math.random().toString(16).slice(2, 12);
const leased = `acct${suffix()}`;
const spare = `acct${suffix()}`;
const gated = `gate${suffix()}`;

let h: Harness;
let gatedWorker: SimWorker;
const pages: WatchedPage[] = [];

async function watched(viewport?: { width: number; height: number }) {
  const p = await openPage(h, viewport);
  pages.push(p);
  return p;
}

/** A block source that finds a block only when `mine()` is called (a block at a moment of our choosing). */
function gatedBlockSource() {
  let release: (() => void) | null = null;
  const source: BlockSource = (job) =>
    new Promise((resolve) => {
      if (job.signal.aborted) return resolve(null);
      const onAbort = () => {
        release = null;
        resolve(null);
      };
      job.signal.addEventListener("abort", onAbort, { once: true });
      release = () => {
        job.signal.removeEventListener("abort", onAbort);
        release = null;
        resolve(syntheticBlock(job));
      };
    });
  return {
    source,
    /** Finds one block now; false while the worker is not mining (e.g. reconnecting). */
    mine(): boolean {
      const r = release;
      if (!r) return false;
      r();
      return true;
    },
  };
}

const gate = gatedBlockSource();

/** Signs the injected wallet in through the wallet button. */
async function signInUi(page: WatchedPage["page"], address: string) {
  await page.getByTestId("wallet-button").click();
  await waitForText(
    page.getByTestId("wallet-address"),
    new RegExp(`^${shortAddress(address).replace("…", ".")}$`),
  );
}

function metric(page: WatchedPage["page"], label: string) {
  return page.locator(`[aria-label="${label}"] [data-testid="metric-value"]`);
}

beforeAll(async () => {
  h = await startHarness({ admin: admin.address, storage: "file" });
  await Promise.all([startWorker(h, leased, provider.address), startWorker(h, spare, provider.address)]);
  gatedWorker = new SimWorker({
    workerId: gated,
    brokerUrl: `mqtt://127.0.0.1:${h.server.mqttPort}`,
    ethAddress: provider.address,
    heartbeatSec: 1,
    fixedDifficulty: true,
    difficulty: 8,
    blockPattern: "XN",
    miner: gate.source,
    // Back at once when the broker returns after a restart.
    reconnectMinMs: 200,
    reconnectMaxMs: 400,
  });
  h.workers.push(gatedWorker);
  if (!(await gatedWorker.start())) throw new Error("the gated worker did not start");
  await new Promise((r) => setTimeout(r, 2_500));
}, 120_000);

afterAll(async () => {
  for (const p of pages) await p.context.close().catch(() => {});
  await h?.close();
});

describe("Account and Administration in a browser", () => {
  it("asks for a wallet signed out; signed in: faucet, balance, ledger line, withdrawal, an API key shown once and revoked", async () => {
    const { page, problems } = await watched();
    await injectWallet(page, user);
    await page.goto(`${h.base}/account`);
    await page.getByRole("heading", { level: 1, name: "Account" }).waitFor();
    expect(await page.title()).toBe("Account — XenBlocks");
    await page.getByText("Connect your wallet").waitFor();
    await screenshot(page, "account-signed-out-1440x900");

    await signInUi(page, user.address);
    await waitForText(metric(page, "Available"), /^0\.000000\s*XNM$/);
    await waitForText(page.getByTestId("account-address"), new RegExp(`^${user.address}$`));
    expect(await page.getByRole("region", { name: "Administration" }).count()).toBe(0);

    // Faucet: the server's limits, then a deposit through the form.
    const faucet = page.getByRole("form", { name: "Faucet deposit" });
    await waitForText(page.getByTestId("faucet-remaining"), /^10,000\.00 XNM$/);
    await faucet.getByLabel("Amount").fill("5000");
    await faucet.getByText("At most 1,000.000000 XNM now").waitFor();
    await faucet.getByLabel("Amount").fill("250");
    await faucet.getByRole("button", { name: "Take from faucet" }).click();
    await waitForText(metric(page, "Available"), /^250\.000000\s*XNM$/);
    await waitForText(page.getByTestId("wallet-balance"), /^250\.00 XNM$/);
    await waitForText(page.getByTestId("faucet-remaining"), /^9,750\.00 XNM$/);
    const deposit = page.locator('[data-testid="transaction-row"][data-type="deposit"]');
    await waitForText(deposit, /Deposit.*\+250\.000000 XNM.*250\.000000 XNM$/);

    // A withdrawal to the wallet (the default destination), pending, then cancelled.
    const withdraw = page.getByRole("form", { name: "Withdraw" });
    expect(await withdraw.getByLabel("Destination").inputValue()).toBe(user.address);
    await withdraw.getByLabel("Amount").fill("40");
    await withdraw.getByRole("button", { name: "Request withdrawal" }).click();
    await waitForText(metric(page, "Pending withdrawals"), /^40\.000000\s*XNM$/);
    await waitForText(metric(page, "Available"), /^210\.000000\s*XNM$/);
    const request = page.getByTestId("withdrawal-row").first();
    await waitForText(request, /40\.000000 XNM.*Requested/);
    await screenshot(page, "account-signed-in-1440x900");
    await screenshot(page, "account-signed-in-1440-full", true);
    await request.getByRole("button", { name: /^Cancel the withdrawal/ }).click();
    await waitForText(request, /Cancelled/);
    await waitForText(metric(page, "Pending withdrawals"), /^0\.000000\s*XNM$/);
    await waitForText(metric(page, "Available"), /^250\.000000\s*XNM$/);
    // The ledger shows the hold and its return, signed; the type filter asks the server.
    await waitForText(
      page.locator('[data-testid="transaction-row"][data-type="withdrawal_hold"]'),
      /-40\.000000 XNM.*210\.000000 XNM$/,
    );
    await page.getByLabel("Transaction type").selectOption("deposit");
    await until("only deposits", async () => {
      const types = await page
        .getByTestId("transaction-row")
        .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-type")));
      return types.length === 1 && types[0] === "deposit";
    });
    await page.getByLabel("Transaction type").selectOption("all");

    // An API key: shown once with a warning, works as X-API-Key, then revoked.
    await page.getByLabel("New key name").fill("ci-bot");
    await page.getByRole("button", { name: "Create key" }).click();
    const created = page.getByTestId("api-key-created");
    await created.waitFor();
    await created.getByText("This is the only time the key is shown").waitFor();
    const key = (await created.getByTestId("api-key-value").textContent()) ?? "";
    expect(key).toMatch(/^xbk_/);
    await screenshot(page, "account-api-key-created-1440x900");
    const balanceWith = (k: string) =>
      fetch(`${h.base}/trpc/account.balance`, { headers: { "x-api-key": k } });
    expect((await balanceWith(key)).status).toBe(200);
    await created.getByRole("button", { name: "I have stored it" }).click();
    await created.waitFor({ state: "detached" });
    const row = page.locator('[data-testid="api-key-row"][data-name="ci-bot"]');
    await waitForText(row, new RegExp(`…${key.slice(-4)}`));
    expect(await page.getByText(key).count()).toBe(0);
    await row.getByRole("button", { name: "Revoke API key ci-bot" }).click();
    const confirm = page.getByTestId("api-key-revoke");
    await confirm.waitFor();
    // Escape cancels; the key stays.
    await page.keyboard.press("Escape");
    await confirm.waitFor({ state: "detached" });
    await row.getByRole("button", { name: "Revoke API key ci-bot" }).click();
    await confirm.getByRole("button", { name: "Revoke" }).click();
    await until("the key revoked", async () => (await row.getAttribute("data-revoked")) === "true");
    expect((await balanceWith(key)).status).toBe(401);

    await page.setViewportSize({ width: 1024, height: 768 });
    await page.waitForTimeout(300);
    await screenshot(page, "account-signed-in-1024x768");
    await screenshot(page, "account-signed-in-1024-full", true);
    expect(problems).toEqual([]);
  });

  it("admin: sees the Administration panel and bans a worker during a lease; the lease is interrupted", async () => {
    // A renter (another wallet, signed in from Node) rents the worker and waits for the lease to run.
    const renterApi = await signInNode(h, renter);
    await renterApi.account.deposit.mutate({ amount: "100" });
    const lease = await until(
      "a lease on the worker",
      async () => {
        try {
          return await renterApi.rental.rent.mutate({ workerId: leased, durationSec: 600 });
        } catch (e) {
          const code = e instanceof TRPCClientError ? e.data?.appCode : null;
          if (code === "WORKER_BUSY" || code === "WORKER_NOT_AVAILABLE") return null;
          throw e;
        }
      },
      30_000,
    );
    await until(
      "the lease active",
      async () => (await renterApi.rental.lease.query({ leaseId: lease.leaseId })).state === "active",
      30_000,
    );

    const { page, problems } = await watched();
    await injectWallet(page, admin);
    await page.goto(`${h.base}/account`);
    await signInUi(page, admin.address);
    const panel = page.getByRole("region", { name: "Administration" });
    await panel.waitFor();
    await waitForText(page.getByTestId("account-roles"), /Admin/);
    // The ledger check: balances sum to zero, escrow matches the open lease.
    await until(
      "the ledger check",
      async () => (await page.getByTestId("ledger-check").getAttribute("data-ok")) === "true",
    );
    await waitForText(page.getByTestId("status-workers"), /^3 \/ 3$/);
    await waitForText(
      panel.getByTestId("admin-accounts"),
      new RegExp(shortAddress(renter.address).replace("…", ".")),
    );
    await screenshot(page, "account-admin-1440x900");

    // Workers: look the leased worker up, ban it (confirmed), and the lease is interrupted.
    await panel.getByRole("tab", { name: "Workers" }).click();
    await panel.getByLabel("Worker id").fill(leased);
    const detail = panel.getByTestId("admin-worker");
    await waitForText(detail, new RegExp(`Current lease${middleTruncate(lease.leaseId, 12, 4)}`));
    await panel.getByLabel("Reason").fill("browser test ban");
    await panel.getByRole("button", { name: "Ban worker…" }).click();
    const confirm = page.getByTestId("admin-worker-confirm");
    await waitForText(confirm, /running lease is interrupted/);
    await screenshot(page, "account-admin-ban-confirm-1440x900");
    await confirm.getByRole("button", { name: "Ban", exact: true }).click();
    await confirm.waitFor({ state: "detached" });
    await waitForText(panel.getByTestId("admin-worker-banned"), /^Yes$/);
    await waitForText(detail, /Current leasenone/);
    // The lease drawer (as the admin sees it) says interrupted; so does the renter's API.
    await panel.getByTestId("ban-interrupted").getByRole("button").click();
    const drawer = page.getByTestId("lease-drawer");
    await waitForText(drawer, /StateInterrupted/);
    await screenshot(page, "account-admin-lease-interrupted-1440x900");
    await page.keyboard.press("Escape");
    await drawer.waitFor({ state: "detached" });
    expect((await renterApi.rental.lease.query({ leaseId: lease.leaseId })).state).toBe("interrupted");
    await waitForText(page.getByTestId("status-banned"), /^1 \//);

    // The audit log has the ban; unban asks first too.
    await panel.getByRole("tab", { name: "Audit log" }).click();
    await waitForText(panel.locator('[data-testid="audit-row"][data-action="ban"]'), /browser test ban/);
    await panel.getByRole("tab", { name: "Workers" }).click();
    await panel.getByLabel("Worker id").fill(leased);
    await panel.getByRole("button", { name: "Unban worker" }).click();
    await confirm.getByRole("button", { name: "Unban", exact: true }).click();
    await waitForText(panel.getByTestId("admin-worker-banned"), /^No$/);

    // Broadcast needs the typed confirmation before its button works.
    await panel.getByRole("tab", { name: "Broadcast" }).click();
    await panel.getByRole("button", { name: "Broadcast…" }).click();
    const ask = page.getByTestId("broadcast-confirm");
    expect(await ask.getByRole("button", { name: "Broadcast", exact: true }).isDisabled()).toBe(true);
    await screenshot(page, "account-admin-broadcast-confirm-1440x900");
    await page.keyboard.press("Escape");
    await ask.waitFor({ state: "detached" });

    // Keyboard: the tabs move with the arrow keys.
    await panel.getByRole("tab", { name: "Broadcast" }).focus();
    await page.keyboard.press("ArrowRight");
    expect(await panel.getByRole("tab", { name: "Audit log" }).getAttribute("aria-selected")).toBe("true");

    await panel.getByRole("tab", { name: "Withdrawal queue" }).click();
    await panel.getByText("The queue is empty").waitFor();
    await screenshot(page, "account-admin-1440-full", true);
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.waitForTimeout(300);
    await panel.scrollIntoViewIfNeeded();
    await screenshot(page, "account-admin-1024x768");
    expect(problems).toEqual([]);
  });

  it("reconnects after a server restart without a reload and shows the block found while disconnected", async () => {
    const { page, problems } = await watched();
    await page.goto(`${h.base}/monitoring`);
    const indicator = page.getByTestId("connection-indicator").first();
    await until("live", async () => (await indicator.getAttribute("data-state")) === "live");
    await page.locator('[data-testid="fleet-row"]').first().waitFor();
    await page.evaluate(() => {
      (window as unknown as { __xbMarker: string }).__xbMarker = "before-restart";
    });
    const before = problems.length;
    // What the indicator says over the restart, sampled in the page (every change, with its time).
    await page.evaluate(() => {
      const w = window as unknown as { __xbStates: string[] };
      w.__xbStates = [];
      const t0 = performance.now();
      let last = "";
      setInterval(() => {
        const text = document.querySelector('[data-testid="connection-indicator"]')?.textContent ?? "";
        if (text !== last) w.__xbStates.push(`${Math.round(performance.now() - t0)}ms ${text}`);
        last = text;
      }, 50);
    });

    // The server goes away: every WebSocket closes (1001). The page counts down its back-off.
    await stopServer(h);
    await waitForText(indicator, /Reconnecting in \d+ s/, 10_000);
    // Let two attempts fail (1 s, 2 s) so the next one is 4 s away: time to find a block meanwhile.
    // (The countdown can read one second high: the shared clock ticks once a second.)
    await waitForText(indicator, /Reconnecting in [45] s/, 15_000);

    // Back on the same ports and database; the gated worker reconnects and finds a block now.
    await startServerAgain(h);
    // A job held from before the restart was aborted or is dropped while offline: mine until one is stored.
    await until(
      "a block of the gated worker stored by the new server",
      async () => {
        const stored = await h.server.platform.queries.market.blocks({ limit: 5, workerId: gated });
        if (stored.items.length > 0) return true;
        if (gatedWorker.connected) gate.mine();
        await new Promise((r) => setTimeout(r, 300));
        return false;
      },
      15_000,
    );
    // Found while the page was still disconnected.
    expect(await indicator.getAttribute("data-state")).not.toBe("live");

    await until("live again", async () => (await indicator.getAttribute("data-state")) === "live", 30_000);
    // New server, new event ids: the resume got a snapshot, whose recent blocks include ours.
    await waitForText(
      page.getByTestId("live-blocks"),
      new RegExp(middleTruncate(gated, 8, 4).replace("…", ".")),
      15_000,
    );
    // Reconnecting (counting down), then Live; nothing else in between.
    const states = await page.evaluate(() => (window as unknown as { __xbStates: string[] }).__xbStates);
    const texts = states.map((t) => t.replace(/^\d+ms /, ""));
    expect(texts.length).toBeGreaterThan(2);
    expect(texts.slice(0, -1).every((t) => /^Reconnecting in \d+ s$/.test(t))).toBe(true);
    expect(texts.at(-1)).toBe("Live");
    expect(await page.evaluate(() => (window as unknown as { __xbMarker?: string }).__xbMarker)).toBe(
      "before-restart",
    );
    // The page keeps working: queries refetch from the new server.
    await page.locator('[data-testid="fleet-row"]').first().waitFor();
    await screenshot(page, "monitoring-after-restart-1440x900");

    const during = problems.slice(before);
    // Chromium logs each refused WebSocket attempt as a console error (the tRPC client itself logs
    // nothing); nothing else may appear, and nothing at all before the restart.
    const refused =
      /^console: WebSocket connection to 'ws:\/\/127\.0\.0\.1:\d+\/trpc(\?connectionParams=1)?' failed: Error in connection establishment: net::ERR_CONNECTION_REFUSED$/;
    expect(problems.slice(0, before)).toEqual([]);
    expect(during.filter((p) => !refused.test(p))).toEqual([]);
    expect(h.serverErrors).toEqual([]);
  });
});
