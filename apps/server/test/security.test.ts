/**
 * Security review regressions: a WebSocket connection does not outlive the sign-out of the token it
 * was opened with, and the startup log does not print the external broker's credentials.
 */
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { configSchema } from "../src/config.js";
import { createLogger } from "../src/log.js";
import { startServer } from "../src/server.js";
import { SIGNED_OUT_CLOSE_CODE } from "../src/trpc/uws-ws.js";
import {
  cleanups,
  privateMosquitto,
  refusal,
  runCleanups,
  signIn,
  startTestServer,
  wsApiClient,
} from "./helpers.js";

afterEach(runCleanups);

describe("security", () => {
  it("a WebSocket opened with a token is refused once that token is signed out", async () => {
    const s = await startTestServer();
    const wallet = await signIn(s);
    const ws = wsApiClient(s, wallet.token);
    expect((await ws.auth.me.query()).address).toBe(wallet.address);
    await wallet.api.auth.logout.mutate();
    expect(await refusal(ws.auth.me.query())).toMatchObject({ appCode: "UNAUTHORIZED" });
    expect(await refusal(ws.account.balance.query())).toMatchObject({ appCode: "UNAUTHORIZED" });
    // Public procedures keep working on the same connection.
    expect(await ws.monitoring.stats.query()).toMatchObject({ totalWorkers: 0 });
  });

  it("a running live.leases subscription is cut once its token is signed out elsewhere", async () => {
    const s = await startServer(
      configSchema.parse({ httpPort: 0, mqttPort: 0, host: "127.0.0.1", db: "memory", blockMarker: "XN" }),
      createLogger("error", () => {}),
      { wsRecheckMs: 100 },
    );
    cleanups.push(() => s.close());
    const wallet = await signIn(s);
    const other = await signIn(s);
    // Raw tRPC WebSocket messages, so that the close code is seen as the server sent it.
    const open = (token: string) => {
      const socket = new WebSocket(`ws://127.0.0.1:${s.httpPort}/trpc?connectionParams=1`);
      cleanups.push(() => socket.close());
      const messages: unknown[] = [];
      socket.on("message", (data) => messages.push(JSON.parse(String(data))));
      const closed = new Promise<number>((resolve) => socket.on("close", (code) => resolve(code)));
      const started = new Promise<void>((resolve, reject) => {
        socket.on("open", () => {
          socket.send(JSON.stringify({ method: "connectionParams", data: { token } }));
          socket.send(
            JSON.stringify({ id: 1, method: "subscription", params: { path: "live.leases", input: {} } }),
          );
        });
        socket.on("message", (data) => {
          const m = JSON.parse(String(data)) as { id?: number; result?: { type?: string }; error?: unknown };
          if (m.id === 1 && m.result?.type === "started") resolve();
          if (m.id === 1 && m.error) reject(new Error(JSON.stringify(m.error)));
        });
      });
      return { socket, messages, closed, started };
    };
    const signedOut = open(wallet.token);
    const stays = open(other.token);
    await Promise.all([signedOut.started, stays.started]);
    await wallet.api.auth.logout.mutate();
    const code = await Promise.race([
      signedOut.closed,
      new Promise<string>((resolve) => setTimeout(() => resolve("still open after 3 s"), 3000)),
    ]);
    expect(code).toBe(SIGNED_OUT_CLOSE_CODE);
    // The other wallet's subscription is untouched.
    await new Promise((r) => setTimeout(r, 300));
    expect(stays.socket.readyState).toBe(WebSocket.OPEN);
  });

  it("logout over the WebSocket ends that connection's sign-in too", async () => {
    const s = await startTestServer();
    const wallet = await signIn(s);
    const ws = wsApiClient(s, wallet.token);
    await ws.auth.logout.mutate();
    expect(await refusal(ws.auth.me.query())).toMatchObject({ appCode: "UNAUTHORIZED" });
  });

  it("the startup log does not print the external broker's password", async () => {
    const mosquitto = await privateMosquitto();
    cleanups.push(() => mosquitto.stop());
    const lines: string[] = [];
    const s = await startServer(
      configSchema.parse({
        httpPort: 0,
        host: "127.0.0.1",
        db: "memory",
        blockMarker: "XN",
        mqttUrl: `mqtt://user:s3cret-pw@127.0.0.1:${mosquitto.port}`,
        mqttGroup: `sec-${process.pid}`,
      }),
      createLogger("info", (line) => lines.push(line)),
    );
    cleanups.push(() => s.close());
    const started = lines.find((l) => l.includes("xenblocks server started"));
    expect(started).toBeDefined();
    expect(lines.join("")).not.toContain("s3cret-pw");
  });
});
