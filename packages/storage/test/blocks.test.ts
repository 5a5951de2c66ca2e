/**
 * Block reports through the platform (platform-rules §6, §7; worker-protocol §4.4, §8): acceptance
 * checks in the spec's order, duplicates, drops, the block marker, Argon2id re-verification, the chain
 * verification schedule, reputation counters and events. Everything goes through `platform.blocks`
 * (or the harness worker helpers), never the pure checks directly.
 */
import { readFileSync } from "node:fs";
import {
  type Argon2Verifier,
  addressBytes,
  type BlockMessage,
  type BlockRecord,
  base64NoPad,
  createPlatform,
  type DomainEvent,
  type LeaseRecord,
  type PlatformConfigInput,
  parseInbound,
  type Storage,
  unwrap,
} from "@xenblocks/core";
import { type FakeClock, fakeClock, recordingChannel, seededIds } from "@xenblocks/core/testing";
import { describe, expect, it, vi } from "vitest";
import { engines } from "./engines.js";
import {
  ADMIN,
  blockKey,
  encodedHash,
  fakeChain,
  marketplace,
  OWNER_A,
  OWNER_B,
  RENTER_1,
  RENTER_2,
  wallet,
} from "./harness.js";

// ------------------------------------------------------------------ fixtures

/** The vectors' worker (owner OWNER_A = the vectors' owner, EIP-55). */
const WORKER = "776536cd9695ca58";
const OTHER_WORKER = "5c0ffee5c0ffee00";
/** The vectors' renter in EIP-55 form (the same 20 bytes as RENTER_1). */
const RENTER_1_EIP55 = "0x2ac9de9d494459AB28fd09F10056cfA1d4C6Af40";
/** A dev-fee address: self-mined blocks to it never count. */
const DEV_FEE = "0xdef0000000000000000000000000000000000fee";
/** A payout address the worker echoes in its heartbeat after `set_config address`. */
const PAYOUT = "0xA72B7D608c51B0FB4E21B75f37a41A3324f846a7";
/** The chain verification schedule of platform-rules §6, in seconds after receipt. */
const SCHEDULE_SEC = [5, 15, 35, 75, 155, 275, 395, 515, 635, 755, 875];

// packages/storage/test → storage → packages → repository root → its parent, which holds shared/.
const VECTORS_DIR = new URL("../../../../shared/vectors/", import.meta.url);

interface BlockVector {
  topic: string;
  payload: BlockMessage;
}

function blockVector(name: string): BlockVector {
  return JSON.parse(readFileSync(new URL(`${name}.json`, VECTORS_DIR), "utf8")) as BlockVector;
}

const VECTOR_BLOCK = blockVector("block");
const VECTOR_LEASE_XUNI = blockVector("block_lease_xuni");
const VECTOR_SELF_XUNI = blockVector("block_self_mined_xuni");
const VECTOR_REGISTER = JSON.parse(readFileSync(new URL("register.json", VECTORS_DIR), "utf8")) as {
  topic: string;
  payload: Record<string, unknown>;
};

// ------------------------------------------------------------------ helpers

type Market = Awaited<ReturnType<typeof marketplace>>;
type TestWorker = ReturnType<Market["worker"]>;
type BlockPlatform = Pick<ReturnType<typeof createPlatform>, "blocks">;

function must<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new Error(`expected ${what}`);
  return value;
}

/** An encoded Argon2id string for `account` with a chosen 86-character hash segment. */
function hashWithPure(account: string, pure: string, m = 1727): string {
  if (pure.length !== 86) throw new Error(`hashed_pure must be 86 characters, got ${pure.length}`);
  return `$argon2id$v=19$m=${m},t=1,p=1$${base64NoPad(must(addressBytes(account), account))}$${pure}`;
}

/** A hashed_pure with `marker` followed by `uppercase` letters "A", padded with lowercase. */
function pureWith(marker: string, uppercase: number): string {
  return `${marker}${"A".repeat(uppercase)}`.padEnd(86, "q");
}

/** A self-mining key (no lease prefix). */
const selfKey = (n: number) => `5e1f${n.toString(16).padStart(60, "0")}`;

/** Feeds a block payload exactly as the broker would: topic + JSON through the shared parser. */
async function feed(platform: BlockPlatform, topic: string, payload: object) {
  const parsed = parseInbound(topic, JSON.stringify(payload));
  if (!parsed.ok || parsed.suffix !== "block") throw new Error(`not a block message: ${topic}`);
  return platform.blocks.onBlock(parsed.message);
}

async function stored(m: { storage: Storage }, key: string): Promise<BlockRecord> {
  return must(await m.storage.blocks.getByKey(key), `a stored block ${key}`);
}

async function leaseCounts(m: Market, leaseId: string) {
  const lease = must(await m.storage.leases.get(leaseId), `lease ${leaseId}`);
  return { blocksAccepted: lease.blocksAccepted, blocksRejected: lease.blocksRejected };
}

async function workerCounts(m: { storage: Storage }, workerId: string) {
  const w = must(await m.storage.workers.get(workerId), `worker ${workerId}`);
  return { leaseBlocks: w.leaseBlocks, verifiedLeaseBlocks: w.verifiedLeaseBlocks, selfBlocks: w.selfBlocks };
}

const NO_BLOCKS = { leaseBlocks: 0, verifiedLeaseBlocks: 0, selfBlocks: 0 };

/** Rents `w` for `renter` (default RENTER_1); the lease stays pending unless `confirm`. */
async function rent(m: Market, w: TestWorker, options: { renter?: string; confirm?: boolean } = {}) {
  const renter = options.renter ?? RENTER_1;
  await m.fund(renter, 100);
  m.clock.advance(3000);
  const lease = unwrap(await m.platform.rental.rent(wallet(renter), { durationSec: 3600, workerId: w.id }));
  if (options.confirm ?? true) await w.confirm(lease.leaseId);
  return must(await m.storage.leases.get(lease.leaseId), "the new lease");
}

/** The vector scenario: worker 776536cd9695ca58 (owner OWNER_A) joined and rented by RENTER_1. */
async function leasedWorker(storage: Storage, options: Parameters<typeof marketplace>[1] = {}) {
  const m = await marketplace(storage, options);
  const w = m.worker(WORKER, OWNER_A);
  await w.join();
  const lease = await rent(m, w);
  expect(lease.state).toBe("active");
  return { m, w, lease };
}

/** A lease block of `lease` as the harness worker sends it (valid unless fields override it). */
function leaseBlock(w: TestWorker, lease: LeaseRecord, n: number, fields: Partial<BlockMessage> = {}) {
  return w.block({
    key: blockKey(lease.prefix, n),
    account: lease.consumerAddress,
    lease_id: lease.leaseId,
    ...fields,
  });
}

/** What a freshly stored block looks like; `over` supplies what differs. */
function record(over: Partial<BlockRecord> & Pick<BlockRecord, "id" | "key" | "workerId" | "receivedAt">) {
  return {
    leaseId: null,
    hash: encodedHash(over.account ?? RENTER_1),
    account: RENTER_1,
    attempts: 1000,
    hashrate: "2408.16",
    blockType: "normal",
    difficulty: 1727,
    status: "accepted",
    rejectReason: null,
    chainStatus: "pending",
    chainBlockId: null,
    chainChecks: 0,
    nextChainCheckAt: over.receivedAt + 5000,
    ...over,
  } satisfies BlockRecord;
}

/** A rejected block as stored: no chain verification at all. */
function rejected(
  reason: NonNullable<BlockRecord["rejectReason"]>,
  over: Partial<BlockRecord> & Pick<BlockRecord, "id" | "key" | "workerId" | "receivedAt">,
) {
  return record({
    status: "rejected",
    rejectReason: reason,
    chainStatus: null,
    nextChainCheckAt: null,
    ...over,
  });
}

