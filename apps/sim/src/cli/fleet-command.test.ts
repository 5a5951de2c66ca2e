import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { eventually, runToEnd, startCli } from "./testing/cli-harness.js";

const BROKER_URL = process.env.XENBLOCKS_TEST_MQTT_URL ?? "mqtt://127.0.0.1:1883";

describe("fleet command", () => {
  it("connects, prints progress lines, stops after --seconds and exits 0", async () => {
    const started = Date.now();
    const { code, out, err } = await runToEnd([
      "--",
      "fleet",
      "--workers",
      "3",
      "--mqtt",
      BROKER_URL,
      "--seconds",
      "2",
      "--heartbeat-sec",
      "1",
    ]);
    expect(code).toBe(0);
    expect(err).toBe("");
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    expect(out).toContain(`fleet: 3 workers -> ${BROKER_URL}`);
    expect(out).toContain("connected 3/3 in");
    // Not a terminal: the first line right after connecting, then (in 2 s) only the final one.
    expect(out).toMatch(/^\[0s\] workers 3 {2}connected 3 {2}leased 0 {2}available 3 {2}blocks \d+$/m);
    expect(out).toMatch(/^stopping after 2 s\n\[2s\] workers 3 {2}connected 3 /m);
    expect(out).toContain("fleet closed, retained wills cleared");
    expect(out).not.toContain("\r");
  });

  it("on a terminal rewrites one progress line every second; a stop signal closes the fleet", async () => {
    const run = startCli(
      ["fleet", "--workers", "2", "--mqtt", BROKER_URL, "--block-marker", "XN", "--difficulty", "16"],
      {
        tty: true,
      },
    );
    await eventually(() => (run.out.text.match(/\r\[/g) ?? []).length >= 2, "two progress updates", 5000);
    run.stop();
    expect(await run.done).toBe(0);
    expect(run.out.text).toMatch(/\r\[1s\] workers 2 {2}connected 2 /);
    expect(run.out.text).toMatch(/\nstopping\n/);
    expect(run.out.text).toContain("fleet closed");
  });

  it("exits 1 when no worker can reach the broker", async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const { port } = probe.address() as { port: number };
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const { code, err } = await runToEnd(["fleet", "--workers", "2", "--mqtt", `mqtt://127.0.0.1:${port}`]);
    expect(code).toBe(1);
    expect(err).toContain(`no worker could connect to mqtt://127.0.0.1:${port}`);
  });
});
