/**
 * Security review regressions: a WebSocket connection does not outlive the sign-out of the token it
 * was opened with, and the startup log does not print the external broker's credentials.
 */
import { afterEach, describe, expect, it } from "vitest";
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
