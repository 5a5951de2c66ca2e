import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../config.js";
import type { LeaseRecord } from "../types.js";
import { type BlockFacts, checkFormat, checkLeaseBlock, nextChainCheckAt } from "./checks.js";

// src/blocks → src → core → packages → repository root → its parent, which holds shared/.
const VECTORS_DIR = new URL("../../../../../shared/vectors/", import.meta.url);

function blockVector(name: string): BlockFacts & { worker_id: string; lease_id: string } {
  const v = JSON.parse(readFileSync(new URL(`${name}.json`, VECTORS_DIR), "utf8")) as {
    payload: BlockFacts & { worker_id: string; lease_id: string };
  };
  return { ...v.payload, leaseId: v.payload.lease_id };
}

const normal = blockVector("block");
const leaseXuni = blockVector("block_lease_xuni");
const selfXuni = blockVector("block_self_mined_xuni");

const WORKER_ID = "776536cd9695ca58";
const PREFIX = "0baa4a90372c24cf";
const CONSUMER = "0x2ac9de9d494459ab28fd09f10056cfa1d4c6af40";
const OWNER_EIP55 = "0x8d56DA55A9D91b40AfF945714b19E9DfDE32D9C2";
const RENTER_SALT = "KsnenUlEWaso/QnxAFbPodTGr0A";

/** An encoded hash with the renter's salt and a hand-made 86-character `hashed_pure`. */
function encoded(hashedPure: string, m = 1727): string {
  expect(hashedPure).toHaveLength(86);
  return `$argon2id$v=19$m=${m},t=1,p=1$${RENTER_SALT}$${hashedPure}`;
}
const withHash = (hashedPure: string): BlockFacts => ({ ...normal, hash: encoded(hashedPure) });

describe("checkFormat: the shared vectors", () => {
  it("block.json is a normal block", () => {
    expect(checkFormat(normal, "XEN11")).toEqual({
      ok: true,
      blockType: "normal",
      memoryKiB: 1727,
      hashedPure: normal.hash.split("$").at(-1),
    });
  });

  it.each([
    ["block_lease_xuni", leaseXuni],
    ["block_self_mined_xuni", selfXuni],
  ])("%s is a xuni block", (_name, block) => {
    expect(checkFormat(block, "XEN11")).toMatchObject({ ok: true, blockType: "xuni", memoryKiB: 1727 });
  });

  it("accepts the self-mined block's EIP-55 account (hex case is irrelevant)", () => {
    expect(selfXuni.account).toBe(OWNER_EIP55);
    expect(checkFormat({ ...selfXuni, account: OWNER_EIP55.toLowerCase() }, "XEN11").ok).toBe(true);
    expect(checkFormat({ ...normal, account: CONSUMER.toUpperCase().replace("0X", "0x") }, "XEN11").ok).toBe(
      true,
    );
  });

  it("accepts an uppercase-hex key (the prefix check is case-insensitive anyway)", () => {
    expect(checkFormat({ ...normal, key: normal.key.toUpperCase() }, "XEN11").ok).toBe(true);
  });
});

describe("checkFormat: malformed", () => {
  it.each([
    ["63 hex", normal.key.slice(0, 63)],
    ["65 hex", `${normal.key}0`],
    ["a non-hex character", `g${normal.key.slice(1)}`],
    ["empty", ""],
    ["0x-prefixed", `0x${normal.key.slice(2)}`],
  ])("key with %s", (_what, key) => {
    expect(checkFormat({ ...normal, key }, "XEN11")).toEqual({
      ok: false,
      reason: "malformed",
      blockType: "none",
      memoryKiB: 1727,
    });
  });

  const [, , , params = "", salt = "", pure = ""] = normal.hash.split("$");
  it.each([
    ["argon2i instead of argon2id", normal.hash.replace("$argon2id$", "$argon2i$")],
    ["v=16", normal.hash.replace("v=19", "v=16")],
    ["t=2", normal.hash.replace("t=1", "t=2")],
    ["p=4", normal.hash.replace("p=1", "p=4")],
    ["no memory cost", normal.hash.replace("m=1727", "m=")],
    ["a padded salt", `$argon2id$v=19$${params}$${salt}=$${pure}`],
    ["a short output", `$argon2id$v=19$${params}$${salt}$${pure.slice(1)}`],
    ["a padded output", `$argon2id$v=19$${params}$${salt}$${pure}==`],
    ["a base64url character", `$argon2id$v=19$${params}$${salt}$${pure.replace(/\+/g, "-")}`],
    ["a hex hash instead of the encoded string", normal.key],
    ["trailing whitespace", `${normal.hash} `],
  ])("hash with %s", (_what, hash) => {
    expect(checkFormat({ ...normal, hash }, "XEN11")).toMatchObject({
      ok: false,
      reason: "malformed",
      blockType: "none",
      memoryKiB: null,
    });
  });

  it("a salt segment that is not the account's bytes", () => {
    // The renter's hash claimed for the owner's address, and the owner's hash claimed for the renter.
    expect(checkFormat({ ...normal, account: OWNER_EIP55 }, "XEN11")).toEqual({
      ok: false,
      reason: "malformed",
      blockType: "none",
      memoryKiB: 1727,
    });
    expect(checkFormat({ ...selfXuni, account: CONSUMER }, "XEN11")).toMatchObject({ reason: "malformed" });
  });

  it.each([
    ["without 0x", CONSUMER.slice(2)],
    ["39 hex", CONSUMER.slice(0, 41)],
    ["non-hex", `0x${"z".repeat(40)}`],
    ["empty", ""],
  ])("an account %s", (_what, account) => {
    expect(checkFormat({ ...normal, account }, "XEN11")).toMatchObject({ ok: false, reason: "malformed" });
  });
});

