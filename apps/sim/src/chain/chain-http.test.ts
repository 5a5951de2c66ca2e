import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { handleChainRequest, isChainPath, MAX_CHAIN_BODY_BYTES } from "./chain-http.js";
import { type ChainServer, startChainServer } from "./chain-server.js";
import { ChainState } from "./chain-state.js";
import { ALICE, BOB_EIP55, keyOf, mineGenuine, syntheticHash, verifyBody } from "./testing/fixtures.js";

let server: ChainServer;
let base: string;
beforeEach(async () => {
  server = await startChainServer({ port: 0, host: "127.0.0.1" });
  base = `http://127.0.0.1:${server.port}`;
});
afterEach(async () => {
  await server.close();
});

async function call(method: string, path: string, body?: unknown) {
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    init.headers = { "content-type": "application/json" };
  }
  const response = await fetch(base + path, init);
  const text = await response.text();
  expect(text.length, `${method} ${path} answered an empty body`).toBeGreaterThan(0);
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  return { status: response.status, json: JSON.parse(text) as unknown };
}
const get = (path: string) => call("GET", path);
const post = (path: string, body?: unknown) => call("POST", path, body);
const verify = (n: number, account = ALICE, type: "normal" | "super" | "xuni" = "normal", prefix = "") =>
  post("/verify", verifyBody(keyOf(n, prefix), account, syntheticHash(account, type)));