/** Sets the clock to `t0 + offsetMs` and runs the chain job once; returns how many blocks were due. */
async function checkChainAt(m: Market, t0: number, offsetMs: number) {
  m.clock.set(t0 + offsetMs);
  return m.platform.jobs.checkChain();
}

function recordEvents(m: Market) {
  const events: DomainEvent[] = [];
  m.platform.events.subscribe((e) => {
    if (e.type === "BlockRecorded" || e.type === "BlockChainStatus") events.push(e);
  });
  return events;
}

/** A platform with Argon2id re-verification on, wired like `harness.marketplace`. */
async function argonPlatform(
  storage: Storage,
  verdict: (input: Parameters<Argon2Verifier["verify"]>[0]) => boolean,
  clock: FakeClock = fakeClock(),
) {
  const calls: Parameters<Argon2Verifier["verify"]>[0][] = [];
  const argon2: Argon2Verifier = {
    async verify(input) {
      calls.push(input);
      return verdict(input);
    },
  };
  const platform = createPlatform({
    storage,
    channel: recordingChannel(),
    clock,
    ids: seededIds(11, clock),
    chain: fakeChain(),
    argon2,
    config: { admins: [ADMIN], blocks: { verifyArgon2: true } },
  });
  await platform.start();
  return { platform, calls, storage, clock };
}

// ------------------------------------------------------------------ suites

describe.each(engines)("blocks: the vector flow ($name)", (engine) => {
  it("accepts the vector lease blocks rebuilt on the lease's own prefix, exactly as stored", async () => {
    const { m, w, lease } = await leasedWorker(await engine.create());
    expect(lease.consumerAddress).toBe(RENTER_1);
    const now = m.clock.now();

    // block.json: normal (XEN11), synthetic hash segment; only key prefix and lease id are this lease's.
    const normalKey = lease.prefix + VECTOR_BLOCK.payload.key.slice(16);
    const r1 = await w.block({ ...VECTOR_BLOCK.payload, key: normalKey, lease_id: lease.leaseId });
    expect(r1).toMatchObject({ accepted: true });
    expect(await stored(m, normalKey)).toEqual(
      record({
        id: 1,
        key: normalKey,
        workerId: WORKER,
        leaseId: lease.leaseId,
        hash: VECTOR_BLOCK.payload.hash,
        attempts: 3118363,
        receivedAt: now,
      }),
    );

    // block_lease_xuni.json: genuine xuni hash.
    const xuniKey = lease.prefix + VECTOR_LEASE_XUNI.payload.key.slice(16);
    const r2 = await w.block({ ...VECTOR_LEASE_XUNI.payload, key: xuniKey, lease_id: lease.leaseId });
    expect(r2).toMatchObject({ accepted: true });
    expect(await stored(m, xuniKey)).toEqual(
      record({
        id: 2,
        key: xuniKey,
        workerId: WORKER,
        leaseId: lease.leaseId,
        hash: VECTOR_LEASE_XUNI.payload.hash,
        attempts: 7973402,
        hashrate: "2408.38",
        blockType: "xuni",
        receivedAt: now,
      }),
    );

    // The harness's own key and hash builders.
    const key3 = blockKey(lease.prefix, 3);
    expect(await w.block({ key: key3, account: RENTER_1, lease_id: lease.leaseId })).toMatchObject({
      accepted: true,
    });
    expect(await stored(m, key3)).toEqual(
      record({ id: 3, key: key3, workerId: WORKER, leaseId: lease.leaseId, receivedAt: now }),
    );

    expect(await leaseCounts(m, lease.leaseId)).toEqual({ blocksAccepted: 3, blocksRejected: 0 });
    expect(await workerCounts(m, WORKER)).toEqual({ leaseBlocks: 3, verifiedLeaseBlocks: 0, selfBlocks: 0 });
    expect(m.platform.counters.get("blocks_total", "accepted")).toBe(3);
    expect(m.platform.counters.get("blocks_total", "rejected")).toBe(0);
    expect(m.platform.counters.get("blocks_duplicate_total")).toBe(0);
  });

  it("records the self-mined xuni vector, fed unchanged, as self / pending / xuni", async () => {
    const m = await marketplace(await engine.create());
    // The vector's worker, registered with the vector's owner (EIP-55, as register.json sends it).
    const reg = parseInbound(VECTOR_REGISTER.topic, JSON.stringify(VECTOR_REGISTER.payload));
    if (!reg.ok || reg.suffix !== "register") throw new Error("register vector did not parse");
    await m.platform.fleet.onRegister(reg.message);
    expect((await m.storage.workers.get(WORKER))?.owner).toBe(OWNER_A.toLowerCase());

    const now = m.clock.now();
    const r = await feed(m.platform, VECTOR_SELF_XUNI.topic, VECTOR_SELF_XUNI.payload);
    expect(r).toMatchObject({ accepted: true });
    const { payload } = VECTOR_SELF_XUNI;
    expect(await stored(m, payload.key)).toEqual(
      record({
        id: 1,
        key: payload.key,
        workerId: WORKER,
        leaseId: null,
        hash: payload.hash,
        account: OWNER_A, // kept as sent (EIP-55)
        attempts: 5803154,
        hashrate: "2407.91",
        blockType: "xuni",
        status: "self",
        receivedAt: now,
      }),
    );
    expect(await workerCounts(m, WORKER)).toEqual(NO_BLOCKS);
    expect(m.platform.counters.get("blocks_total", "self")).toBe(1);
  });
});

