import { describe, expect, it } from "vitest";
import { ChainState, chainPort } from "./chain-state.js";
import {
  ALICE,
  BOB_EIP55,
  keyOf,
  manualClock,
  mineGenuine,
  syntheticHash,
  verifyBody,
} from "./testing/fixtures.js";

const submitSynthetic = (chain: ChainState, n: number, type: "normal" | "super" | "xuni" = "normal") =>
  chain.submit(verifyBody(keyOf(n), ALICE, syntheticHash(ALICE, type)));

describe("ChainState.submit", () => {
  it("accepts a block, numbers it from 1 and records what the worker sent", async () => {
    const clock = manualClock(1_795_789_422_500);
    const chain = new ChainState({ clock });
    const result = await chain.submit({
      ...verifyBody(keyOf(1), BOB_EIP55, syntheticHash(BOB_EIP55, "normal")),
      attempts: 3118363,
      hashes_per_second: 2408.5,
      worker: 776536,
    });
    expect(result).toEqual({
      status: 200,
      block: {
        block_id: 1,
        account: BOB_EIP55.toLowerCase(),
        key: keyOf(1),
        hash_to_verify: syntheticHash(BOB_EIP55, "normal"),
        block_type: "normal",
        attempts: 3118363,
        hashes_per_second: "2408.5",
        worker: 776536,
        timestamp: 1_795_789_422.5,
      },
    });
    expect(chain.stats().next_block_id).toBe(2);
  });

  it("accepts attempts as a string or an int, and defaults absent optional fields", async () => {
    const chain = new ChainState();
    const {
      worker: _w,
      hashes_per_second: _h,
      ...bare
    } = verifyBody(keyOf(1), ALICE, syntheticHash(ALICE, "xuni"));
    const result = await chain.submit({ ...bare, attempts: "42" });
    expect(result.status === 200 && result.block).toMatchObject({
      attempts: 42,
      hashes_per_second: "0",
      worker: null,
    });
  });

  it("pays the lowercase account: super 50, normal 10, xuni 1 XNM", async () => {
    const chain = new ChainState();
    await submitSynthetic(chain, 1, "super");
    await submitSynthetic(chain, 2, "normal");
    await submitSynthetic(chain, 3, "xuni");
    expect(chain.balance(ALICE)).toBe(61);
    expect(chain.balance(ALICE.toUpperCase().replace("0X", "0x"))).toBe(61);
    expect(chain.balance(BOB_EIP55)).toBe(0);
    expect(chain.stats()).toEqual({
      total_blocks: 3,
      normal_blocks: 1,
      super_blocks: 1,
      xuni_blocks: 1,
      difficulty: 1727,
      unique_miners: 1,
      next_block_id: 4,
    });
  });

  it("refuses a key it already has, in any case, with 409", async () => {
    const chain = new ChainState();
    const key = `${"ab".repeat(31)}cd`;
    expect((await chain.submit(verifyBody(key, ALICE, syntheticHash(ALICE, "normal")))).status).toBe(200);
    const again = await chain.submit(verifyBody(key.toUpperCase(), ALICE, syntheticHash(ALICE, "normal")));
    expect(again).toEqual({ status: 409, message: "Key already exists" });
    expect(chain.stats().total_blocks).toBe(1);
  });

  it("raises the difficulty by floor(x1.05) every 50 accepted blocks", async () => {
    const chain = new ChainState();
    for (let n = 1; n <= 49; n++) await submitSynthetic(chain, n);
    expect(chain.difficulty()).toBe(1727);
    await submitSynthetic(chain, 50);
    expect(chain.difficulty()).toBe(1813);
    for (let n = 51; n <= 100; n++) await submitSynthetic(chain, n);
    expect(chain.difficulty()).toBe(1903);
    // Refused blocks do not count.
    await chain.submit(verifyBody("nope", ALICE, syntheticHash(ALICE, "normal")));
    expect(chain.stats().total_blocks).toBe(100);
  });

  it("answers api.md's messages for invalid input", async () => {
    const chain = new ChainState();
    const good = verifyBody(keyOf(1), ALICE, syntheticHash(ALICE, "normal"));
    const cases: [unknown, string][] = [
      [{ ...good, key: "abc" }, "Invalid key"],
      [{ ...good, key: 12 }, "Invalid key"],
      [{ ...good, key: `${keyOf(1).slice(1)}g` }, "Invalid key"],
      [{ ...good, account: "0x1234" }, "Invalid account"],
      [{ ...good, account: undefined }, "Invalid account"],
      [
        { ...good, hash_to_verify: syntheticHash(ALICE, "none") },
        "Hash does not contain valid block marker (XEN11 or XUNI)",
      ],
      [{ ...good, hash_to_verify: 5 }, "Invalid hash_to_verify"],
      [{ ...good, attempts: "lots" }, "Invalid attempts"],
      [{ ...good, attempts: -1 }, "Invalid attempts"],
      [{ ...good, attempts: 1.5 }, "Invalid attempts"],
      [{ ...good, hashes_per_second: {} }, "Invalid hashes_per_second"],
      [{ ...good, worker: ["x"] }, "Invalid worker"],
      [[good], "Request body must be a JSON object"],
      [null, "Request body must be a JSON object"],
      ["text", "Request body must be a JSON object"],
    ];
    for (const [body, message] of cases)
      expect(await chain.submit(body), message).toEqual({ status: 400, message });
    expect(chain.stats().total_blocks).toBe(0);
  });

  it("names the configured marker in the marker message and classifies with it", async () => {
    const chain = new ChainState({ marker: "XN" });
    const refused = await chain.submit(verifyBody(keyOf(1), ALICE, syntheticHash(ALICE, "normal", "XEN11")));
    expect(refused).toEqual({
      status: 400,
      message: "Hash does not contain valid block marker (XN or XUNI)",
    });
    const accepted = await chain.submit(verifyBody(keyOf(2), ALICE, syntheticHash(ALICE, "normal", "XN")));
    expect(accepted.status).toBe(200);
  });

  it("enforces the xuni window only when configured", async () => {
    const clock = manualClock(Date.UTC(2026, 10, 27, 14, 23, 42));
    const open = new ChainState({ clock });
    expect((await submitSynthetic(open, 1, "xuni")).status).toBe(200);

    const strict = new ChainState({ clock, enforceXuniWindow: true });
    expect(await submitSynthetic(strict, 1, "xuni")).toEqual({
      status: 400,
      message: "XUNI block outside of time window",
    });
    expect((await submitSynthetic(strict, 2, "normal")).status).toBe(200);
    clock.set(Date.UTC(2026, 10, 27, 14, 57, 18));
    expect((await submitSynthetic(strict, 1, "xuni")).status).toBe(200);
    clock.set(Date.UTC(2026, 10, 27, 15, 3, 52));
    expect((await submitSynthetic(strict, 3, "xuni")).status).toBe(200);
  });
});

