/**
 * The Provider page in Debian's Chromium against a real server with simulated workers: a wallet that owns
 * three workers signs in and sees them; it sets a price (after "Suggest") and the API reports the exact
 * per-second price; it unlists and lists a worker with confirmation; it pauses and resumes a worker;
 * shutdown asks for the worker id to be typed. The Monitoring drawer shows the same controls to the owner
 * only; a wallet without workers sees how to connect one. No console error, failed request or HTTP error.
 * Screenshots at 1440×900 and 1024×768 land in test-results/screenshots/.
 */
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { formatMoney, parseMoney, pricePerHour } from "@xenblocks/core";
import type { Page } from "playwright-core";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppRouter } from "../../src/api-types.js";
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
const owner = privateKeyToAccount(generatePrivateKey());
const other = privateKeyToAccount(generatePrivateKey());
const newcomer = privateKeyToAccount(generatePrivateKey());
const tag = Math.random().toString(16).slice(2, 10);
// Sorted ascending on the page (provider.workers sortBy workerId asc): a, b, c.
const [wA, wB, wC] = ["a", "b", "c"].map((x) => `prov-${x}-${tag}`) as [string, string, string];
const foreign = `prov-z-${tag}`;

let h: Harness;
const pages: WatchedPage[] = [];

function api(token?: string) {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${h.base}/trpc`,
        headers: () => (token ? { authorization: `Bearer ${token}` } : {}),
      }),
    ],
  });
}

const worker = (workerId: string) => api().monitoring.worker.query({ workerId });

async function signIn(page: Page, address: string) {
  await page.getByTestId("wallet-button").click();
  await waitForText(page.getByTestId("wallet-address"), new RegExp(`^${address.slice(0, 6)}`, "i"));
}

async function tokenOf(page: Page): Promise<string> {
  const raw = await page.evaluate(() => window.sessionStorage.getItem("xenblocks.session"));
  return (JSON.parse(raw ?? "{}") as { token: string }).token;
}

beforeAll(async () => {
  h = await startHarness({ admin: admin.address });
  await Promise.all([
    startWorker(h, wA, owner.address),
    startWorker(h, wB, owner.address),
    startWorker(h, wC, owner.address),
    startWorker(h, foreign, other.address),
  ]);
  await new Promise((r) => setTimeout(r, 4_000));
  await h.server.platform.jobs.flushHeartbeats();
  await h.server.platform.jobs.snapshotHashrate();
  await h.server.platform.jobs.rollupHashrate();
}, 120_000);

afterAll(async () => {
  for (const p of pages) await p.context.close().catch(() => {});
  await h?.close();
});

describe("the Provider page", () => {
  it("lets an owner price, list, pause, resume and (with the id typed) shut down its workers", async () => {
    const watched = await openPage(h);
    pages.push(watched);
    const { page, problems, context } = watched;
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: h.base });
    await injectWallet(page, owner);
    await page.goto(`${h.base}/provider`);
    await page.getByRole("heading", { level: 1, name: "Provider" }).waitFor();
    expect(await page.title()).toBe("Provider — XenBlocks");
    await page.getByText("Connect your wallet").waitFor();
    await signIn(page, owner.address);
    const token = await tokenOf(page);

    // The three workers, in id order, with the figures.
    const cards = page.getByTestId("my-worker");
    await until("three worker cards", async () => (await cards.count()) === 3);
    expect(await cards.evaluateAll((els) => els.map((e) => e.getAttribute("data-worker")))).toEqual([
      wA,
      wB,
      wC,
    ]);
    await waitForText(
      page.locator('[aria-label="Online workers"] [data-testid="metric-value"]'),
      /^3\s*\/\s*3$/,
    );
    await waitForText(page.locator('[aria-label="Current hashrate"] [data-testid="metric-value"]'), /H\/s$/);
    await page.locator('[aria-label="History"] canvas').first().waitFor();
    await page.getByTestId("achievements").waitFor();
    await page.getByText("No earnings yet").waitFor();
    await page.waitForTimeout(300);
    await screenshot(page, "provider-1440x900");
    await screenshot(page, "provider-1440-full", true);

    // Server-side tabs: nobody is leased.
    const mine = page.getByRole("region", { name: "My workers" });
    await mine.getByRole("button", { name: "Leased", exact: true }).click();
    await page.getByText("No workers here").waitFor();
    await mine.getByRole("button", { name: "All", exact: true }).click();
    await until("three cards again", async () => (await cards.count()) === 3);

    // Price: Suggest fills the suggested per-hour price; a typed one is sent as its exact per-second value.
    const a = page.locator(`[data-testid="my-worker"][data-worker="${wA}"]`);
    await a.getByRole("button", { name: "Edit price" }).click();
    const editor = a.getByTestId("price-editor");
    await editor.getByRole("button", { name: "Suggest" }).click();
    await editor.getByTestId("suggestion").waitFor();
    const suggested = await api(token).provider.suggestPrice.query({ workerId: wA });
    const perHourField = editor.getByLabel("Price per hour");
    const expectedHourly = formatMoney(pricePerHour(parseMoney(suggested.pricePerSec)));
    await until(
      "the suggested price in the field",
      async () => parseMoney(await perHourField.inputValue()) === parseMoney(expectedHourly),
    );
    await waitForText(
      editor.getByTestId("price-per-sec"),
      new RegExp(suggested.pricePerSec.replace(".", "\\.")),
    );
    await perHourField.fill("47.25");
    await waitForText(editor.getByTestId("price-per-sec"), /0\.013125 XNM per second/);
    await editor.getByLabel("Min duration", { exact: true }).fill("2");
    await editor.getByLabel("Min duration unit").selectOption("h");
    await editor.getByLabel("Max duration", { exact: true }).fill("2");
    await editor.getByLabel("Max duration unit").selectOption("d");
    await screenshot(page, "provider-price-editor-1440x900");
    await editor.getByRole("button", { name: "Save price" }).click();
    await editor.waitFor({ state: "detached" });
    const priced = await until("the new price", async () => {
      const w = await worker(wA);
      return w.pricePerSec === "0.013125" ? w : null;
    });
    expect(priced.minDurationSec).toBe(7_200);
    expect(priced.maxDurationSec).toBe(172_800);
    await waitForText(a.getByTestId("price-per-hour"), /47\.25 XNM\/h/);

    // Unlist, then list again, each confirmed.
    const listed = a.getByRole("switch", { name: "Listed" });
    expect(await listed.getAttribute("aria-checked")).toBe("true");
    await listed.click();
    const listDialog = page.getByTestId("listed-dialog");
    await waitForText(listDialog, /never ends a running lease/);
    await screenshot(page, "provider-unlist-confirm-1440x900");
    await listDialog.getByRole("button", { name: "Unlist", exact: true }).click();
    await listDialog.waitFor({ state: "detached" });
    await until("unlisted", async () => (await worker(wA)).listed === false);
    await until("the switch off", async () => (await listed.getAttribute("aria-checked")) === "false");
    await listed.click();
    await listDialog.getByRole("button", { name: "List", exact: true }).click();
    await listDialog.waitFor({ state: "detached" });
    await until("listed again", async () => (await worker(wA)).listed === true);

    // Pause with confirmation; the badge turns Idle; Resume brings it back.
    const b = page.locator(`[data-testid="my-worker"][data-worker="${wB}"]`);
    await b.getByRole("button", { name: `Control worker ${wB}` }).click();
    expect(await page.getByRole("menuitem", { name: "Resume" }).isDisabled()).toBe(true);
    await page.getByRole("menuitem", { name: "Pause" }).click();
    const control = page.getByTestId("control-dialog");
    await waitForText(control, /goes idle/);
    await control.getByRole("button", { name: "Pause", exact: true }).click();
    await control.waitFor({ state: "detached" });
    await until("the worker paused", async () => (await worker(wB)).state === "IDLE", 20_000);
    await waitForText(b.getByTestId("worker-state"), /Idle/, 20_000);
    await b.getByRole("button", { name: `Control worker ${wB}` }).click();
    await page.getByRole("menuitem", { name: "Resume" }).click();
    await control.getByRole("button", { name: "Resume", exact: true }).click();
    await control.waitFor({ state: "detached" });
    await until("the worker available", async () => (await worker(wB)).state === "AVAILABLE", 20_000);
    await waitForText(b.getByTestId("worker-state"), /Available/, 20_000);

    // Set config is validated, and a non-default pattern is flagged.
    await b.getByRole("button", { name: `Control worker ${wB}` }).click();
    await page.getByRole("menuitem", { name: "Set config…" }).click();
    const config = page.getByTestId("config-dialog");
    await config.getByLabel("Block pattern").fill("ZZ");
    await waitForText(config, /rejects/);
    await config.getByLabel("Prefix").fill("XYZ");
    await waitForText(config, /lowercase hex/);
    expect(await config.getByRole("button", { name: "Send config" }).isDisabled()).toBe(true);
    await screenshot(page, "provider-config-dialog-1440x900");
    await config.getByRole("button", { name: "Cancel" }).click();
    await config.waitFor({ state: "detached" });

    // Shutdown needs the worker id typed.
    const c = page.locator(`[data-testid="my-worker"][data-worker="${wC}"]`);
    await c.getByRole("button", { name: `Control worker ${wC}` }).click();
    await page.getByRole("menuitem", { name: "Shutdown…" }).click();
    await waitForText(control, /only be restarted\s+on its machine/);
    const shut = control.getByRole("button", { name: "Shut down", exact: true });
    expect(await shut.isDisabled()).toBe(true);
    const typed = control.getByLabel(/to confirm/);
    await typed.fill(wC.slice(0, -1));
    expect(await shut.isDisabled()).toBe(true);
    await typed.fill(wC);
    expect(await shut.isDisabled()).toBe(false);
    await screenshot(page, "provider-shutdown-confirm-1440x900");
    await shut.click();
    await control.waitFor({ state: "detached" });
    await until("the worker offline", async () => (await worker(wC)).online === false, 20_000);
    await waitForText(c.getByTestId("worker-state"), /Offline/, 20_000);

    // Share copies the server's text (its figures move while the workers mine, so its shape is compared).
    await page.getByTestId("share-button").click();
    const share = await api(token).wallet.share.query();
    const start = share.text.slice(0, share.text.indexOf(" mined "));
    const copied = await until("the share text on the clipboard", async () => {
      const text = await page.evaluate(() => navigator.clipboard.readText());
      return text.startsWith(start) ? text : null;
    });
    expect(copied).toMatch(
      / mined \d+ XenBlocks blocks with 3 workers \(peak [\d.]+ H\/s\) and earned [\d.]+ XNM/,
    );
    expect(start).toBe(share.address);

    // The list view shows the same workers and actions.
    await mine.getByRole("button", { name: "List", exact: true }).click();
    await page.getByTestId("my-workers-table").waitFor();
    await until("three rows", async () => (await cards.count()) === 3);
    await mine.scrollIntoViewIfNeeded();
    await screenshot(page, "provider-list-1440x900");

    await page.setViewportSize({ width: 1024, height: 768 });
    await mine.getByRole("button", { name: "Grid", exact: true }).click();
    await page.waitForTimeout(400);
    await screenshot(page, "provider-1024x768");
    await screenshot(page, "provider-1024-full", true);
    expect(problems).toEqual([]);
  });

  it("shows control buttons in the Monitoring drawer to the owner only", async () => {
    const watched = await openPage(h);
    pages.push(watched);
    const { page, problems } = watched;
    await injectWallet(page, owner);
    await page.goto(`${h.base}/monitoring`);
    await page.getByRole("heading", { level: 1, name: "Monitoring" }).waitFor();
    await signIn(page, owner.address);
    await page.goto(`${h.base}/monitoring?worker=${wA}`);
    const drawer = page.getByTestId("worker-drawer");
    await drawer.waitFor();
    await drawer.getByTestId("control-buttons").waitFor();
    await drawer.getByRole("button", { name: "Shutdown…" }).click();
    await waitForText(page.getByTestId("control-dialog"), /only be restarted/);
    await screenshot(page, "monitoring-drawer-control-1440x900");
    await page.keyboard.press("Escape");
    await page.getByTestId("control-dialog").waitFor({ state: "detached" });
    await drawer.waitFor();
    // Another owner's worker: no controls.
    await page.goto(`${h.base}/monitoring?worker=${foreign}`);
    await page.getByTestId("worker-drawer").waitFor();
    await waitForText(page.getByTestId("worker-drawer"), /Reputation/);
    expect(await page.getByTestId("control-buttons").count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it("tells a wallet without workers how to connect one", async () => {
    const watched = await openPage(h);
    pages.push(watched);
    const { page, problems } = watched;
    await injectWallet(page, newcomer);
    await page.goto(`${h.base}/provider`);
    await signIn(page, newcomer.address);
    const command = page.getByTestId("connect-command");
    await waitForText(command, /--platform-mode --mqtt-broker tcp:\/\/127\.0\.0\.1:1883/);
    expect(await command.textContent()).toContain(`--minerAddr ${newcomer.address} --donotupload`);
    await screenshot(page, "provider-empty-1440x900");
    expect(problems).toEqual([]);
    expect(h.serverErrors).toEqual([]);
  });
});
