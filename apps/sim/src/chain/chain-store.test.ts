import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadSnapshot, openChain, writeSnapshotAtomic } from "./chain-store.js";
import { ALICE, keyOf, syntheticHash, verifyBody } from "./testing/fixtures.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "chain-store-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const submit = (
  chain: { submit(body: unknown): Promise<unknown> },
  n: number,
  type: "normal" | "super" = "normal",
) => chain.submit(verifyBody(keyOf(n), ALICE, syntheticHash(ALICE, type)));

describe("openChain", () => {
  it("keeps blocks, difficulty, balances and numbering across a restart", async () => {
    const path = join(dir, "nested", "chain.json");
    const first = await openChain({ path });
    for (let n = 1; n <= 50; n++) await submit(first.chain, n, n === 1 ? "super" : "normal");
    const before = first.chain.stats();
    expect(before.difficulty).toBe(1813);
    await first.close();

    const second = await openChain({ path, initialDifficulty: 500 });
    expect(second.chain.stats()).toEqual(before);
    expect(second.chain.balance(ALICE)).toBe(50 + 49 * 10);
    expect(second.chain.listBlocks({ limit: 1 })[0]?.block_id).toBe(50);
    expect((await submit(second.chain, 1)) as unknown).toEqual({
      status: 409,
      message: "Key already exists",
    });
    await second.close();
  });

  it("batches writes: a burst becomes one file, written without close", async () => {
    const path = join(dir, "chain.json");
    const handle = await openChain({ path, flushDelayMs: 20 });
    await Promise.all([submit(handle.chain, 1), submit(handle.chain, 2), submit(handle.chain, 3)]);
    expect(await loadSnapshot(path)).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await loadSnapshot(path))?.blocks.map((b) => b.block_id)).toEqual([1, 2, 3]);
    await handle.close();
    // Only the state file remains: every temporary file was renamed into place.
    expect(await readdir(dir)).toEqual(["chain.json"]);
  });

  it("writes pending changes on flush and close", async () => {
    const path = join(dir, "chain.json");
    const handle = await openChain({ path, flushDelayMs: 60_000 });
    await submit(handle.chain, 1);
    await handle.flush();
    expect((await loadSnapshot(path))?.blocks).toHaveLength(1);
    await submit(handle.chain, 2);
    await handle.close();
    expect((await loadSnapshot(path))?.blocks).toHaveLength(2);
  });

  it("keeps a change pending when a write fails, reports it, and writes it once the disk recovers", async () => {
    const path = join(dir, "sub", "chain.json");
    const errors: unknown[] = [];
    const handle = await openChain({ path, flushDelayMs: 10, onPersistError: (e) => errors.push(e) });
    // "sub" becomes a file: every write fails until it is removed.
    await writeFile(join(dir, "sub"), "");
    await submit(handle.chain, 1);
    await expect(handle.flush()).rejects.toThrow();
    await submit(handle.chain, 2);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(errors).toHaveLength(1);
    await rm(join(dir, "sub"));
    await handle.close();
    expect((await loadSnapshot(path))?.blocks).toHaveLength(2);
  });

  it("refuses a corrupt or foreign state file instead of overwriting it", async () => {
    const path = join(dir, "chain.json");
    await writeFile(path, "{not json");
    await expect(openChain({ path })).rejects.toThrow(/not a valid snapshot/);
    await writeFile(path, JSON.stringify({ version: 2, difficulty: 1727, nextBlockId: 1, blocks: [] }));
    await expect(openChain({ path })).rejects.toThrow(/unsupported version/);
    const block = { block_id: 1, account: ALICE, key: keyOf(1), hash_to_verify: "x", block_type: "normal" };
    const full = { ...block, attempts: 1, hashes_per_second: "1", worker: null, timestamp: 1 };
    await writeFile(path, JSON.stringify({ version: 1, difficulty: 1727, nextBlockId: 2, blocks: [block] }));
    await expect(openChain({ path })).rejects.toThrow(/blocks\[0\]/);
    await writeFile(
      path,
      JSON.stringify({ version: 1, difficulty: 1727, nextBlockId: 3, blocks: [full, full] }),
    );
    await expect(openChain({ path })).rejects.toThrow(/duplicate key/);
    expect(await readFile(path, "utf8")).toContain('"nextBlockId":3');
  });

  it("lives in memory without a path", async () => {
    const handle = await openChain();
    await submit(handle.chain, 1);
    await handle.close();
    expect(handle.chain.stats().total_blocks).toBe(1);
  });

  it("writeSnapshotAtomic replaces the file whole", async () => {
    const path = join(dir, "chain.json");
    await writeSnapshotAtomic(path, { version: 1, difficulty: 1727, nextBlockId: 1, blocks: [] });
    await writeSnapshotAtomic(path, { version: 1, difficulty: 1813, nextBlockId: 1, blocks: [] });
    expect((await loadSnapshot(path))?.difficulty).toBe(1813);
    expect(await readdir(dir)).toEqual(["chain.json"]);
  });
});
