/**
 * The server over real sockets: health and readiness, a simulated worker registering through the
 * embedded broker, the chain simulator on the HTTP port verifying a genuinely mined block, metrics,
 * a clear refusal of a taken port, and state that survives a restart on a libSQL file.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mine } from "@xenblocks/sim/hashing";
import { SimWorker } from "@xenblocks/sim/worker";
import { afterEach, describe, expect, it } from "vitest";
import { configSchema, type ServerConfig } from "../src/config.js";
import { type RunningServer, startServer } from "../src/server.js";
import {
  cleanups,
  privateMosquitto,
  quiet,
  runCleanups,
  startTestServer,
  startWorker,
  until,
} from "./helpers.js";

const OWNER = "0x89e457E13160B41beFE3650F244c51B8a08a1ac5";
afterEach(runCleanups);

function config(overrides: Partial<ServerConfig> = {}): ServerConfig {
  return configSchema.parse({
    httpPort: 0,
    mqttPort: 0,
    host: "127.0.0.1",
    db: "memory",
    blockMarker: "XN",
    ...overrides,
  });
}

const server = startTestServer;

/** A simulated worker that mines nothing (these tests look at registration, not blocks). */
const worker = (s: RunningServer, workerId: string) => startWorker(s, workerId, OWNER, { miner: undefined });

const http = (s: RunningServer, path: string, init?: RequestInit) =>
  fetch(`http://127.0.0.1:${s.httpPort}${path}`, init);