describe.each(engines)("blocks: rejections in the spec's order ($name)", (engine) => {
  it("malformed: bad key, hash not encoded Argon2id, salt segment not the account", async () => {
    const { m, w, lease } = await leasedWorker(await engine.create());
    const now = m.clock.now();
    const base = { workerId: WORKER, leaseId: lease.leaseId, receivedAt: now };

    // A key that is not 64 hex; the block is also markerless and its lease unknown: malformed comes first.
    const badKey = `${lease.prefix}zz${"0".repeat(46)}`;
    const noMarker = encodedHash(RENTER_1, "none1");
    const r1 = await w.block({ key: badKey, account: RENTER_1, lease_id: lease.leaseId, hash: noMarker });
    expect(r1).toMatchObject({ accepted: false, reason: "malformed" });
    expect(await stored(m, badKey)).toEqual(
      rejected("malformed", { ...base, id: 1, key: badKey, hash: noMarker, blockType: "none" }),
    );

    // 63 hex.
    const shortKey = blockKey(lease.prefix, 2).slice(0, 63);
    expect(await leaseBlock(w, lease, 0, { key: shortKey })).toMatchObject({ reason: "malformed" });
    expect(await stored(m, shortKey)).toEqual(
      rejected("malformed", { ...base, id: 2, key: shortKey, blockType: "none" }),
    );

    // A hex digest instead of the encoded Argon2id string.
    const hexHash = "ab".repeat(64);
    const key3 = blockKey(lease.prefix, 3);
    expect(await leaseBlock(w, lease, 3, { hash: hexHash })).toMatchObject({ reason: "malformed" });
    expect(await stored(m, key3)).toEqual(
      rejected("malformed", {
        ...base,
        id: 3,
        key: key3,
        hash: hexHash,
        blockType: "none",
        difficulty: null,
      }),
    );

    // Well-formed, but the salt segment is RENTER_2's bytes while the account is RENTER_1.
    const otherSalt = encodedHash(RENTER_2);
    const key4 = blockKey(lease.prefix, 4);
    expect(await leaseBlock(w, lease, 4, { hash: otherSalt })).toMatchObject({ reason: "malformed" });
    expect(await stored(m, key4)).toEqual(
      rejected("malformed", { ...base, id: 4, key: key4, hash: otherSalt, blockType: "none" }),
    );

    expect(await leaseCounts(m, lease.leaseId)).toEqual({ blocksAccepted: 0, blocksRejected: 4 });
    expect(await workerCounts(m, WORKER)).toEqual(NO_BLOCKS);
    expect(m.platform.counters.get("blocks_rejected_total", "malformed")).toBe(4);
    expect(m.platform.counters.get("blocks_total", "rejected")).toBe(4);
    expect(m.platform.counters.get("blocks_total", "accepted")).toBe(0);
  });

  it("no_block_marker: no XEN11 and no XUNI+digit (checked before the lease)", async () => {
    const { m, w, lease } = await leasedWorker(await engine.create());
    const now = m.clock.now();
    const key1 = blockKey(lease.prefix, 1);
    const xen12 = encodedHash(RENTER_1, "XEN12");
    // Also with an unknown lease id: the marker check comes first.
    const r = await leaseBlock(w, lease, 1, { hash: xen12, lease_id: "lease-does-not-exist" });
    expect(r).toMatchObject({ accepted: false, reason: "no_block_marker" });
    expect(await stored(m, key1)).toEqual(
      rejected("no_block_marker", {
        id: 1,
        key: key1,
        workerId: WORKER,
        leaseId: "lease-does-not-exist",
        hash: xen12,
        blockType: "none",
        receivedAt: now,
      }),
    );

    const key2 = blockKey(lease.prefix, 2);
    const xuniNoDigit = encodedHash(RENTER_1, "XUNIq");
    expect(await leaseBlock(w, lease, 2, { hash: xuniNoDigit })).toMatchObject({ reason: "no_block_marker" });
    expect(await stored(m, key2)).toMatchObject({
      status: "rejected",
      rejectReason: "no_block_marker",
      blockType: "none",
    });

    expect(await leaseCounts(m, lease.leaseId)).toEqual({ blocksAccepted: 0, blocksRejected: 1 });
    expect(await workerCounts(m, WORKER)).toEqual(NO_BLOCKS);
    expect(m.platform.counters.get("blocks_rejected_total", "no_block_marker")).toBe(2);
  });

  it("unknown_lease: a lease id the platform never issued", async () => {
    const { m, w, lease } = await leasedWorker(await engine.create());
    const now = m.clock.now();
    // Wrong prefix and account too: the lease lookup comes first.
    const key = blockKey("0123456789abcdef", 1);
    const r = await w.block({
      key,
      account: RENTER_2,
      lease_id: "lease-00000000-0000-7000-8000-000000000000",
    });
    expect(r).toMatchObject({ accepted: false, reason: "unknown_lease" });
    expect(await stored(m, key)).toEqual(
      rejected("unknown_lease", {
        id: 1,
        key,
        workerId: WORKER,
        leaseId: "lease-00000000-0000-7000-8000-000000000000",
        account: RENTER_2,
        hash: encodedHash(RENTER_2),
        receivedAt: now,
      }),
    );
    expect(await leaseCounts(m, lease.leaseId)).toEqual({ blocksAccepted: 0, blocksRejected: 0 });
    expect(await workerCounts(m, WORKER)).toEqual(NO_BLOCKS);
    expect(m.platform.counters.get("blocks_rejected_total", "unknown_lease")).toBe(1);
  });

  it("wrong_worker: a lease of another worker, and its counters stay untouched", async () => {
    const { m, lease } = await leasedWorker(await engine.create());
    const other = m.worker(OTHER_WORKER, OWNER_B);
    await other.join();
    const now = m.clock.now();
    // Even with the lease's own prefix and account (a copied report) it is the wrong worker.
    const key1 = blockKey(lease.prefix, 1);
    const r1 = await other.block({ key: key1, account: RENTER_1, lease_id: lease.leaseId });
    expect(r1).toMatchObject({ accepted: false, reason: "wrong_worker" });
    expect(await stored(m, key1)).toEqual(
      rejected("wrong_worker", {
        id: 1,
        key: key1,
        workerId: OTHER_WORKER,
        leaseId: lease.leaseId,
        receivedAt: now,
      }),
    );
    // Wrong prefix and account as well: wrong_worker comes first.
    const key2 = blockKey("0123456789abcdef", 2);
    const r2 = await other.block({ key: key2, account: RENTER_2, lease_id: lease.leaseId });
    expect(r2).toMatchObject({ reason: "wrong_worker" });

    expect(await leaseCounts(m, lease.leaseId)).toEqual({ blocksAccepted: 0, blocksRejected: 0 });
    expect(await workerCounts(m, WORKER)).toEqual(NO_BLOCKS);
    expect(await workerCounts(m, OTHER_WORKER)).toEqual(NO_BLOCKS);
    expect(m.platform.counters.get("blocks_rejected_total", "wrong_worker")).toBe(2);
  });

  it("prefix_mismatch: key[0:16] is not the lease prefix (compared case-insensitively)", async () => {
    const { m, w, lease } = await leasedWorker(await engine.create());
    const now = m.clock.now();
    // Wrong account too: the prefix is checked first.
    const key = blockKey(lease.prefix === "0123456789abcdef" ? "fedcba9876543210" : "0123456789abcdef", 1);
    const r = await w.block({ key, account: RENTER_2, lease_id: lease.leaseId });
    expect(r).toMatchObject({ accepted: false, reason: "prefix_mismatch" });
    expect(await stored(m, key)).toEqual(
      rejected("prefix_mismatch", {
        id: 1,
        key,
        workerId: WORKER,
        leaseId: lease.leaseId,
        account: RENTER_2,
        hash: encodedHash(RENTER_2),
        receivedAt: now,
      }),
    );
    // The same prefix in upper case is the same prefix.
    const upper = blockKey(lease.prefix.toUpperCase(), 2);
    expect(await leaseBlock(w, lease, 0, { key: upper })).toMatchObject({ accepted: true });
    expect(await stored(m, upper)).toMatchObject({ status: "accepted", rejectReason: null });

    expect(await leaseCounts(m, lease.leaseId)).toEqual({ blocksAccepted: 1, blocksRejected: 1 });
    expect(await workerCounts(m, WORKER)).toEqual({ leaseBlocks: 1, verifiedLeaseBlocks: 0, selfBlocks: 0 });
    expect(m.platform.counters.get("blocks_rejected_total", "prefix_mismatch")).toBe(1);
  });

  it("account_mismatch: account is not the lease's consumer address (compared case-insensitively)", async () => {
    const { m, w, lease } = await leasedWorker(await engine.create());
    const now = m.clock.now();
    const key1 = blockKey(lease.prefix, 1);
    const r = await leaseBlock(w, lease, 1, { account: RENTER_2, hash: encodedHash(RENTER_2) });
    expect(r).toMatchObject({ accepted: false, reason: "account_mismatch" });
    expect(await stored(m, key1)).toEqual(
      rejected("account_mismatch", {
        id: 1,
        key: key1,
        workerId: WORKER,
        leaseId: lease.leaseId,
        account: RENTER_2,
        hash: encodedHash(RENTER_2),
        receivedAt: now,
      }),
    );
    // The renter's address in EIP-55 form names the same account.
    const key2 = blockKey(lease.prefix, 2);
    expect(
      await leaseBlock(w, lease, 2, { account: RENTER_1_EIP55, hash: encodedHash(RENTER_1_EIP55) }),
    ).toMatchObject({ accepted: true });
    expect(await stored(m, key2)).toMatchObject({ status: "accepted", account: RENTER_1_EIP55 });

    expect(await leaseCounts(m, lease.leaseId)).toEqual({ blocksAccepted: 1, blocksRejected: 1 });
    expect(await workerCounts(m, WORKER)).toEqual({ leaseBlocks: 1, verifiedLeaseBlocks: 0, selfBlocks: 0 });
    expect(m.platform.counters.get("blocks_rejected_total", "account_mismatch")).toBe(1);
  });

  it("outside_lease_window: a pending (unconfirmed) lease", async () => {
    const m = await marketplace(await engine.create());
    const w = m.worker(WORKER, OWNER_A);
    await w.join();
    const lease = await rent(m, w, { confirm: false });
    expect(lease.state).toBe("pending");
    const key = blockKey(lease.prefix, 1);
    const r = await leaseBlock(w, lease, 1);
    expect(r).toMatchObject({ accepted: false, reason: "outside_lease_window" });
    expect(await stored(m, key)).toEqual(
      rejected("outside_lease_window", {
        id: 1,
        key,
        workerId: WORKER,
        leaseId: lease.leaseId,
        receivedAt: m.clock.now(),
      }),
    );
    expect(await leaseCounts(m, lease.leaseId)).toEqual({ blocksAccepted: 0, blocksRejected: 1 });
    expect(await workerCounts(m, WORKER)).toEqual(NO_BLOCKS);
    expect(m.platform.counters.get("blocks_rejected_total", "outside_lease_window")).toBe(1);
  });

  it("outside_lease_window: a cancelled lease, even right after it was cancelled", async () => {
    const m = await marketplace(await engine.create());
    const w = m.worker(WORKER, OWNER_A);
    await w.join();
    const pending = await rent(m, w, { confirm: false });
    const stop = unwrap(await m.platform.rental.stop(wallet(RENTER_1), pending.leaseId));
    expect(stop.lease.state).toBe("cancelled");
    m.clock.advance(1000);
    const key = blockKey(pending.prefix, 1);
    expect(await leaseBlock(w, pending, 1)).toMatchObject({
      accepted: false,
      reason: "outside_lease_window",
    });
    expect(await stored(m, key)).toMatchObject({
      status: "rejected",
      rejectReason: "outside_lease_window",
      chainStatus: null,
    });
    expect(await leaseCounts(m, pending.leaseId)).toEqual({ blocksAccepted: 0, blocksRejected: 1 });
    expect(await workerCounts(m, WORKER)).toEqual(NO_BLOCKS);
  });

  it("accepts a block up to 60 s after a stop, rejects it later as outside_lease_window", async () => {
    const { m, w, lease } = await leasedWorker(await engine.create());
    m.clock.advance(10_000);
    const stop = unwrap(await m.platform.rental.stop(wallet(RENTER_1), lease.leaseId));
    expect(stop.lease.state).toBe("completed");
    const endedAt = must(stop.lease.endedAt, "endedAt");

    m.clock.set(endedAt + 30_000);
    const key1 = blockKey(lease.prefix, 1);
    expect(await leaseBlock(w, lease, 1)).toMatchObject({ accepted: true });
    expect(await stored(m, key1)).toEqual(
      record({ id: 1, key: key1, workerId: WORKER, leaseId: lease.leaseId, receivedAt: endedAt + 30_000 }),
    );

    m.clock.set(endedAt + 60_000);
    const key2 = blockKey(lease.prefix, 2);
    expect(await leaseBlock(w, lease, 2)).toMatchObject({ accepted: true });
    expect(await stored(m, key2)).toMatchObject({ status: "accepted", chainStatus: "pending" });

    m.clock.set(endedAt + 60_001);
    const key3 = blockKey(lease.prefix, 3);
    expect(await leaseBlock(w, lease, 3)).toMatchObject({ accepted: false, reason: "outside_lease_window" });
    expect(await stored(m, key3)).toEqual(
      rejected("outside_lease_window", {
        id: 3,
        key: key3,
        workerId: WORKER,
        leaseId: lease.leaseId,
        receivedAt: endedAt + 60_001,
      }),
    );

    expect(await leaseCounts(m, lease.leaseId)).toEqual({ blocksAccepted: 2, blocksRejected: 1 });
    expect(await workerCounts(m, WORKER)).toEqual({ leaseBlocks: 2, verifiedLeaseBlocks: 0, selfBlocks: 0 });
    expect(m.platform.counters.get("blocks_total", "accepted")).toBe(2);
    expect(m.platform.counters.get("blocks_rejected_total", "outside_lease_window")).toBe(1);
  });

  it("accepts a block within 60 s after an interruption (worker went offline)", async () => {
    const { m, w, lease } = await leasedWorker(await engine.create());
    m.clock.advance(5000);
    await w.will();
    const ended = must(await m.storage.leases.get(lease.leaseId), "lease");
    expect(ended.state).toBe("interrupted");
    m.clock.set(must(ended.endedAt, "endedAt") + 20_000);
    expect(await leaseBlock(w, lease, 1)).toMatchObject({ accepted: true });
    expect(await leaseCounts(m, lease.leaseId)).toEqual({ blocksAccepted: 1, blocksRejected: 0 });
  });
});

