/**
 * The dashboard in Debian's Chromium against a real server with simulated workers: Overview and
 * Monitoring render real data with no console error or failed request, the fleet table pages and sorts
 * on the server, live updates arrive without a reload, the global search opens a worker, and an
 * injected EIP-1193 wallet signs in with SIWE. Screenshots of each page land in
 * test-results/screenshots/ at 1440×900 and 1024×768.
 */
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shortAddress } from "../../src/lib/address.js";
import {
  type Harness,
  injectWallet,
  openPage,
  screenshot,
  startHarness,
  startWorker,
  until,
  type WatchedPage,
  waitForText,
} from "./harness.js";

const admin = privateKeyToAccount(generatePrivateKey());
const provider = privateKeyToAccount(generatePrivateKey());
const wallet = privateKeyToAccount(generatePrivateKey());
const WORKERS = 22;
const workerIds = Array.from(
  { length: WORKERS },
  (_, i) => `web${String(i).padStart(2, "0")}${Math.random().toString(16).slice(2, 12)}`,
);

let h: Harness;
const pages: WatchedPage[] = [];

async function watched(viewport?: { width: number; height: number }) {
  const p = await openPage(h, viewport);
  pages.push(p);
  return p;
}

beforeAll(async () => {
  h = await startHarness({ admin: admin.address });
  // Most workers belong to one provider; three to the wallet that signs in later.
  await Promise.all(workerIds.map((id, i) => startWorker(h, id, i < 3 ? wallet.address : provider.address)));
  // Let registrations, a few heartbeats and the first blocks land, then take the hashrate sample the
  // server's 30 s job would take (the charts plot these real samples).
  await new Promise((r) => setTimeout(r, 4_000));
  await h.server.platform.jobs.flushHeartbeats();
  await h.server.platform.jobs.snapshotHashrate();
  await h.server.platform.jobs.rollupHashrate();
}, 120_000);

afterAll(async () => {
  for (const p of pages) await p.context.close().catch(() => {});
  await h?.close();
});

