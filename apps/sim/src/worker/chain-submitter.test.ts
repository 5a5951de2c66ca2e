import { describe, expect, it } from "vitest";
import { ChainSubmitter, fetchDifficulty, type VerifyRequest, type VerifyResult } from "./chain-submitter.js";

type Reply = { status: number; body: string } | "network-error";

/** A fetch that answers from a script and records the bodies it got. */
function scriptedFetch(script: Reply[], fallback: Reply = { status: 200, body: "ok" }) {
  const calls: VerifyRequest[] = [];
  const fetchFn = (async (_url: string, init?: RequestInit) => {
    calls.push(JSON.parse(String(init?.body)) as VerifyRequest);
    const reply = script.shift() ?? fallback;
    if (reply === "network-error") throw new TypeError("fetch failed");
    return new Response(reply.body, { status: reply.status });
  }) as typeof fetch;
  return { calls, fetchFn };
}

const request = (key: string): VerifyRequest => ({
  hash_to_verify: "$argon2id$...",
  key,
  account: "0x2ac9de9d494459ab28fd09f10056cfa1d4c6af40",
  attempts: "1234",
  hashes_per_second: "2408.16",
  worker: "w1",
});

async function submitOne(
  script: Reply[],
  fallback?: Reply,
): Promise<{ result: VerifyResult; calls: number }> {
  const { calls, fetchFn } = scriptedFetch(script, fallback);
  const results: VerifyResult[] = [];
  // A 2 s retry pause would exceed nothing here, but a short one keeps the suite fast.
  const submitter = new ChainSubmitter({
    url: "http://chain",
    fetch: fetchFn,
    retryDelayMs: 5,
    onResult: (r) => results.push(r),
  });
  submitter.enqueue(request("k1"), undefined);
  await submitter.idle();
  return { result: results[0]!, calls: calls.length };
}

describe("ChainSubmitter retry rules", () => {
  it("HTTP 200 is a success", async () => {
    const { result, calls } = await submitOne([{ status: 200, body: '{"status":"success"}' }]);
    expect(result).toMatchObject({ outcome: "accepted", attempts: 1, lastStatus: 200 });
    expect(calls).toBe(1);
  });

  it("a body containing `already exists` is a success whatever the status", async () => {
    const { result } = await submitOne([{ status: 409, body: '{"message":"Key already exists"}' }]);
    expect(result).toMatchObject({ outcome: "accepted", attempts: 1, lastStatus: 409 });
  });

  it("`outside of time window` abandons the block at once", async () => {
    const { result } = await submitOne([{ status: 400, body: "XUNI block outside of time window" }]);
    expect(result).toMatchObject({ outcome: "abandoned", attempts: 1 });
  });

  it("an empty body is retried immediately, up to 10 times", async () => {
    const empty = { status: 500, body: "" };
    const ok = await submitOne([empty, empty, empty]);
    expect(ok.result).toMatchObject({ outcome: "accepted", attempts: 4 });
    const failed = await submitOne([], empty);
    expect(failed.result).toMatchObject({ outcome: "failed", attempts: 11 });
  });

  it("anything else is retried every retryDelayMs, up to 5 times; network errors too", async () => {
    const bad = { status: 400, body: '{"message":"Hash verification failed"}' };
    const failed = await submitOne([], bad);
    expect(failed.result).toMatchObject({ outcome: "failed", attempts: 6, lastStatus: 400 });
    const recovered = await submitOne(["network-error", "network-error", { status: 200, body: "ok" }]);
    expect(recovered.result).toMatchObject({ outcome: "accepted", attempts: 3 });
    const down = await submitOne([], "network-error");
    expect(down.result).toMatchObject({ outcome: "failed", attempts: 6, lastStatus: null });
  });

  it("is a single FIFO: one block at a time, in order", async () => {
    const { calls, fetchFn } = scriptedFetch([{ status: 500, body: "" }]);
    const done: string[] = [];
    const submitter = new ChainSubmitter<string>({
      url: "http://chain/",
      fetch: fetchFn,
      onResult: (r) => done.push(r.context),
    });
    submitter.enqueue(request("k1"), "first");
    submitter.enqueue(request("k2"), "second");
    expect(submitter.pending).toBe(2);
    await submitter.idle();
    expect(calls.map((c) => c.key)).toEqual(["k1", "k1", "k2"]);
    expect(done).toEqual(["first", "second"]);
  });
});

describe("fetchDifficulty", () => {
  const answer = (body: unknown) =>
    (async () => new Response(JSON.stringify(body))) as unknown as typeof fetch;

  it("reads the difficulty only from a string, as the worker does", async () => {
    expect(await fetchDifficulty("http://chain", answer({ difficulty: "1727" }))).toBe(1727);
    expect(await fetchDifficulty("http://chain", answer({ difficulty: 1727 }))).toBeNull();
    expect(await fetchDifficulty("http://chain", answer({ difficulty: "abc" }))).toBeNull();
  });
});