describe.each(engines)("blocks: duplicates and drops ($name)", (engine) => {
  it("stores a key once; each repeat (also by another worker) counts one duplicate and nothing else", async () => {
    const { m, w, lease } = await leasedWorker(await engine.create());
    const other = m.worker(OTHER_WORKER, OWNER_B);
    await other.join();
    const events = recordEvents(m);
    const key = blockKey(lease.prefix, 1);
    expect(await leaseBlock(w, lease, 1)).toMatchObject({ accepted: true });
    const first = await stored(m, key);

    m.clock.advance(1000);
    expect(await leaseBlock(w, lease, 1)).toEqual({ accepted: false, reason: "duplicate" });
    expect(m.platform.counters.get("blocks_duplicate_total")).toBe(1);

    m.clock.advance(1000);
    expect(await other.block({ key, account: RENTER_1, lease_id: lease.leaseId })).toEqual({
      accepted: false,
      reason: "duplicate",
    });
    expect(m.platform.counters.get("blocks_duplicate_total")).toBe(2);

    expect(await stored(m, key)).toEqual(first);
    expect(first.workerId).toBe(WORKER);
    expect(await leaseCounts(m, lease.leaseId)).toEqual({ blocksAccepted: 1, blocksRejected: 0 });
    expect(await workerCounts(m, WORKER)).toEqual({ leaseBlocks: 1, verifiedLeaseBlocks: 0, selfBlocks: 0 });
    expect(await workerCounts(m, OTHER_WORKER)).toEqual(NO_BLOCKS);
    expect(m.platform.counters.get("blocks_total", "accepted")).toBe(1);
    expect(m.platform.counters.get("blocks_total", "rejected")).toBe(0);
    expect(events.filter((e) => e.type === "BlockRecorded")).toHaveLength(1);
  });

  it("a rejected key stays rejected: reporting it again later is a duplicate, not a second chance", async () => {
    const m = await marketplace(await engine.create());
    const w = m.worker(WORKER, OWNER_A);
    await w.join();
    const lease = await rent(m, w, { confirm: false });
    const key = blockKey(lease.prefix, 1);
    expect(await leaseBlock(w, lease, 1)).toMatchObject({ reason: "outside_lease_window" });
    await w.confirm(lease.leaseId);
    expect((await m.storage.leases.get(lease.leaseId))?.state).toBe("active");
    expect(await leaseBlock(w, lease, 1)).toEqual({ accepted: false, reason: "duplicate" });
    expect(await stored(m, key)).toMatchObject({
      id: 1,
      status: "rejected",
      rejectReason: "outside_lease_window",
    });
    expect(await leaseCounts(m, lease.leaseId)).toEqual({ blocksAccepted: 0, blocksRejected: 1 });
    expect(m.platform.counters.get("blocks_duplicate_total")).toBe(1);
  });

  it("two simultaneous reports of one key: one stored, one duplicate", async () => {
    const { m, w, lease } = await leasedWorker(await engine.create());
    const key = blockKey(lease.prefix, 1);
    const results = await Promise.all([leaseBlock(w, lease, 1), leaseBlock(w, lease, 1)]);
    expect(results.filter((r) => r?.accepted === true)).toHaveLength(1);
    expect(results.filter((r) => r?.accepted === false && r.reason === "duplicate")).toHaveLength(1);
    expect(await stored(m, key)).toMatchObject({ id: 1, status: "accepted" });
    expect(await leaseCounts(m, lease.leaseId)).toEqual({ blocksAccepted: 1, blocksRejected: 0 });
    expect(await workerCounts(m, WORKER)).toEqual({ leaseBlocks: 1, verifiedLeaseBlocks: 0, selfBlocks: 0 });
    expect(m.platform.counters.get("blocks_duplicate_total")).toBe(1);
  });

  it("drops a block from a worker that never registered: not stored, counted", async () => {
    const { m, lease } = await leasedWorker(await engine.create());
    const events = recordEvents(m);
    const stranger = m.worker("deadbeefdeadbeef", OWNER_B);
    const key = blockKey(lease.prefix, 1);
    expect(await stranger.block({ key, account: RENTER_1, lease_id: lease.leaseId })).toEqual({
      accepted: false,
      reason: "unknown_worker",
    });
    expect(await m.storage.blocks.getByKey(key)).toBeNull();
    expect(m.platform.counters.get("blocks_dropped_total", "unknown_worker")).toBe(1);
    expect(m.platform.counters.get("blocks_duplicate_total")).toBe(0);
    expect(await leaseCounts(m, lease.leaseId)).toEqual({ blocksAccepted: 0, blocksRejected: 0 });
    expect(events).toEqual([]);
    // Once dropped, the key is still free for the lease's own worker.
    expect(await m.worker(WORKER).block({ key, account: RENTER_1, lease_id: lease.leaseId })).toMatchObject({
      accepted: true,
    });
  });
});