describe("checkFormat: classification", () => {
  const filler = (n: number) => "ab0+".repeat(Math.ceil(n / 4)).slice(0, n);

  it("no marker and no XUNI digit → no_block_marker", () => {
    expect(checkFormat(withHash(filler(86)), "XEN11")).toEqual({
      ok: false,
      reason: "no_block_marker",
      blockType: "none",
      memoryKiB: 1727,
    });
    expect(checkFormat(withHash(`XUNIa${filler(81)}`), "XEN11")).toMatchObject({ reason: "no_block_marker" });
    expect(checkFormat(withHash(`XEN1${filler(82)}`), "XEN11")).toMatchObject({ reason: "no_block_marker" });
  });

  it("XEN11 with ≥ 50 uppercase letters is super, with 49 normal", () => {
    // X, E, N of the marker + 46 Q = 49 uppercase letters; the filler has none.
    const fortyNine = `XEN11${"Q".repeat(46)}${filler(35)}`;
    expect(fortyNine.match(/[A-Z]/g)?.length).toBe(49);
    expect(checkFormat(withHash(fortyNine), "XEN11")).toMatchObject({ ok: true, blockType: "normal" });
    const fifty = `XEN11${"Q".repeat(47)}${filler(34)}`;
    expect(checkFormat(withHash(fifty), "XEN11")).toMatchObject({ ok: true, blockType: "super" });
  });

  it("XEN11 wins over XUNI", () => {
    expect(checkFormat(withHash(`XUNI7XEN11${filler(76)}`), "XEN11")).toMatchObject({ blockType: "normal" });
  });

  describe("custom marker (test fleets, platform-rules §6)", () => {
    const xnOnly = `${filler(40)}XN${filler(44)}`;

    it("XN makes a hash that the default marker rejects a normal block", () => {
      expect(checkFormat(withHash(xnOnly), "XEN11")).toMatchObject({ ok: false, reason: "no_block_marker" });
      expect(checkFormat(withHash(xnOnly), "XN")).toMatchObject({ ok: true, blockType: "normal" });
    });

    it("XN with ≥ 50 uppercase letters is super", () => {
      const superXn = `XN${"Z".repeat(48)}${filler(36)}`;
      expect(checkFormat(withHash(superXn), "XN")).toMatchObject({ ok: true, blockType: "super" });
    });

    it("replaces XEN11 rather than adding to it", () => {
      expect(normal.hash).toContain("XEN11");
      expect(normal.hash).not.toContain("XN");
      expect(checkFormat(normal, "XN")).toMatchObject({
        ok: false,
        reason: "no_block_marker",
        memoryKiB: 1727,
      });
    });

    it("leaves the xuni rule unchanged", () => {
      expect(checkFormat(leaseXuni, "XN")).toMatchObject({ ok: true, blockType: "xuni" });
      expect(checkFormat(selfXuni, "XN")).toMatchObject({ ok: true, blockType: "xuni" });
    });

    it("is case-sensitive", () => {
      expect(checkFormat(withHash(`${filler(40)}xn${filler(44)}`), "XN")).toMatchObject({
        reason: "no_block_marker",
      });
    });
  });
});