describe("chain simulator over HTTP", () => {
  it("GET /difficulty answers a string", async () => {
    expect(await get("/difficulty")).toEqual({ status: 200, json: { difficulty: "1727" } });
  });

  it("POST /verify accepts a block, then answers 409 for its key", async () => {
    expect(await verify(1)).toEqual({
      status: 200,
      json: { status: "success", message: "Block accepted: normal #1", block_type: "normal", block_id: 1 },
    });
    expect(await verify(2, ALICE, "super")).toMatchObject({
      status: 200,
      json: { block_type: "super", block_id: 2 },
    });
    expect(await verify(1)).toEqual({
      status: 409,
      json: { status: "error", message: "Key already exists" },
    });
  });

  it("POST /verify refuses invalid input with 400 and a message", async () => {
    const good = verifyBody(keyOf(1), ALICE, syntheticHash(ALICE, "normal"));
    const refused = async (body: unknown) =>
      (await post("/verify", body)) as { status: number; json: object };
    expect(await refused({ ...good, key: "xyz" })).toEqual({
      status: 400,
      json: { status: "error", message: "Invalid key" },
    });
    expect((await refused({ ...good, account: "0xnope" })).json).toMatchObject({
      message: "Invalid account",
    });
    expect((await refused({ ...good, hash_to_verify: syntheticHash(ALICE, "none") })).json).toMatchObject({
      message: "Hash does not contain valid block marker (XEN11 or XUNI)",
    });
    expect(await refused("{not json")).toEqual({
      status: 400,
      json: { status: "error", message: "Invalid JSON body" },
    });
    expect((await refused("")).status).toBe(400);
    expect((await refused("[1,2]")).status).toBe(400);
    expect((await refused("null")).status).toBe(400);
    expect((await refused({ ...good, attempts: { n: 1 }, worker: [1] })).status).toBe(400);
    expect((await get("/chain/stats")).json).toMatchObject({ total_blocks: 0 });
  });

  it("refuses a body over the limit with 413 and keeps serving", async () => {
    const huge = JSON.stringify({
      ...verifyBody(keyOf(1), ALICE, "x"),
      pad: "x".repeat(MAX_CHAIN_BODY_BYTES),
    });
    expect(await post("/verify", huge)).toEqual({
      status: 413,
      json: { status: "error", message: `Request body larger than ${MAX_CHAIN_BODY_BYTES} bytes` },
    });
    // Streamed without a length: refused as soon as it passes the limit, never buffered whole.
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 100; i++) controller.enqueue(new Uint8Array(10_000));
        controller.close();
      },
    });
    const streamed = await fetch(`${base}/verify`, {
      method: "POST",
      body: chunks,
      duplex: "half",
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(await streamed.json()).toMatchObject({ status: "error" });
    expect((await get("/difficulty")).status).toBe(200);
  });

  it("GET /getblocks/lastblock lists the last 100 blocks, newest first", async () => {
    for (let n = 1; n <= 102; n++) await verify(n);
    const { status, json } = await get("/getblocks/lastblock");
    const blocks = json as { block_id: number }[];
    expect(status).toBe(200);
    expect(blocks).toHaveLength(100);
    expect(blocks[0]).toEqual({
      block_id: 102,
      account: ALICE,
      key: keyOf(102),
      hash_to_verify: syntheticHash(ALICE, "normal"),
      block_type: "normal",
      attempts: 12345,
      hashes_per_second: "2408.16",
      worker: "w1",
      timestamp: expect.any(Number),
    });
    expect(blocks.at(-1)?.block_id).toBe(3);
    // 100 accepted blocks: the difficulty moved twice.
    expect((await get("/difficulty")).json).toEqual({ difficulty: "1903" });
  });

  it("POST /send_pow echoes block_id for any JSON", async () => {
    const answer = (block_id: unknown) => ({
      status: 200,
      json: { status: "success", message: "PoW accepted (mock)", block_id },
    });
    expect(await post("/send_pow", { block_id: 42, anything: true })).toEqual(answer(42));
    expect(await post("/send_pow", { other: 1 })).toEqual(answer(null));
    expect(await post("/send_pow", "[]")).toEqual(answer(null));
    expect(await post("/send_pow")).toEqual(answer(null));
    expect((await post("/send_pow", "{bad")).status).toBe(400);
  });

  it("GET /balance/{address} answers the lowercase address and XNM earned", async () => {
    await verify(1, BOB_EIP55, "super");
    await verify(2, BOB_EIP55, "xuni");
    expect(await get(`/balance/${BOB_EIP55}`)).toEqual({
      status: 200,
      json: { address: BOB_EIP55.toLowerCase(), balance: 51 },
    });
    expect(await get(`/balance/${ALICE}`)).toEqual({ status: 200, json: { address: ALICE, balance: 0 } });
    expect((await get("/balance/nobody")).status).toBe(400);
  });

  it("GET /chain/stats counts blocks by type and miners", async () => {
    await verify(1, ALICE, "normal");
    await verify(2, BOB_EIP55, "xuni");
    expect(await get("/chain/stats")).toEqual({
      status: 200,
      json: {
        total_blocks: 2,
        normal_blocks: 1,
        super_blocks: 0,
        xuni_blocks: 1,
        difficulty: 1727,
        unique_miners: 2,
        next_block_id: 3,
      },
    });
  });

  it("GET /chain/blocks filters by account and prefix (AND, any case) with a limit", async () => {
    const prefix = "0baa4a90372c24cf";
    await verify(1, ALICE, "normal", prefix);
    await verify(2, ALICE);
    await verify(3, BOB_EIP55, "normal", prefix);
    const ids = async (query: string) =>
      ((await get(`/chain/blocks${query}`)).json as { block_id: number }[]).map((b) => b.block_id);
    expect(await ids("")).toEqual([3, 2, 1]);
    expect(await ids("?limit=1")).toEqual([3]);
    expect(await ids(`?account=${ALICE.toUpperCase().replace("0X", "0x")}`)).toEqual([2, 1]);
    expect(await ids(`?prefix=${prefix.toUpperCase()}`)).toEqual([3, 1]);
    expect(await ids(`?prefix=${prefix}&account=${BOB_EIP55}`)).toEqual([3]);
    for (const bad of ["?limit=0", "?limit=1001", "?limit=abc", "?limit=2.5", "?account=x", "?prefix=zz"]) {
      expect((await get(`/chain/blocks${bad}`)).status, bad).toBe(400);
    }
  });

  it("GET / (standalone) adds the service name and port to the stats", async () => {
    expect(await get("/")).toEqual({
      status: 200,
      json: {
        service: "xenblocks-chain-simulator",
        port: server.port,
        total_blocks: 0,
        normal_blocks: 0,
        super_blocks: 0,
        xuni_blocks: 0,
        difficulty: 1727,
        unique_miners: 0,
        next_block_id: 1,
      },
    });
  });

  it("answers unknown paths with 404 and wrong methods with 405, in JSON", async () => {
    expect(await get("/nope")).toEqual({
      status: 404,
      json: { status: "error", message: "Not found: /nope" },
    });
    expect((await get("/verify")).status).toBe(405);
    expect((await post("/difficulty", {})).status).toBe(405);
    expect((await call("DELETE", "/chain/blocks")).status).toBe(405);
    expect((await get("/difficulty/")).status).toBe(200);
  });
});