describe.each(engines)("blocks: marker and classification ($name)", (engine) => {
  it("a custom marker XN accepts an XN hash without XEN11 and replaces XEN11", async () => {
    const { m, w, lease } = await leasedWorker(await engine.create(), {
      config: { blocks: { marker: "XN" } },
    });
    expect(m.platform.config.blocks.marker).toBe("XN");
    const xn = encodedHash(RENTER_1, "XN");
    expect(xn).not.toContain("XEN11");
    const key1 = blockKey(lease.prefix, 1);
    expect(await leaseBlock(w, lease, 1, { hash: xn })).toMatchObject({ accepted: true });
    expect(await stored(m, key1)).toEqual(
      record({
        id: 1,
        key: key1,
        workerId: WORKER,
        leaseId: lease.leaseId,
        hash: xn,
        receivedAt: m.clock.now(),
      }),
    );
    // XEN11 is not "XN": under the test marker it is no block at all.
    const key2 = blockKey(lease.prefix, 2);
    expect(await leaseBlock(w, lease, 2)).toMatchObject({ accepted: false, reason: "no_block_marker" });
    expect(await stored(m, key2)).toMatchObject({
      status: "rejected",
      rejectReason: "no_block_marker",
      blockType: "none",
    });
    // Xuni rules are unchanged.
    const key3 = lease.prefix + VECTOR_LEASE_XUNI.payload.key.slice(16);
    expect(await w.block({ ...VECTOR_LEASE_XUNI.payload, key: key3, lease_id: lease.leaseId })).toMatchObject(
      {
        accepted: true,
      },
    );
    expect(await stored(m, key3)).toMatchObject({ blockType: "xuni", status: "accepted" });
    // Super with the custom marker: XN + 48 × A = 50 uppercase letters.
    const key4 = blockKey(lease.prefix, 4);
    const superXn = hashWithPure(RENTER_1, pureWith("XN", 48));
    expect(await leaseBlock(w, lease, 4, { hash: superXn })).toMatchObject({ accepted: true });
    expect(await stored(m, key4)).toMatchObject({ blockType: "super", status: "accepted" });

    expect(await leaseCounts(m, lease.leaseId)).toEqual({ blocksAccepted: 3, blocksRejected: 1 });
  });

  it("the default marker rejects an XN-only hash as no_block_marker", async () => {
    const { m, w, lease } = await leasedWorker(await engine.create());
    expect(m.platform.config.blocks.marker).toBe("XEN11");
    const key = blockKey(lease.prefix, 1);
    const xn = encodedHash(RENTER_1, "XN");
    expect(await leaseBlock(w, lease, 1, { hash: xn })).toMatchObject({
      accepted: false,
      reason: "no_block_marker",
    });
    expect(await stored(m, key)).toEqual(
      rejected("no_block_marker", {
        id: 1,
        key,
        workerId: WORKER,
        leaseId: lease.leaseId,
        hash: xn,
        blockType: "none",
        receivedAt: m.clock.now(),
      }),
    );
    expect(await leaseCounts(m, lease.leaseId)).toEqual({ blocksAccepted: 0, blocksRejected: 1 });
  });

  it("super block: the marker and at least 50 uppercase letters; 49 is normal", async () => {
    const { m, w, lease } = await leasedWorker(await engine.create());
    // XEN11 itself brings 3 uppercase letters.
    const superHash = hashWithPure(RENTER_1, pureWith("XEN11", 47));
    const normalHash = hashWithPure(RENTER_1, pureWith("XEN11", 46));
    const key1 = blockKey(lease.prefix, 1);
    const key2 = blockKey(lease.prefix, 2);
    expect(await leaseBlock(w, lease, 1, { hash: superHash })).toMatchObject({ accepted: true });
    expect(await leaseBlock(w, lease, 2, { hash: normalHash })).toMatchObject({ accepted: true });
    expect(await stored(m, key1)).toEqual(
      record({
        id: 1,
        key: key1,
        workerId: WORKER,
        leaseId: lease.leaseId,
        hash: superHash,
        blockType: "super",
        receivedAt: m.clock.now(),
      }),
    );
    expect(await stored(m, key2)).toMatchObject({ blockType: "normal", status: "accepted" });
    // 50 uppercase letters without the marker are no block.
    const key3 = blockKey(lease.prefix, 3);
    expect(await leaseBlock(w, lease, 3, { hash: hashWithPure(RENTER_1, pureWith("", 50)) })).toMatchObject({
      reason: "no_block_marker",
    });
    expect(await leaseCounts(m, lease.leaseId)).toEqual({ blocksAccepted: 2, blocksRejected: 1 });
    expect(await stored(m, key3)).toMatchObject({ blockType: "none" });
  });
});