describe("the dashboard in a browser", () => {
  it("renders Overview with real data and no console error", async () => {
    const { page, problems } = await watched();
    await page.goto(`${h.base}/`);
    await page.getByRole("heading", { level: 1, name: "Overview" }).waitFor();
    expect(await page.title()).toBe("XenBlocks");
    await waitForText(
      page.locator('[aria-label="Online workers"] [data-testid="metric-value"]'),
      new RegExp(`^${WORKERS}\\s*/\\s*${WORKERS}$`),
    );
    await waitForText(page.locator('[aria-label="Fleet hashrate"] [data-testid="metric-value"]'), /H\/s$/);
    await waitForText(page.locator('[data-testid="network-Total workers"]'), new RegExp(`^${WORKERS}$`));
    await page.locator('[data-testid="activity-row"]').first().waitFor({ timeout: 20_000 });
    await page.locator('[aria-label="Network"] canvas').first().waitFor();
    await waitForText(page.getByTestId("connection-indicator").first(), /Live/);
    // A row expands to show its ids.
    await page.locator('[data-testid="activity-row"] button').first().click();
    await page
      .getByRole("button", { name: /^Copy worker id$/ })
      .first()
      .waitFor();
    await screenshot(page, "overview-1440x900");
    await screenshot(page, "overview-1440-full", true);
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.waitForTimeout(300);
    await screenshot(page, "overview-1024x768");
    expect(problems).toEqual([]);
  });

  it("renders Monitoring; the fleet table pages and sorts on the server; live updates arrive", async () => {
    const { page, problems } = await watched();
    await page.goto(`${h.base}/monitoring`);
    await page.getByRole("heading", { level: 1, name: "Monitoring" }).waitFor();
    expect(await page.title()).toBe("Monitoring — XenBlocks");
    const rows = page.locator('[data-testid="fleet-row"]');
    await until("20 fleet rows", async () => (await rows.count()) === 20);
    await waitForText(page.getByRole("navigation", { name: "Pagination" }), new RegExp(`of ${WORKERS}`));
    await waitForText(
      page.locator('[aria-label="Workers"] [data-testid="metric-value"]'),
      new RegExp(`^${WORKERS}\\s*/\\s*${WORKERS}$`),
    );
    await page.locator('[data-testid="live-blocks"] tbody tr').first().waitFor({ timeout: 20_000 });
    await waitForText(page.getByTestId("updated-ago"), /updated/);
    await page.locator('[aria-label="Fleet hashrate"] canvas').first().waitFor();
    await screenshot(page, "monitoring-1440x900");
    await screenshot(page, "monitoring-1440-full", true);

    // Sorting by worker id: descending first, then ascending; the server orders the whole fleet.
    const sorted = [...workerIds].sort();
    await page.getByTestId("sort-workerId").click();
    await until(
      "the highest id first",
      async () => (await rows.first().getAttribute("data-worker")) === sorted[sorted.length - 1],
    );
    await page.getByTestId("sort-workerId").click();
    await until(
      "the lowest id first",
      async () => (await rows.first().getAttribute("data-worker")) === sorted[0],
    );
    expect(page.url()).toContain("sort=workerId");
    // Page 2 holds the last two of the sorted fleet.
    await page.getByRole("button", { name: "Next page" }).click();
    await until("page 2", async () => (await rows.count()) === WORKERS - 20);
    expect(await rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-worker")))).toEqual(
      sorted.slice(20),
    );
    // 50 per page shows everyone.
    await page.getByLabel("Rows").selectOption("50");
    await until("all rows on one page", async () => (await rows.count()) === WORKERS);

    // The online tab and a search go to the server too.
    await page.getByRole("button", { name: "Offline", exact: true }).click();
    await page.getByText("No workers match").waitFor();
    await page.getByRole("button", { name: "All", exact: true }).click();
    await page.getByLabel("Search the fleet by worker id, owner address or GPU").fill(sorted[3] as string);
    await until(
      "one search hit",
      async () =>
        (await rows.count()) === 1 && (await rows.first().getAttribute("data-worker")) === sorted[3],
    );
    await page.getByLabel("Search the fleet by worker id, owner address or GPU").fill("");
    await until("the whole fleet again", async () => (await rows.count()) === WORKERS);

    // A worker that registers now appears without a reload (worker event → fleet refetch, stats event).
    const late = `late${Math.random().toString(16).slice(2, 14)}`;
    await startWorker(h, late, provider.address);
    await until(
      "the new worker's row",
      async () => (await page.locator(`[data-worker="${late}"]`).count()) === 1,
      20_000,
    );
    await waitForText(
      page.locator('[aria-label="Workers"] [data-testid="metric-value"]'),
      new RegExp(`^${WORKERS + 1}\\s*/\\s*${WORKERS + 1}$`),
      20_000,
    );

    // A row opens the worker drawer with the worker's details.
    await page.locator(`[data-worker="${sorted[0]}"]`).click();
    const drawer = page.getByTestId("worker-drawer");
    await drawer.waitFor();
    await waitForText(drawer, /Reputation/);
    await screenshot(page, "monitoring-drawer-1440x900");
    await page.keyboard.press("Escape");
    await drawer.waitFor({ state: "detached" });

    await page.setViewportSize({ width: 1024, height: 768 });
    await page.goto(`${h.base}/monitoring`);
    await until("fleet rows", async () => (await rows.count()) === 20);
    await page.waitForTimeout(500);
    await screenshot(page, "monitoring-1024x768");
    // Below 1024 px the sidebar is a drawer behind the menu button.
    await page.setViewportSize({ width: 900, height: 800 });
    await page.getByRole("button", { name: "Open navigation" }).click();
    await page.getByRole("dialog", { name: "Navigation" }).getByRole("link", { name: "Overview" }).waitFor();
    await screenshot(page, "monitoring-900-nav-drawer");
    await page.keyboard.press("Escape");
    await page.getByRole("dialog", { name: "Navigation" }).waitFor({ state: "detached" });
    expect(problems).toEqual([]);
  });

  it("opens a worker from the global search and filters the fleet by an owner address", async () => {
    const { page, problems } = await watched();
    await page.goto(`${h.base}/`);
    const search = page.getByRole("searchbox", { name: "Search worker id, lease id or address" });
    await page.getByRole("heading", { level: 1, name: "Overview" }).waitFor();
    await page.keyboard.press("/");
    await until("the search to have focus", async () =>
      search.evaluate((el) => el === document.activeElement),
    );
    await search.fill(workerIds[5] as string);
    await search.press("Enter");
    await page.getByTestId("worker-drawer").waitFor();
    expect(new URL(page.url()).pathname).toBe("/monitoring");
    await page.keyboard.press("Escape");
    await search.fill(wallet.address.toLowerCase());
    await search.press("Enter");
    const rows = page.locator('[data-testid="fleet-row"]');
    await until("the wallet's three workers", async () => (await rows.count()) === 3);
    expect(page.url()).toContain(`owner=${wallet.address}`);
    expect(problems).toEqual([]);
  });

  it("signs in with an injected wallet (SIWE) and shows the short address", async () => {
    const { page, problems } = await watched();
    await injectWallet(page, wallet);
    await page.goto(`${h.base}/provider`);
    await page.getByText("Connect your wallet").waitFor();
    await screenshot(page, "provider-signed-out-1440x900");
    await page.getByTestId("wallet-button").click();
    await waitForText(
      page.getByTestId("wallet-address"),
      new RegExp(`^${shortAddress(wallet.address).replace("…", ".")}$`),
    );
    await waitForText(page.getByTestId("wallet-balance"), /XNM/);
    expect(shortAddress(wallet.address)).toMatch(/^0x[0-9a-fA-F]{4}…[0-9a-fA-F]{4}$/);
    // The token is per tab, never in localStorage.
    expect(
      await page.evaluate(() => Object.keys(window.localStorage).some((k) => /session|token/i.test(k))),
    ).toBe(false);
    expect(await page.evaluate(() => window.sessionStorage.getItem("xenblocks.session") !== null)).toBe(true);
    // This wallet owns simulated workers: the Provider page lists them once signed in.
    await page.getByRole("region", { name: "My workers" }).waitFor();
    // The menu signs out (auth.logout) and the button asks to connect again.
    await page.getByTestId("wallet-button").click();
    await page.getByRole("menuitem", { name: "Sign out" }).click();
    await waitForText(page.getByTestId("wallet-button"), /Connect wallet/);
    expect(problems).toEqual([]);
  });

  it("titles every page and renders NotFound", async () => {
    const { page, problems } = await watched();
    for (const [path, title] of [
      ["/marketplace", "Marketplace"],
      ["/renter", "Renter"],
      ["/account", "Account"],
    ] as const) {
      await page.goto(`${h.base}${path}`);
      await page.getByRole("heading", { level: 1, name: title }).waitFor();
      expect(await page.title()).toBe(`${title} — XenBlocks`);
    }
    await page.goto(`${h.base}/no/such/page`);
    await page.getByText("Page not found").first().waitFor();
    expect(await page.title()).toBe("Page not found — XenBlocks");
    await screenshot(page, "not-found-1440x900");
    await page.setViewportSize({ width: 1024, height: 768 });
    await screenshot(page, "not-found-1024x768");
    expect(problems).toEqual([]);
    expect(h.serverErrors).toEqual([]);
  });
});
