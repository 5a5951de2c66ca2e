import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { syntheticBlock } from "../worker/synthetic-blocks.js";
import { eventually, runToEnd, startCli } from "./testing/cli-harness.js";

const ACCOUNT = "0x2ac9de9d494459ab28fd09f10056cfa1d4c6af40";
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** Starts `chain` with the given flags on a free port and returns its base URL. */
async function startChain(flags: readonly string[]) {
  const run = startCli(["chain", "--port", "0", "--host", "127.0.0.1", ...flags]);
  await eventually(
    () => /listening on port \d+/.test(run.out.text) || run.err.text !== "",
    "the chain to listen",
  );
  const port = /listening on port (\d+)/.exec(run.out.text)?.[1];
  if (port === undefined) throw new Error(`chain did not start: ${run.err.text}`);
  return { run, url: `http://127.0.0.1:${port}` };
}

describe("chain command", () => {
  it("serves GET /difficulty as a string until stopped", async () => {
    const { run, url } = await startChain(["--memory", "--difficulty", "500"]);
    const response = await fetch(`${url}/difficulty`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ difficulty: "500" });
    const root = (await (await fetch(url)).json()) as Record<string, unknown>;
    expect(root).toMatchObject({ service: "xenblocks-chain-simulator", difficulty: 500 });
    run.stop();
    expect(await run.done).toBe(0);
    expect(run.out.text).toContain("state in memory");
    expect(run.out.text).toContain("chain simulator stopped");
    expect(run.err.text).toBe("");
  });

  it("saves its state on stop and loads it on the next start", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sim-chain-cli-"));
    dirs.push(dir);
    const data = join(dir, "chain.json");
    const first = await startChain(["--data", data, "--marker", "XN"]);
    const block = syntheticBlock({ account: ACCOUNT, keyPrefix: "", memoryKiB: 1727, marker: "XN" });
    const verify = await fetch(`${first.url}/verify`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        hash_to_verify: block.hash,
        key: block.key,
        account: ACCOUNT,
        attempts: "1",
        hashes_per_second: "1.00",
        worker: "w1",
      }),
    });
    expect(verify.status).toBe(200);
    first.run.stop();
    expect(await first.run.done).toBe(0);
    expect(first.run.out.text).toContain(`chain state saved to ${data}`);
    expect(await readFile(data, "utf8")).toContain(block.key);

    const second = await startChain(["--data", data]);
    expect(second.run.out.text).toContain("1 blocks");
    expect(await (await fetch(`${second.url}/balance/${ACCOUNT}`)).json()).toEqual({
      address: ACCOUNT,
      balance: 10,
    });
    second.run.stop();
    expect(await second.run.done).toBe(0);
  });

  it("exits 1 with the reason when the port is taken", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const { port } = blocker.address() as { port: number };
    try {
      const { code, err } = await runToEnd([
        "chain",
        "--port",
        String(port),
        "--host",
        "127.0.0.1",
        "--memory",
      ]);
      expect(code).toBe(1);
      expect(err).toMatch(/could not start: .*EADDRINUSE/);
    } finally {
      blocker.close();
    }
  });
});