describe.each(engines)("blocks: Argon2id re-verification ($name)", (engine) => {
  it("createPlatform refuses verifyArgon2 without a verifier, with a clear error", async () => {
    const storage = await engine.create();
    const clock = fakeClock();
    expect(() =>
      createPlatform({
        storage,
        channel: recordingChannel(),
        clock,
        ids: seededIds(1, clock),
        config: { blocks: { verifyArgon2: true } } satisfies PlatformConfigInput,
      }),
    ).toThrow(/verifyArgon2 is on but no argon2 verifier/);
  });

  it("argon2_mismatch when the verifier says no: after the format checks, before self-mined and lease checks", async () => {
    const storage = await engine.create();
    const bad = new Set([VECTOR_BLOCK.payload.key]); // the vector's synthetic (negative) hash
    const { platform, calls, clock } = await argonPlatform(storage, (input) => !bad.has(input.key));
    const reg = parseInbound(VECTOR_REGISTER.topic, JSON.stringify(VECTOR_REGISTER.payload));
    if (!reg.ok || reg.suffix !== "register") throw new Error("register vector did not parse");
    await platform.fleet.onRegister(reg.message);

    // Genuine self-mined vector: verified, then self.
    expect(await feed(platform, VECTOR_SELF_XUNI.topic, VECTOR_SELF_XUNI.payload)).toMatchObject({
      accepted: true,
    });
    expect(await stored({ storage }, VECTOR_SELF_XUNI.payload.key)).toMatchObject({
      status: "self",
      chainStatus: "pending",
      blockType: "xuni",
    });
    expect(calls).toEqual([
      {
        key: VECTOR_SELF_XUNI.payload.key,
        account: VECTOR_SELF_XUNI.payload.account,
        memoryKiB: 1727,
        hashedPure: must(VECTOR_SELF_XUNI.payload.hash.split("$").at(-1), "hashed_pure"),
      },
    ]);

    // The synthetic vector: argon2_mismatch, reported before its (here unknown) lease is looked at.
    const r = await feed(platform, VECTOR_BLOCK.topic, VECTOR_BLOCK.payload);
    expect(r).toMatchObject({ accepted: false, reason: "argon2_mismatch" });
    expect(await stored({ storage }, VECTOR_BLOCK.payload.key)).toEqual(
      rejected("argon2_mismatch", {
        id: 2,
        key: VECTOR_BLOCK.payload.key,
        workerId: WORKER,
        leaseId: VECTOR_BLOCK.payload.lease_id,
        hash: VECTOR_BLOCK.payload.hash,
        attempts: 3118363,
        receivedAt: clock.now(),
      }),
    );
    expect(platform.counters.get("blocks_rejected_total", "argon2_mismatch")).toBe(1);

    // A genuine hash on that unknown lease gets past Argon2id and fails the lease check instead.
    expect(await feed(platform, VECTOR_LEASE_XUNI.topic, VECTOR_LEASE_XUNI.payload)).toMatchObject({
      accepted: false,
      reason: "unknown_lease",
    });

    // A malformed block never reaches the verifier.
    const before = calls.length;
    const badKey = "not-a-key";
    expect(await feed(platform, VECTOR_BLOCK.topic, { ...VECTOR_BLOCK.payload, key: badKey })).toMatchObject({
      reason: "malformed",
    });
    expect(calls).toHaveLength(before);
    expect(await workerCounts({ storage }, WORKER)).toEqual(NO_BLOCKS);
  });

  it("argon2_mismatch also for a self-mined block, and for a lease block that passes every other check", async () => {
    // A harness marketplace sets up the lease; a second platform with a verifier runs over the same storage.
    const { m, lease } = await leasedWorker(await engine.create());
    let genuine = false;
    const { platform, calls } = await argonPlatform(m.storage, () => genuine, m.clock);

    const key1 = blockKey(lease.prefix, 1);
    const msg = (key: string, account: string, leaseId: string) => ({
      worker_id: WORKER,
      lease_id: leaseId,
      hash: encodedHash(account),
      key,
      account,
      attempts: 1000,
      hashrate: "2408.16",
      timestamp: Math.floor(m.clock.now() / 1000),
    });
    const topic = `xenminer/${WORKER}/block`;
    expect(await feed(platform, topic, msg(key1, RENTER_1, lease.leaseId))).toMatchObject({
      accepted: false,
      reason: "argon2_mismatch",
    });
    expect(await stored(m, key1)).toEqual(
      rejected("argon2_mismatch", {
        id: 1,
        key: key1,
        workerId: WORKER,
        leaseId: lease.leaseId,
        receivedAt: m.clock.now(),
      }),
    );
    expect(await leaseCounts(m, lease.leaseId)).toEqual({ blocksAccepted: 0, blocksRejected: 1 });

    const key2 = selfKey(2);
    expect(await feed(platform, topic, msg(key2, OWNER_A, ""))).toMatchObject({ reason: "argon2_mismatch" });
    expect(await stored(m, key2)).toMatchObject({
      status: "rejected",
      rejectReason: "argon2_mismatch",
      leaseId: null,
    });

    genuine = true;
    const key3 = blockKey(lease.prefix, 3);
    expect(await feed(platform, topic, msg(key3, RENTER_1, lease.leaseId))).toMatchObject({ accepted: true });
    expect(await stored(m, key3)).toMatchObject({ status: "accepted", chainStatus: "pending" });
    expect(calls.map((c) => c.key)).toEqual([key1, key2, key3]);
    expect(await leaseCounts(m, lease.leaseId)).toEqual({ blocksAccepted: 1, blocksRejected: 1 });
    expect(await workerCounts(m, WORKER)).toEqual({ leaseBlocks: 1, verifiedLeaseBlocks: 0, selfBlocks: 0 });
  });
});

