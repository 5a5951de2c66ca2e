/**
 * The renter flow in Debian's Chromium against a real server with simulated workers: a wallet signs in
 * (SIWE, injected EIP-1193), takes faucet funds on the Account page (the API confirms them), rents from the Marketplace through the Rent dialog, sees the lease
 * pending then active in My rentals, blocks arriving live on Renter, stops it with the confirmation and
 * sees the settlement and refund — the exact amounts `rental.lease` returns. Screenshots of Marketplace
 * and Renter at 1440×900 and 1024×768 land in test-results/screenshots/.
 */
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toChecksumAddress } from "../../src/lib/address.js";
import { formatXnm } from "../../src/lib/format.js";
import {
  apiClient,
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
const renter = privateKeyToAccount(generatePrivateKey());
const tag = Math.random().toString(16).slice(2, 10);
/** Handles `assign_task` ~4.5 s late, so the lease is visibly pending first. */
const slowId = `slow${tag}`;
const otherIds = [`fast1${tag}`, `fast2${tag}`];
const ownId = `own${tag}`;

let h: Harness;
const pages: WatchedPage[] = [];

beforeAll(async () => {
  h = await startHarness({ admin: admin.address });
  await Promise.all([
    startWorker(h, slowId, provider.address, 2_500, {
      hazards: { concurrentHandling: { maxDelayMs: 5_000 } },
      random: () => 0.9,
    }),
    ...otherIds.map((id) => startWorker(h, id, provider.address, 2_500)),
    startWorker(h, ownId, renter.address, 60_000),
  ]);
  await new Promise((r) => setTimeout(r, 3_000));
}, 120_000);

afterAll(async () => {
  for (const p of pages) await p.context.close().catch(() => {});
  await h?.close();
});

describe("renting in a browser", () => {
  it("signs in, funds, rents from the Marketplace, watches the lease, stops it and sees the refund", async () => {
    const watched = await openPage(h);
    pages.push(watched);
    const { page, problems } = watched;
    await injectWallet(page, renter);
    await page.goto(`${h.base}/marketplace`);
    await page.getByRole("heading", { level: 1, name: "Marketplace" }).waitFor();
    expect(await page.title()).toBe("Marketplace — XenBlocks");

    // Signed out: listings show, renting asks for a wallet.
    const listings = page.locator('[data-testid="listing"]');
    await until("four listings", async () => (await listings.count()) === 4);
    expect(await page.getByTestId("auto-match").count()).toBe(0);

    // Sign in (SIWE with the injected wallet).
    await page.getByTestId("wallet-button").click();
    await page.getByTestId("wallet-address").waitFor();
    const token = await page.evaluate(
      () =>
        (JSON.parse(window.sessionStorage.getItem("xenblocks.session") ?? "{}") as { token: string }).token,
    );
    expect(token).toBeTruthy();
    const client = apiClient(h, token);

    // Funds: the faucet on the Account page, then back to the Marketplace.
    await page.goto(`${h.base}/account`);
    const faucet = page.getByRole("form", { name: "Faucet deposit" });
    await faucet.getByLabel("Amount").fill("1000");
    await faucet.getByRole("button", { name: "Take from faucet" }).click();
    await waitForText(page.getByTestId("wallet-balance"), /1,000\.\d+ XNM/);
    expect((await client.account.balance.query()).available).toBe("1000.000000");
    await page.goto(`${h.base}/marketplace`);
    await until("four listings again", async () => (await listings.count()) === 4);

    // The renter's own worker cannot be rented; the reason is given.
    const own = page.locator(`[data-testid="listing"][data-worker="${ownId}"]`);
    await own.waitFor();
    const ownRent = own.getByTestId("rent-button");
    expect(await ownRent.isDisabled()).toBe(true);
    expect(await ownRent.getAttribute("aria-label")).toContain("your own worker");

    // Sort and view: the URL mirrors the sort; the list view is remembered across a reload.
    await page.getByLabel("Sort").selectOption("price");
    await until("sort in the URL", async () => page.url().includes("sort=price"));
    await page.getByRole("button", { name: "List", exact: true }).click();
    await page.locator("table [data-testid='listing']").first().waitFor();
    await page.reload();
    await page.locator("table [data-testid='listing']").first().waitFor();
    expect(page.url()).toContain("sort=price");
    await page.getByRole("button", { name: "Grid", exact: true }).click();
    await page.locator("article[data-testid='listing']").first().waitFor();
    // Desired duration goes to the server (and into the URL).
    await page.getByLabel("Duration", { exact: true }).selectOption("3600");
    await until("duration in the URL", async () => page.url().includes("dur=3600"));
    await until("four listings", async () => (await listings.count()) === 4);
    await screenshot(page, "marketplace-1440x900");

    // The Rent dialog: Escape closes it and gives focus back; the wallet as mining address (EIP-55),
    // 1 h, the live estimate, then confirm.
    const rentSlow = page
      .locator(`[data-testid="listing"][data-worker="${slowId}"]`)
      .getByTestId("rent-button");
    await rentSlow.click();
    const dialog = page.getByTestId("rent-dialog");
    await dialog.waitFor();
    expect(await page.getByTestId("rent-address").evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    expect(await rentSlow.evaluate((el) => el === document.activeElement)).toBe(true);
    await rentSlow.click();
    await dialog.waitFor();
    await waitForText(
      dialog.getByTestId("address-checksum"),
      new RegExp(`^${toChecksumAddress(renter.address)}$`),
    );
    const estimate = await client.marketplace.estimate.query({ durationSec: 3_600, workerId: slowId });
    await waitForText(
      dialog.getByTestId("rent-estimate"),
      new RegExp(formatXnm(estimate.total).replace(".", "\\.")),
    );
    await waitForText(dialog.getByTestId("rent-balance"), /1,000\.000000 XNM/);
    // Keyboard: Tab stays inside the dialog.
    for (let i = 0; i < 12; i++) await page.keyboard.press("Tab");
    expect(await dialog.evaluate((el) => el.contains(document.activeElement))).toBe(true);
    await screenshot(page, "marketplace-rent-dialog-1440x900");
    await dialog.getByTestId("rent-confirm").click();
    await dialog.waitFor({ state: "detached" });
    await page.getByText(`Lease created on ${slowId}`).waitFor();

    // My rentals: pending ("Waiting for worker") until the worker confirms, then active.
    const mine = page.locator(`[data-testid="my-rental"]`).first();
    await until("a pending rental", async () => (await mine.getAttribute("data-state")) === "pending");
    await waitForText(mine, /Waiting for worker \(≤ 30 s\)/);
    await screenshot(page, "marketplace-pending-1440x900");
    await until(
      "the rental active",
      async () => (await mine.getAttribute("data-state")) === "active",
      20_000,
    );
    await waitForText(mine, /left/);
    const leaseId = (await mine.getAttribute("data-lease")) as string;
    expect(leaseId).toMatch(/^lease-/);

    // Renter: the active lease with live hashrate and blocks arriving without a reload.
    await page.getByRole("link", { name: "Renter" }).first().click();
    await page.getByRole("heading", { level: 1, name: "Renter" }).waitFor();
    const card = page.locator(`[data-testid="active-lease"][data-lease="${leaseId}"]`);
    await card.waitFor();
    await waitForText(card.getByTestId("lease-hashrate"), /H\/s/);
    await waitForText(card.getByTestId("lease-remaining"), /left/);
    await waitForText(card.getByTestId("lease-blocks"), /^[1-9]\d*$/, 30_000);
    await waitForText(
      page.locator('[aria-label="Active leases"] [data-testid="metric-value"]').first(),
      /^1$/,
    );
    await screenshot(page, "renter-1440x900");
    await screenshot(page, "renter-1440-full", true);

    // Stop with the confirmation: it shows the estimated charge and refund.
    await card.getByTestId("stop-lease").click();
    const stop = page.getByTestId("stop-dialog");
    await stop.waitFor();
    await waitForText(stop.getByTestId("stop-estimate"), /Estimated refund/);
    await screenshot(page, "renter-stop-dialog-1440x900");
    await stop.getByRole("button", { name: "Stop lease" }).click();
    await stop.waitFor({ state: "detached" });
    await page.getByText("Lease stopped").waitFor();
    await card.waitFor({ state: "detached" });

    // The settlement: the history row and the drawer show exactly what the server returns.
    const lease = await client.rental.lease.query({ leaseId });
    expect(lease.state).toBe("completed");
    expect(lease.settlement).toBeDefined();
    const settlement = lease.settlement!;
    const row = page.locator(`[data-testid="history-row"][data-lease="${leaseId}"]`);
    await waitForText(row.getByTestId("history-cost"), new RegExp(`^${reEscape(formatXnm(lease.cost))}$`));
    await waitForText(
      row.getByTestId("history-refund"),
      new RegExp(`^${reEscape(formatXnm(lease.refund))}$`),
    );
    expect(lease.cost).toBe(settlement.total);
    expect(lease.refund).toBe(settlement.refund);
    await row.click();
    const drawer = page.getByTestId("lease-drawer");
    await drawer.waitFor();
    const settled = drawer.getByTestId("lease-settlement");
    await waitForText(settled, new RegExp(reEscape(formatXnm(settlement.total))));
    await waitForText(settled, new RegExp(reEscape(formatXnm(settlement.refund))));
    await waitForText(settled, new RegExp(reEscape(formatXnm(settlement.fee))));
    const blocks = await client.rental.blocks.query({ leaseId, limit: 100 });
    expect(blocks.items.length).toBeGreaterThan(0);
    await until(
      "the lease's blocks in the drawer",
      async () => (await drawer.locator('[data-testid="lease-block"]').count()) === blocks.items.length,
    );
    await screenshot(page, "renter-lease-drawer-1440x900");
    await page.keyboard.press("Escape");
    await drawer.waitFor({ state: "detached" });

    // The figures come from the server's settlements.
    const stats = await client.rental.renterStats.query();
    await waitForText(
      page.locator('[aria-label="Total refunded"] [data-testid="metric-value"]'),
      new RegExp(`^${reEscape(formatXnm(stats.totalRefunded))}$`),
    );

    // Auto-match: the server picks the best value for the filters and duration; the lease starts.
    await page.getByRole("link", { name: "Marketplace" }).first().click();
    await page.getByTestId("auto-match").click();
    const auto = page.getByTestId("rent-dialog");
    await waitForText(auto.getByTestId("rent-estimate"), /Matched worker/);
    await auto.getByTestId("rent-confirm").click();
    await auto.waitFor({ state: "detached" });
    const matched = page.locator('[data-testid="my-rental"]').first();
    await until(
      "the matched lease active",
      async () => (await matched.getAttribute("data-state")) === "active",
      20_000,
    );
    const matchedLease = await client.rental.lease.query({
      leaseId: (await matched.getAttribute("data-lease")) as string,
    });
    expect(matchedLease.state).toBe("active");
    expect(matchedLease.durationSec).toBe(3_600);

    // Transaction history, if the Account page shows one by now.
    await page.goto(`${h.base}/account`);
    await page.getByRole("heading", { level: 1, name: "Account" }).waitFor();
    const history = page.getByRole("region", { name: /Transaction history/i });
    if ((await history.count()) > 0) {
      await waitForText(history, new RegExp(reEscape(formatXnm(settlement.refund, { unit: false }))), 15_000);
      await screenshot(page, "renter-account-history-1440x900");
    } else {
      console.info("renter.test: the Account page has no transaction history yet; skipped that check");
    }

    // The smaller viewport.
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.goto(`${h.base}/marketplace`);
    await until("listings", async () => (await listings.count()) >= 2);
    await page.waitForTimeout(300);
    await screenshot(page, "marketplace-1024x768");
    await page.goto(`${h.base}/renter`);
    await page.locator('[data-testid="history-row"]').first().waitFor();
    await page.locator('[data-testid="active-lease"]').first().waitFor();
    await page.waitForTimeout(300);
    await screenshot(page, "renter-1024x768");

    expect(problems).toEqual([]);
    expect(h.serverErrors).toEqual([]);
  });
});

function reEscape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