describe("the server", () => {
  it("serves the dashboard's build: files, and index.html for the app's routes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "xb-web-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(join(dir, "assets"));
    writeFileSync(join(dir, "index.html"), "<!doctype html><title>XenBlocks</title><div id=root></div>");
    writeFileSync(join(dir, "assets", "index-abc123.js"), "export {}");
    const s = await server({ webDir: dir });
    const html = { headers: { accept: "text/html" } };
    expect(await (await http(s, "/", html)).text()).toContain("<title>XenBlocks</title>");
    expect(await (await http(s, "/monitoring", html)).text()).toContain("<title>XenBlocks</title>");
    const asset = await http(s, "/assets/index-abc123.js");
    expect(asset.headers.get("content-type")).toMatch(/javascript/);
    expect(asset.headers.get("cache-control")).toContain("immutable");
    expect((await http(s, "/assets/missing.js")).status).toBe(404);
    // The API and the chain keep their paths.
    expect((await http(s, "/healthz")).status).toBe(200);
    expect((await http(s, "/difficulty")).status).toBe(200);
  });

  it("answers health and readiness, and serves a front page", async () => {
    // No dashboard build here: the front page stands in for it.
    const s = await server({ webDir: join(tmpdir(), "xb-no-dashboard-build") });
    expect(await (await http(s, "/healthz")).json()).toEqual({ status: "ok" });
    const ready = await http(s, "/readyz");
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready" });
    const page = await http(s, "/", { headers: { accept: "text/html,application/xhtml+xml" } });
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    expect(await page.text()).toContain(`MQTT on port ${s.mqttPort}`);
    // A script asking `/` gets the service summary of the earlier platform (api.md §4).
    const summary = await http(s, "/", { headers: { accept: "application/json" } });
    expect(await summary.json()).toMatchObject({
      mqtt_port: s.mqttPort,
      api_port: s.httpPort,
      connected_workers: 0,
      uptime: "running",
      uptime_sec: expect.any(Number),
    });
    const missing = await http(s, "/nothing-here");
    expect(missing.status).toBe(404);
  });

  it("takes a simulated worker's registration through its embedded broker and answers it", async () => {
    const s = await server();
    const w = await worker(s, "srv0000000000001");
    await until(
      "the platform to know the worker",
      async () => (await s.platform.fleet.getWorker(w.workerId))?.online === true,
    );
    // The worker stays AVAILABLE: the register_ack came back over MQTT (a rejection would send it to ERROR).
    await until("a heartbeat", () => w.sent.some((m) => m.suffix === "heartbeat"));
    expect(w.state).toBe("AVAILABLE");
    const metrics = await (await http(s, "/metrics")).text();
    expect(metrics).toContain("xenblocks_connected_workers 1");
    expect(metrics).toMatch(/^mqtt_inbound_total\{type="register"\} 1$/m);
    // The counters the specs name, under those names, from the start.
    expect(metrics).toMatch(/^blocks_duplicate_total 0$/m);
    expect(metrics).toMatch(/^# TYPE mqtt_spoof_dropped_total counter$/m);
    expect(metrics).toMatch(/xenblocks_job_runs_total\{job="ledger-check"\} 1/);
    expect(metrics).toContain("xenblocks_ledger_violations 0");
  });

  it("serves the chain simulator on its HTTP port: difficulty as a string, real Argon2id blocks", async () => {
    const s = await server();
    expect(await (await http(s, "/difficulty")).json()).toEqual({ difficulty: "1727" });
    const account = "0x2ac9de9d494459ab28fd09f10056cfa1d4c6af40";
    const block = await mine({ account, memoryKiB: 8, marker: "XN", maxAttempts: 100_000 });
    expect(block).not.toBeNull();
    const verify = await http(s, "/verify", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        hash_to_verify: block?.hash,
        key: block?.key,
        account,
        attempts: "12",
        hashes_per_second: "100.00",
        worker: "srv",
      }),
    });
    expect(verify.status).toBe(200);
    expect(await verify.json()).toMatchObject({ status: "success", block_id: 1 });
    const again = await http(s, "/verify", { method: "POST", body: JSON.stringify({ key: block?.key }) });
    expect(again.status).toBe(400);
    expect((await again.text()).length).toBeGreaterThan(0);
    const stats = await (await http(s, "/chain/stats")).json();
    expect(stats).toMatchObject({ total_blocks: 1 });
  });

  it("says which port is taken", async () => {
    const s = await server();
    await expect(startServer(config({ httpPort: s.httpPort }), quiet)).rejects.toThrow(
      `HTTP port ${s.httpPort} on 127.0.0.1 is already in use`,
    );
    await expect(startServer(config({ mqttPort: s.mqttPort ?? 0 }), quiet)).rejects.toThrow(
      `MQTT port ${s.mqttPort} on 127.0.0.1 is already in use`,
    );
  });

  it("keeps workers and chain across a restart on a libSQL file, and shuts down cleanly", async () => {
    const dir = mkdtempSync(join(tmpdir(), "xb-server-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const db = join(dir, "xenblocks.db");
    const first = await startServer(config({ db }), quiet);
    const w = await worker(first, "srv0000000000002");
    await until("registration", async () => (await first.platform.fleet.getWorker(w.workerId)) !== null);
    const account = "0x2ac9de9d494459ab28fd09f10056cfa1d4c6af40";
    const block = await mine({ account, memoryKiB: 8, marker: "XN", maxAttempts: 100_000 });
    const verify = await http(first, "/verify", {
      method: "POST",
      body: JSON.stringify({
        hash_to_verify: block?.hash,
        key: block?.key,
        account,
        attempts: 1,
        hashes_per_second: "1.00",
        worker: "w",
      }),
    });
    expect(verify.status).toBe(200);
    await w.close();
    await first.close();
    // Nothing is served any more: a new connection is refused, a kept-alive one gets 503 and is closed.
    const after = await http(first, "/healthz").catch(() => null);
    expect(after === null || after.status === 503).toBe(true);

    const second = await server({ db });
    const known = await second.platform.fleet.getWorker("srv0000000000002");
    expect(known).toMatchObject({ workerId: "srv0000000000002", owner: OWNER.toLowerCase() });
    // The embedded chain kept its state in chain.json beside the database.
    expect(await (await http(second, "/chain/stats")).json()).toMatchObject({ total_blocks: 1 });
  });

  // A Mosquitto of its own: a platform on the shared one (port 1883) would take every other suite's
  // simulated workers for its own and answer them (register_ack, release), breaking those suites.
  it("runs with an external broker: a Mosquitto started for the test", async () => {
    const mosquitto = await privateMosquitto();
    const brokerUrl = `mqtt://127.0.0.1:${mosquitto.port}`;
    const s = await server({ mqttUrl: brokerUrl, mqttGroup: `srv-${process.pid}` });
    expect(s.mqttPort).toBeNull();
    const w = new SimWorker({
      workerId: `srvext${process.pid}`.padEnd(16, "0").slice(0, 16),
      brokerUrl,
      ethAddress: OWNER,
      heartbeatSec: 1,
    });
    cleanups.push(() => w.close());
    expect(await w.start()).toBe(true);
    await until(
      "registration over Mosquitto",
      async () => (await s.platform.fleet.getWorker(w.workerId))?.online === true,
    );
    await until("AVAILABLE after the ack", () => w.sent.some((m) => m.suffix === "heartbeat"));
    expect(w.state).toBe("AVAILABLE");
  });
});