describe.each(engines)("blocks: chain verification schedule ($name)", (engine) => {
  it("asks at +5 s, and verifies at +15 s once the chain knows the key", async () => {
    const { m, w, lease } = await leasedWorker(await engine.create());
    const chain = must(m.chain, "chain");
    const lookup = vi.spyOn(chain, "lookup");
    const key = blockKey(lease.prefix, 1);
    const t0 = m.clock.now();
    await leaseBlock(w, lease, 1);

    expect(await checkChainAt(m, t0, 4999)).toBe(0);
    expect(lookup).not.toHaveBeenCalled();
    expect(await stored(m, key)).toMatchObject({
      chainStatus: "pending",
      chainChecks: 0,
      nextChainCheckAt: t0 + 5000,
    });

    expect(await checkChainAt(m, t0, 5000)).toBe(1);
    expect(lookup).toHaveBeenCalledTimes(1);
    expect(lookup).toHaveBeenLastCalledWith(key);
    expect(await stored(m, key)).toMatchObject({
      chainStatus: "pending",
      chainChecks: 1,
      nextChainCheckAt: t0 + 15_000,
    });
    expect(await workerCounts(m, WORKER)).toEqual({ leaseBlocks: 1, verifiedLeaseBlocks: 0, selfBlocks: 0 });

    chain.known.set(key, { found: true, account: RENTER_1, blockId: 42 });
    expect(await checkChainAt(m, t0, 14_999)).toBe(0);
    expect(await checkChainAt(m, t0, 15_000)).toBe(1);
    expect(await stored(m, key)).toEqual(
      record({
        id: 1,
        key,
        workerId: WORKER,
        leaseId: lease.leaseId,
        receivedAt: t0,
        chainStatus: "verified",
        chainBlockId: 42,
        chainChecks: 2,
        nextChainCheckAt: null,
      }),
    );
    expect(await workerCounts(m, WORKER)).toEqual({ leaseBlocks: 1, verifiedLeaseBlocks: 1, selfBlocks: 0 });
    expect(await leaseCounts(m, lease.leaseId)).toEqual({ blocksAccepted: 1, blocksRejected: 0 });

    // Verified is final: no more lookups.
    expect(await checkChainAt(m, t0, 900_000)).toBe(0);
    expect(lookup).toHaveBeenCalledTimes(2);
    expect(await workerCounts(m, WORKER)).toEqual({ leaseBlocks: 1, verifiedLeaseBlocks: 1, selfBlocks: 0 });
  });

  it("runs through the platform's jobs too (m.elapse), and compares the chain's account case-insensitively", async () => {
    const { m, w, lease } = await leasedWorker(await engine.create());
    const chain = must(m.chain, "chain");
    const key = blockKey(lease.prefix, 1);
    await leaseBlock(w, lease, 1);
    chain.known.set(key, { found: true, account: RENTER_1_EIP55, blockId: 7 });
    await m.elapse(4000);
    expect(await stored(m, key)).toMatchObject({ chainStatus: "pending", chainChecks: 0 });
    await m.elapse(1000);
    expect(await stored(m, key)).toMatchObject({ chainStatus: "verified", chainBlockId: 7, chainChecks: 1 });
    expect(await workerCounts(m, WORKER)).toEqual({ leaseBlocks: 1, verifiedLeaseBlocks: 1, selfBlocks: 0 });
  });

  it("a key the chain never knows: pending through 10 checks, not_found at the 875 s check", async () => {
    const { m, w, lease } = await leasedWorker(await engine.create());
    const chain = must(m.chain, "chain");
    const lookup = vi.spyOn(chain, "lookup");
    const key = blockKey(lease.prefix, 1);
    const t0 = m.clock.now();
    await leaseBlock(w, lease, 1);

    for (let i = 0; i < SCHEDULE_SEC.length - 1; i++) {
      const at = (SCHEDULE_SEC[i] ?? 0) * 1000;
      expect(await checkChainAt(m, t0, at - 1)).toBe(0);
      expect(await checkChainAt(m, t0, at)).toBe(1);
      expect(await stored(m, key)).toMatchObject({
        chainStatus: "pending",
        chainChecks: i + 1,
        nextChainCheckAt: t0 + (SCHEDULE_SEC[i + 1] ?? 0) * 1000,
      });
    }
    expect(lookup).toHaveBeenCalledTimes(10);
    expect(await checkChainAt(m, t0, 874_999)).toBe(0);
    expect(await stored(m, key)).toMatchObject({ chainStatus: "pending", chainChecks: 10 });

    expect(await checkChainAt(m, t0, 875_000)).toBe(1);
    expect(lookup).toHaveBeenCalledTimes(11);
    expect(await stored(m, key)).toEqual(
      record({
        id: 1,
        key,
        workerId: WORKER,
        leaseId: lease.leaseId,
        receivedAt: t0,
        chainStatus: "not_found",
        chainChecks: 11,
        nextChainCheckAt: null,
      }),
    );
    expect(await checkChainAt(m, t0, 2_000_000)).toBe(0);
    expect(lookup).toHaveBeenCalledTimes(11);
    // Still an accepted lease block, but never a verified one.
    expect(await workerCounts(m, WORKER)).toEqual({ leaseBlocks: 1, verifiedLeaseBlocks: 0, selfBlocks: 0 });
    expect(await leaseCounts(m, lease.leaseId)).toEqual({ blocksAccepted: 1, blocksRejected: 0 });
  });

  it("a chain that knows the key under another account counts as not found", async () => {
    const { m, w, lease } = await leasedWorker(await engine.create());
    const chain = must(m.chain, "chain");
    const events = recordEvents(m);
    const key = blockKey(lease.prefix, 1);
    const t0 = m.clock.now();
    await leaseBlock(w, lease, 1);
    chain.known.set(key, { found: true, account: RENTER_2, blockId: 42 });

    expect(await checkChainAt(m, t0, 5000)).toBe(1);
    expect(await stored(m, key)).toMatchObject({ chainStatus: "pending", chainChecks: 1 });
    for (const sec of SCHEDULE_SEC.slice(1, -1)) await checkChainAt(m, t0, sec * 1000);
    expect(await stored(m, key)).toMatchObject({ chainStatus: "pending", chainChecks: 10 });
    await checkChainAt(m, t0, 875_000);
    expect(await stored(m, key)).toMatchObject({
      status: "accepted",
      chainStatus: "not_found",
      chainChecks: 11,
      nextChainCheckAt: null,
    });
    expect(await workerCounts(m, WORKER)).toEqual({ leaseBlocks: 1, verifiedLeaseBlocks: 0, selfBlocks: 0 });
    expect(events.filter((e) => e.type === "BlockChainStatus")).toMatchObject([
      { blockId: 1, chainStatus: "not_found", at: t0 + 875_000 },
    ]);

    // Regression: the chain's block id was kept for an account mismatch. platform-rules §6: only
    // "Found → verified (+ chain_block_id)"; a mismatch is not found, so there is no chain block id.
    expect(await stored(m, key)).toEqual(
      record({
        id: 1,
        key,
        workerId: WORKER,
        leaseId: lease.leaseId,
        receivedAt: t0,
        chainStatus: "not_found",
        chainBlockId: null,
        chainChecks: 11,
        nextChainCheckAt: null,
      }),
    );
    expect(events.filter((e) => e.type === "BlockChainStatus")).toEqual([
      {
        type: "BlockChainStatus",
        at: t0 + 875_000,
        blockId: 1,
        chainStatus: "not_found",
        chainBlockId: null,
      },
    ]);
  });

  it("an unreachable chain is a failed try, not a crash; a later try can still verify", async () => {
    const { m, w, lease } = await leasedWorker(await engine.create());
    const chain = must(m.chain, "chain");
    const key = blockKey(lease.prefix, 1);
    const t0 = m.clock.now();
    await leaseBlock(w, lease, 1);

    chain.setReachable(false);
    await expect(checkChainAt(m, t0, 5000)).resolves.toBe(1);
    expect(await stored(m, key)).toMatchObject({
      chainStatus: "pending",
      chainChecks: 1,
      chainBlockId: null,
      nextChainCheckAt: t0 + 15_000,
    });
    expect(m.platform.counters.get("chain_lookup_failed_total")).toBe(1);
    // The job runner survives it too.
    await expect(m.elapse(10_000, 5000)).resolves.toBeUndefined();
    expect(await stored(m, key)).toMatchObject({ chainStatus: "pending", chainChecks: 2 });
    expect(m.platform.counters.get("chain_lookup_failed_total")).toBe(2);

    chain.setReachable(true);
    chain.known.set(key, { found: true, account: RENTER_1, blockId: 42 });
    expect(await checkChainAt(m, t0, 35_000)).toBe(1);
    expect(await stored(m, key)).toMatchObject({ chainStatus: "verified", chainBlockId: 42, chainChecks: 3 });
    expect(await workerCounts(m, WORKER)).toEqual({ leaseBlocks: 1, verifiedLeaseBlocks: 1, selfBlocks: 0 });
  });

  it("an unreachable chain through the whole schedule ends not_found", async () => {
    const { m, w, lease } = await leasedWorker(await engine.create());
    const chain = must(m.chain, "chain");
    const key = blockKey(lease.prefix, 1);
    const t0 = m.clock.now();
    await leaseBlock(w, lease, 1);
    chain.setReachable(false);
    for (const sec of SCHEDULE_SEC) await checkChainAt(m, t0, sec * 1000);
    expect(await stored(m, key)).toMatchObject({
      chainStatus: "not_found",
      chainChecks: 11,
      nextChainCheckAt: null,
    });
    expect(m.platform.counters.get("chain_lookup_failed_total")).toBe(11);
    expect(await workerCounts(m, WORKER)).toEqual({ leaseBlocks: 1, verifiedLeaseBlocks: 0, selfBlocks: 0 });
  });

  it("rejected blocks are never sent to the chain", async () => {
    const { m, w, lease } = await leasedWorker(await engine.create());
    const chain = must(m.chain, "chain");
    const lookup = vi.spyOn(chain, "lookup");
    const key = blockKey(lease.prefix, 1);
    const t0 = m.clock.now();
    await leaseBlock(w, lease, 1, { account: RENTER_2, hash: encodedHash(RENTER_2) });
    chain.known.set(key, { found: true, account: RENTER_2, blockId: 5 });
    for (const sec of SCHEDULE_SEC) expect(await checkChainAt(m, t0, sec * 1000)).toBe(0);
    expect(lookup).not.toHaveBeenCalled();
    expect(await stored(m, key)).toMatchObject({ status: "rejected", chainStatus: null, chainChecks: 0 });
    expect(await workerCounts(m, WORKER)).toEqual(NO_BLOCKS);
  });

  it("without a chain: skipped, and accepted lease blocks count as verified at once", async () => {
    const { m, w, lease } = await leasedWorker(await engine.create(), { chain: null });
    expect(m.chain).toBeNull();
    const now = m.clock.now();
    const key1 = blockKey(lease.prefix, 1);
    expect(await leaseBlock(w, lease, 1)).toMatchObject({ accepted: true });
    expect(await stored(m, key1)).toEqual(
      record({
        id: 1,
        key: key1,
        workerId: WORKER,
        leaseId: lease.leaseId,
        receivedAt: now,
        chainStatus: "skipped",
        nextChainCheckAt: null,
      }),
    );
    expect(await workerCounts(m, WORKER)).toMatchObject({ leaseBlocks: 1, verifiedLeaseBlocks: 1 });

    // A rejected block is not counted, and has no chain status at all.
    const key2 = blockKey(lease.prefix, 2);
    expect(await leaseBlock(w, lease, 2, { account: RENTER_2, hash: encodedHash(RENTER_2) })).toMatchObject({
      reason: "account_mismatch",
    });
    expect(await stored(m, key2)).toMatchObject({ status: "rejected", chainStatus: null });

    // A self-mined block is skipped as well, and never a lease block.
    const key3 = selfKey(3);
    expect(await w.block({ key: key3, account: OWNER_A, lease_id: "" })).toMatchObject({ accepted: true });
    expect(await stored(m, key3)).toMatchObject({
      status: "self",
      chainStatus: "skipped",
      nextChainCheckAt: null,
    });

    expect(await m.platform.jobs.checkChain()).toBe(0);
    await m.elapse(20_000, 5000);
    expect(await stored(m, key1)).toMatchObject({ chainStatus: "skipped", chainChecks: 0 });
    expect(await workerCounts(m, WORKER)).toMatchObject({ leaseBlocks: 1, verifiedLeaseBlocks: 1 });
    expect(await leaseCounts(m, lease.leaseId)).toEqual({ blocksAccepted: 1, blocksRejected: 1 });
  });
});