describe("checkLeaseBlock", () => {
  type LeaseFacts = Pick<LeaseRecord, "workerId" | "prefix" | "consumerAddress" | "state" | "endedAt">;
  const ENDED = 1_795_791_700_000;
  const GRACE = 60_000;
  const activeLease: LeaseFacts = {
    workerId: WORKER_ID,
    prefix: PREFIX,
    consumerAddress: CONSUMER,
    state: "active",
    endedAt: null,
  };
  const check = (lease: LeaseFacts | null, at = ENDED, block: BlockFacts = normal, workerId = WORKER_ID) =>
    checkLeaseBlock(block, workerId, lease, at, GRACE);

  it("accepts both lease vectors for an active lease", () => {
    expect(check(activeLease)).toBeNull();
    expect(check(activeLease, ENDED, leaseXuni)).toBeNull();
  });

  it("unknown lease", () => {
    expect(check(null)).toBe("unknown_lease");
  });

  it("wrong worker", () => {
    expect(check(activeLease, ENDED, normal, "0000000000000000")).toBe("wrong_worker");
  });

  it("prefix mismatch, compared case-insensitively", () => {
    expect(check({ ...activeLease, prefix: "0baa4a90372c24ce" })).toBe("prefix_mismatch");
    expect(check({ ...activeLease, prefix: PREFIX.toUpperCase() })).toBeNull();
    expect(check(activeLease, ENDED, { ...normal, key: normal.key.toUpperCase() })).toBeNull();
    // The prefix is the first 16 characters, not anywhere in the key.
    expect(check(activeLease, ENDED, { ...normal, key: `${"1".repeat(16)}${PREFIX}${"2".repeat(32)}` })).toBe(
      "prefix_mismatch",
    );
  });

  it("account mismatch, compared case-insensitively", () => {
    expect(check(activeLease, ENDED, { ...normal, account: OWNER_EIP55 })).toBe("account_mismatch");
    expect(
      check(activeLease, ENDED, { ...normal, account: "0x2ac9de9d494459AB28fd09F10056cfA1d4C6Af40" }),
    ).toBeNull();
    expect(check({ ...activeLease, consumerAddress: CONSUMER.replace("2ac9de", "2AC9DE") })).toBeNull();
  });

  it.each(["completed", "interrupted"] as const)(
    "%s: accepted within 60 s of the end, at 60 s, not after",
    (state) => {
      const ended = { ...activeLease, state, endedAt: ENDED };
      expect(check(ended, ENDED - 5_000)).toBeNull();
      expect(check(ended, ENDED)).toBeNull();
      expect(check(ended, ENDED + 30_000)).toBeNull();
      expect(check(ended, ENDED + GRACE)).toBeNull();
      expect(check(ended, ENDED + GRACE + 1)).toBe("outside_lease_window");
      expect(check(ended, ENDED + 3_600_000)).toBe("outside_lease_window");
    },
  );

  it("an ended lease without an end time is outside the window", () => {
    expect(check({ ...activeLease, state: "completed", endedAt: null })).toBe("outside_lease_window");
  });

  it.each(["cancelled", "pending"] as const)("%s lease → outside_lease_window, even right away", (state) => {
    expect(check({ ...activeLease, state, endedAt: state === "cancelled" ? ENDED : null }, ENDED)).toBe(
      "outside_lease_window",
    );
  });

  it("uses the grace it is given", () => {
    const ended = { ...activeLease, state: "completed" as const, endedAt: ENDED };
    expect(checkLeaseBlock(normal, WORKER_ID, ended, ENDED + 1, 0)).toBe("outside_lease_window");
    expect(checkLeaseBlock(normal, WORKER_ID, ended, ENDED, 0)).toBeNull();
  });

  it("reports the first failing check in the spec's order (7 → 11)", () => {
    const allWrong: LeaseFacts = {
      workerId: "other",
      prefix: "ffffffffffffffff",
      consumerAddress: OWNER_EIP55,
      state: "cancelled",
      endedAt: 0,
    };
    expect(check(allWrong)).toBe("wrong_worker");
    expect(check({ ...allWrong, workerId: WORKER_ID })).toBe("prefix_mismatch");
    expect(check({ ...allWrong, workerId: WORKER_ID, prefix: PREFIX })).toBe("account_mismatch");
    expect(check({ ...allWrong, workerId: WORKER_ID, prefix: PREFIX, consumerAddress: CONSUMER })).toBe(
      "outside_lease_window",
    );
  });
});

describe("nextChainCheckAt", () => {
  const schedule = resolveConfig().chain.checkScheduleSec;
  const RECEIVED = 1_795_789_422_000;

  it("follows 5, 15, 35, 75, 155, 275, 395, 515, 635, 755, 875 s, then null", () => {
    const offsets: number[] = [];
    for (let done = 0; ; done++) {
      const at = nextChainCheckAt(RECEIVED, done, schedule);
      if (at === null) break;
      offsets.push((at - RECEIVED) / 1000);
      expect(done).toBeLessThan(20);
    }
    expect(offsets).toEqual([5, 15, 35, 75, 155, 275, 395, 515, 635, 755, 875]);
    expect(nextChainCheckAt(RECEIVED, 11, schedule)).toBeNull();
    expect(nextChainCheckAt(RECEIVED, 100, schedule)).toBeNull();
  });

  it("the delays double from 10 s and cap at 120 s, within 15 min", () => {
    const gaps = schedule.slice(1).map((s, i) => s - (schedule[i] ?? 0));
    expect(gaps).toEqual([10, 20, 40, 80, 120, 120, 120, 120, 120, 120]);
    expect(schedule.at(-1)).toBeLessThanOrEqual(900);
  });

  it("uses the schedule it is given", () => {
    expect(nextChainCheckAt(1_000, 0, [2])).toBe(3_000);
    expect(nextChainCheckAt(1_000, 1, [2])).toBeNull();
    expect(nextChainCheckAt(1_000, 0, [])).toBeNull();
  });
});