describe("chain simulator over HTTP with Argon2id verification", () => {
  it("accepts a genuine mined block and refuses a tampered hash", async () => {
    await server.close();
    server = await startChainServer({ port: 0, host: "127.0.0.1", marker: "XN", verifyArgon2: true });
    base = `http://127.0.0.1:${server.port}`;
    const block = await mineGenuine(ALICE, 2);
    const tampered = block.hash.replace(/.$/, (c) => (c === "A" ? "B" : "A"));
    expect(await post("/verify", verifyBody(block.key, ALICE, tampered))).toEqual({
      status: 400,
      json: { status: "error", message: "Hash verification failed" },
    });
    expect(await post("/verify", verifyBody(block.key, ALICE, block.hash))).toMatchObject({
      status: 200,
      json: { status: "success", block_type: block.blockType, block_id: 1 },
    });
  });
});

describe("chain simulator persistence over HTTP", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "chain-http-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps its blocks across a restart", async () => {
    const path = join(dir, "chain.json");
    await server.close();
    server = await startChainServer({ port: 0, host: "127.0.0.1", path });
    base = `http://127.0.0.1:${server.port}`;
    await verify(1, ALICE, "super");
    await server.close();

    server = await startChainServer({ port: 0, host: "127.0.0.1", path });
    base = `http://127.0.0.1:${server.port}`;
    expect(await get(`/balance/${ALICE}`)).toMatchObject({ json: { balance: 50 } });
    expect((await verify(1)).status).toBe(409);
    expect(await verify(2)).toMatchObject({ json: { block_id: 2 } });
  });
});

describe("handleChainRequest (mounted in another server)", () => {
  it("takes plain request data: query in the path or apart, string or byte bodies", async () => {
    const chain = new ChainState();
    const body = new TextEncoder().encode(
      JSON.stringify(verifyBody(keyOf(1), ALICE, syntheticHash(ALICE, "xuni"))),
    );
    expect(await handleChainRequest(chain, { method: "post", path: "/verify", body })).toMatchObject({
      status: 200,
    });
    const byPath = await handleChainRequest(chain, { method: "GET", path: "/chain/blocks?limit=1&account=" });
    expect(byPath).toMatchObject({ status: 200, body: [{ block_id: 1 }] });
    const byQuery = await handleChainRequest(chain, {
      method: "GET",
      path: "/chain/blocks",
      query: { prefix: ["ffff", "0000"], limit: "5" },
    });
    expect(byQuery).toEqual({ status: 200, body: [] });
    const params = new URLSearchParams({ limit: "0" });
    expect(
      (await handleChainRequest(chain, { method: "GET", path: "/chain/blocks", query: params })).status,
    ).toBe(400);
    const oversized = "x".repeat(MAX_CHAIN_BODY_BYTES + 1);
    expect(
      (await handleChainRequest(chain, { method: "POST", path: "/verify", body: oversized })).status,
    ).toBe(413);
    // GET / belongs to the host server.
    expect((await handleChainRequest(chain, { method: "GET", path: "/" })).status).toBe(404);
  });

  it("turns an unexpected failure into a 500 JSON answer", async () => {
    const chain = new ChainState();
    chain.stats = () => {
      throw new Error("boom");
    };
    const errors = console.error;
    console.error = () => {};
    try {
      expect(await handleChainRequest(chain, { method: "GET", path: "/chain/stats" })).toEqual({
        status: 500,
        body: { status: "error", message: "Internal error" },
      });
    } finally {
      console.error = errors;
    }
  });

  it("isChainPath names the routes a host should hand over", () => {
    for (const path of [
      "/difficulty",
      "/verify",
      "/getblocks/lastblock",
      "/send_pow",
      "/balance/0xab",
      "/chain/stats",
      "/chain/blocks?limit=2",
    ]) {
      expect(isChainPath(path), path).toBe(true);
    }
    for (const path of ["/", "/api/workers", "/trpc", "/healthz", "/difficultyx"])
      expect(isChainPath(path), path).toBe(false);
  });
});