describe.each(engines)("blocks: self-mined counting ($name)", (engine) => {
  it("the verified self-mined vector counts in selfBlocks, only once verified, never in lease blocks", async () => {
    const m = await marketplace(await engine.create());
    const w = m.worker(WORKER, OWNER_A);
    await w.join();
    const chain = must(m.chain, "chain");
    const { payload } = VECTOR_SELF_XUNI;
    const t0 = m.clock.now();
    expect(await feed(m.platform, VECTOR_SELF_XUNI.topic, payload)).toMatchObject({ accepted: true });
    expect(await workerCounts(m, WORKER)).toEqual(NO_BLOCKS);

    expect(await checkChainAt(m, t0, 5000)).toBe(1);
    expect(await workerCounts(m, WORKER)).toEqual(NO_BLOCKS);

    chain.known.set(payload.key, { found: true, account: payload.account, blockId: 9001 });
    expect(await checkChainAt(m, t0, 15_000)).toBe(1);
    expect(await stored(m, payload.key)).toMatchObject({
      status: "self",
      chainStatus: "verified",
      chainBlockId: 9001,
      chainChecks: 2,
    });
    expect(await workerCounts(m, WORKER)).toEqual({ leaseBlocks: 0, verifiedLeaseBlocks: 0, selfBlocks: 1 });
  });

  it("dev-fee blocks never count, even verified; a self block to the payout address does", async () => {
    const m = await marketplace(await engine.create());
    const w = m.worker(WORKER, OWNER_A);
    await w.join();
    const chain = must(m.chain, "chain");
    const t0 = m.clock.now();

    // Dev-fee batch: ffffffff + miner address + 16 hex, salt = the dev-fee address.
    const devKey = `ffffffff${OWNER_A.slice(2).toLowerCase()}${"0".repeat(15)}1`;
    expect(await w.block({ key: devKey, account: DEV_FEE, lease_id: "" })).toMatchObject({ accepted: true });
    expect(await stored(m, devKey)).toEqual(
      record({
        id: 1,
        key: devKey,
        workerId: WORKER,
        account: DEV_FEE,
        status: "self",
        receivedAt: t0,
      }),
    );
    chain.known.set(devKey, { found: true, account: DEV_FEE, blockId: 1 });
    expect(await checkChainAt(m, t0, 5000)).toBe(1);
    expect(await stored(m, devKey)).toMatchObject({ chainStatus: "verified", chainBlockId: 1 });
    expect(await workerCounts(m, WORKER)).toEqual(NO_BLOCKS);

    // set_config address → the worker echoes the payout address in its heartbeat.
    const hb = parseInbound(
      `xenminer/${WORKER}/heartbeat`,
      JSON.stringify({
        worker_id: WORKER,
        hashrate: 4816.54,
        active_gpus: 2,
        accepted_blocks: 0,
        difficulty: 1727,
        address: PAYOUT,
        prefix: "",
        block_pattern: "",
        uptime_sec: 120,
        timestamp: Math.floor(m.clock.now() / 1000),
      }),
    );
    if (!hb.ok || hb.suffix !== "heartbeat") throw new Error("heartbeat did not parse");
    await m.platform.fleet.onHeartbeat(hb.message);
    await m.platform.jobs.flushHeartbeats();
    expect((await m.storage.workers.get(WORKER))?.config.address).toBe(PAYOUT);

    const t1 = m.clock.now();
    const payoutKey = selfKey(2);
    expect(await w.block({ key: payoutKey, account: PAYOUT, lease_id: "" })).toMatchObject({
      accepted: true,
    });
    chain.known.set(payoutKey, { found: true, account: PAYOUT, blockId: 2 });
    expect(await checkChainAt(m, t1, 5000)).toBe(1);
    expect(await workerCounts(m, WORKER)).toEqual({ leaseBlocks: 0, verifiedLeaseBlocks: 0, selfBlocks: 1 });
  });

  it("a self block the chain never finds never counts", async () => {
    const m = await marketplace(await engine.create());
    const w = m.worker(WORKER, OWNER_A);
    await w.join();
    const t0 = m.clock.now();
    const key = selfKey(1);
    await w.block({ key, account: OWNER_A, lease_id: "" });
    for (const sec of SCHEDULE_SEC) await checkChainAt(m, t0, sec * 1000);
    expect(await stored(m, key)).toMatchObject({ status: "self", chainStatus: "not_found", chainChecks: 11 });
    expect(await workerCounts(m, WORKER)).toEqual(NO_BLOCKS);
  });

  it("self blocks during a lease never touch the lease's or the lease-block counters", async () => {
    const { m, w, lease } = await leasedWorker(await engine.create());
    const chain = must(m.chain, "chain");
    const t0 = m.clock.now();
    const key = selfKey(1);
    expect(await w.block({ key, account: OWNER_A, lease_id: "" })).toMatchObject({ accepted: true });
    chain.known.set(key, { found: true, account: OWNER_A, blockId: 3 });
    await checkChainAt(m, t0, 5000);
    expect(await workerCounts(m, WORKER)).toEqual({ leaseBlocks: 0, verifiedLeaseBlocks: 0, selfBlocks: 1 });
    expect(await leaseCounts(m, lease.leaseId)).toEqual({ blocksAccepted: 0, blocksRejected: 0 });
  });
});

describe.each(engines)("blocks: events ($name)", (engine) => {
  it("BlockRecorded per stored block; BlockChainStatus on verified and not_found only", async () => {
    const { m, w, lease } = await leasedWorker(await engine.create());
    const chain = must(m.chain, "chain");
    const events = recordEvents(m);
    const t0 = m.clock.now();

    const acceptedKey = blockKey(lease.prefix, 1);
    const rejectedKey = blockKey(lease.prefix, 2);
    const selfMinedKey = selfKey(3);
    await leaseBlock(w, lease, 1);
    await leaseBlock(w, lease, 2, { account: RENTER_2, hash: encodedHash(RENTER_2) });
    await w.block({ key: selfMinedKey, account: OWNER_A, lease_id: "" });
    // Neither a duplicate nor a dropped block is an event.
    await leaseBlock(w, lease, 1);
    await m.worker("deadbeefdeadbeef").block({ key: selfKey(4), account: OWNER_A, lease_id: "" });

    const recorded = [
      await stored(m, acceptedKey),
      await stored(m, rejectedKey),
      await stored(m, selfMinedKey),
    ];
    expect(events).toEqual(recorded.map((block) => ({ type: "BlockRecorded", at: t0, block })));

    chain.known.set(acceptedKey, { found: true, account: RENTER_1, blockId: 42 });
    await checkChainAt(m, t0, 5000);
    expect(events.slice(3)).toEqual([
      { type: "BlockChainStatus", at: t0 + 5000, blockId: 1, chainStatus: "verified", chainBlockId: 42 },
    ]);

    // Pending checks publish nothing; the self block ends not_found at +875 s.
    for (const sec of SCHEDULE_SEC.slice(1, -1)) await checkChainAt(m, t0, sec * 1000);
    expect(events).toHaveLength(4);
    await checkChainAt(m, t0, 875_000);
    expect(events.slice(4)).toEqual([
      {
        type: "BlockChainStatus",
        at: t0 + 875_000,
        blockId: 3,
        chainStatus: "not_found",
        chainBlockId: null,
      },
    ]);
  });
});
