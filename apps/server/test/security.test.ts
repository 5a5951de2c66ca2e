/**
 * Security review regressions: a WebSocket connection does not outlive the sign-out of the token it
 * was opened with, and the startup log does not print the external broker's credentials.
 */
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { configSchema } from "../src/config.js";
import { createLogger } from "../src/log.js";
import { startServer } from "../src/server.js";
import {
  cleanups,
  privateMosquitto,
  refusal,
  runCleanups,
  signIn,
  startTestServer,
  until,
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

  it("a running live.leases subscription ends once its token is signed out, on the WebSocket and over SSE", async () => {
    const s = await startServer(
      configSchema.parse({ httpPort: 0, mqttPort: 0, host: "127.0.0.1", db: "memory", blockMarker: "XN" }),
      createLogger("error", () => {}),
      { credentialRecheckMs: 100 },
    );
    cleanups.push(() => s.close());
    const wallet = await signIn(s);
    const other = await signIn(s);
    // Raw tRPC WebSocket messages: the subscription's own `stopped` is seen as the server sent it.
    const open = (token: string) => {
      const socket = new WebSocket(`ws://127.0.0.1:${s.httpPort}/trpc?connectionParams=1`);
      cleanups.push(() => socket.close());
      const results: string[] = [];
      socket.on("message", (data) => {
        const m = JSON.parse(String(data)) as { id?: number; result?: { type?: string } };
        if (m.id === 1 && m.result?.type) results.push(m.result.type);
      });
      socket.on("open", () => {
        socket.send(JSON.stringify({ method: "connectionParams", data: { token } }));
        socket.send(
          JSON.stringify({ id: 1, method: "subscription", params: { path: "live.leases", input: {} } }),
        );
      });
      return { socket, results };
    };
    const signedOut = open(wallet.token);
    const stays = open(other.token);
    // The same subscription over SSE, with the token as a Bearer.
    const sse = await fetch(
      `http://127.0.0.1:${s.httpPort}/trpc/live.leases?input=${encodeURIComponent("{}")}`,
      {
        headers: { authorization: `Bearer ${wallet.token}`, accept: "text/event-stream" },
      },
    );
    expect(sse.status).toBe(200);
    const sseEnded = sse.text().then(() => "ended");
    await until(
      "both WebSocket subscriptions to start",
      () => signedOut.results.includes("started") && stays.results.includes("started"),
    );

    await wallet.api.auth.logout.mutate();
    await until("the signed-out subscription to stop", () => signedOut.results.includes("stopped"));
    expect(
      await Promise.race([
        sseEnded,
        new Promise((r) => setTimeout(() => r("still streaming after 3 s"), 3000)),
      ]),
    ).toBe("ended");
    // The connection itself stays (public streams go on); the other wallet's subscription is untouched.
    await new Promise((r) => setTimeout(r, 300));
    expect(signedOut.socket.readyState).toBe(WebSocket.OPEN);
    expect(stays.results).toEqual(["started"]);
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