describe("ChainState with Argon2id verification", () => {
  it("accepts a genuine mined block and refuses a tampered one", async () => {
    const chain = new ChainState({ marker: "XN", verifyArgon2: true });
    const block = await mineGenuine(ALICE);
    const tamperedSegment = block.hash.slice(0, -1) + (block.hash.endsWith("A") ? "B" : "A");
    const tampered = await chain.submit(verifyBody(block.key, ALICE, tamperedSegment));
    expect(tampered).toEqual({ status: 400, message: "Hash verification failed" });
    const genuine = await chain.submit(verifyBody(block.key, ALICE, block.hash));
    expect(genuine.status === 200 && genuine.block.block_type).toBe(block.blockType);
  });

  it("refuses a non-encoded hash and a genuine hash claimed by another account", async () => {
    const chain = new ChainState({ marker: "XN", verifyArgon2: true });
    const block = await mineGenuine(ALICE, 1);
    expect(await chain.submit(verifyBody(keyOf(1), ALICE, "plainXNhash"))).toEqual({
      status: 400,
      message: "Hash verification failed",
    });
    const stolen = await chain.submit(verifyBody(block.key, BOB_EIP55, block.hash));
    expect(stolen).toEqual({ status: 400, message: "Hash verification failed" });
  });

  it("treats a verifier that throws as a failed verification", async () => {
    const verifier = async () => {
      throw new Error("boom");
    };
    const chain = new ChainState({ verifyArgon2: true, verifier });
    expect(await submitSynthetic(chain, 1)).toEqual({ status: 400, message: "Hash verification failed" });
  });

  it("accepts a key once when two submissions race through verification", async () => {
    const chain = new ChainState({ verifyArgon2: true, verifier: async () => true });
    const results = await Promise.all([submitSynthetic(chain, 1), submitSynthetic(chain, 1)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(chain.stats().total_blocks).toBe(1);
  });
});

describe("ChainState queries", () => {
  it("lists newest first, filtering by account and key prefix (case-insensitive, AND)", async () => {
    const chain = new ChainState();
    const prefix = "0baa4a90372c24cf";
    await chain.submit(verifyBody(keyOf(1, prefix), ALICE, syntheticHash(ALICE, "normal")));
    await chain.submit(verifyBody(keyOf(2), ALICE, syntheticHash(ALICE, "normal")));
    await chain.submit(verifyBody(keyOf(3, prefix), BOB_EIP55, syntheticHash(BOB_EIP55, "normal")));
    const ids = (query: Parameters<ChainState["listBlocks"]>[0]) =>
      chain.listBlocks(query).map((b) => b.block_id);
    expect(ids({})).toEqual([3, 2, 1]);
    expect(ids({ limit: 2 })).toEqual([3, 2]);
    expect(ids({ account: ALICE.toUpperCase().replace("0X", "0x") })).toEqual([2, 1]);
    expect(ids({ prefix: prefix.toUpperCase() })).toEqual([3, 1]);
    expect(ids({ prefix, account: BOB_EIP55 })).toEqual([3]);
    expect(ids({ prefix: "ffff" })).toEqual([]);
  });

  it("serves core's Chain port (the platform's embedded simulator adapter)", async () => {
    const chain = new ChainState();
    await submitSynthetic(chain, 7);
    const port = chainPort(chain);
    expect(port.name).toBe("simulator");
    expect(await port.lookup(keyOf(7).toUpperCase())).toEqual({ found: true, account: ALICE, blockId: 1 });
    expect(await port.lookup(keyOf(8))).toEqual({ found: false });
  });

  it("rebuilds balances and counters from a snapshot", async () => {
    const chain = new ChainState();
    await submitSynthetic(chain, 1, "super");
    await submitSynthetic(chain, 2, "xuni");
    const copy = new ChainState({ snapshot: chain.snapshot() });
    expect(copy.stats()).toEqual(chain.stats());
    expect(copy.balance(ALICE)).toBe(51);
    expect((await submitSynthetic(copy, 2)).status).toBe(409);
  });

  it("refuses an empty marker and a nonsensical initial difficulty", () => {
    expect(() => new ChainState({ marker: "" })).toThrow(RangeError);
    expect(() => new ChainState({ initialDifficulty: 0 })).toThrow(RangeError);
  });
});
