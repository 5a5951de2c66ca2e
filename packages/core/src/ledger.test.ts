import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DomainError, type ErrorCode } from "./errors.js";
import {
  applyTransfers,
  ESCROW,
  type LedgerAccount,
  ledgerViolations,
  TREASURY,
  type TransferInput,
  type TransferType,
  transferIds,
  userAccount,
  validateTransfer,
  WORLD,
} from "./ledger.js";
import type { Units } from "./money.js";

function expectDomainError(fn: () => unknown, code: ErrorCode): DomainError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).code).toBe(code);
    return e as DomainError;
  }
  throw new Error(`expected a ${code} DomainError`);
}

const ALICE = userAccount("0xAAaaAAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
const BOB = userAccount("0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
const REF = { kind: "lease", id: "lease-1" } as const;

function tx(
  type: TransferType,
  from: LedgerAccount,
  to: LedgerAccount,
  amount: Units,
  id: string = type,
): TransferInput {
  return { id, type, from, to, amount, reference: REF };
}

type Kind = "user" | "escrow" | "treasury" | "world";
const ACCOUNT_OF: Record<Kind, LedgerAccount> = {
  user: ALICE,
  escrow: ESCROW,
  treasury: TREASURY,
  world: WORLD,
};
const KINDS: Kind[] = ["user", "escrow", "treasury", "world"];

// platform-rules §2, the transfer type table.
const DIRECTIONS: [TransferType, Kind, Kind][] = [
  ["deposit", "world", "user"],
  ["lease_escrow", "user", "escrow"],
  ["lease_payment", "escrow", "user"],
  ["lease_fee", "escrow", "treasury"],
  ["lease_refund", "escrow", "user"],
  ["withdrawal_hold", "user", "escrow"],
  ["withdrawal_paid", "escrow", "world"],
  ["withdrawal_returned", "escrow", "user"],
];

describe("userAccount", () => {
  it("prefixes user: and lowercases the address", () => {
    expect(userAccount("0xAbC")).toBe("user:0xabc");
    expect(ALICE).toBe("user:0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  });
});

describe("validateTransfer", () => {
  it.each(DIRECTIONS)("%s moves %s -> %s", (type, from, to) => {
    expect(() => validateTransfer(tx(type, ACCOUNT_OF[from], ACCOUNT_OF[to], 1n))).not.toThrow();
  });

  const wrong = DIRECTIONS.flatMap(([type, from, to]) =>
    KINDS.flatMap((f) =>
      KINDS.filter((t) => !(f === from && t === to)).map((t) => [type, f, t] as [TransferType, Kind, Kind]),
    ),
  );
  it.each(wrong)("%s refuses %s -> %s", (type, from, to) => {
    const e = expectDomainError(
      () => validateTransfer(tx(type, ACCOUNT_OF[from], ACCOUNT_OF[to], 1n)),
      "VALIDATION",
    );
    expect(e.message).toContain(type);
  });

  it("refuses user -> user even for the types that credit a user", () => {
    expectDomainError(() => validateTransfer(tx("lease_payment", BOB, ALICE, 1n)), "VALIDATION");
    expectDomainError(() => validateTransfer(tx("deposit", BOB, ALICE, 1n)), "VALIDATION");
  });

  it("refuses an account name outside the four kinds", () => {
    expectDomainError(
      () => validateTransfer(tx("deposit", "bank" as LedgerAccount, ALICE, 1n)),
      "VALIDATION",
    );
    expectDomainError(
      () => validateTransfer(tx("lease_fee", ESCROW, "Treasury" as LedgerAccount, 1n)),
      "VALIDATION",
    );
  });

  it.each([0n, -1n, -36_000_000n])("refuses the non-positive amount %s", (amount) => {
    const e = expectDomainError(() => validateTransfer(tx("deposit", WORLD, ALICE, amount)), "VALIDATION");
    expect(e.message).toContain("positive");
  });

  it("accepts the smallest positive amount", () => {
    expect(() => validateTransfer(tx("deposit", WORLD, ALICE, 1n))).not.toThrow();
  });
});

describe("applyTransfers", () => {
  it("moves money, fills balanceAfter fields and stamps createdAt", () => {
    const start = new Map<string, Units>([[ALICE, 50_000_000n]]);
    const { balances, posted } = applyTransfers(
      start,
      [
        tx("lease_escrow", ALICE, ESCROW, 36_000_000n, "rent:l:escrow"),
        tx("lease_payment", ESCROW, BOB, 11_723_000n, "settle:l:payment"),
        tx("lease_fee", ESCROW, TREASURY, 617_000n, "settle:l:fee"),
        tx("lease_refund", ESCROW, ALICE, 23_660_000n, "settle:l:refund"),
      ],
      1234,
    );
    expect(Object.fromEntries(balances)).toEqual({
      [ALICE]: 37_660_000n,
      [ESCROW]: 0n,
      [BOB]: 11_723_000n,
      [TREASURY]: 617_000n,
    });
    expect(posted.map((p) => [p.id, p.fromBalanceAfter, p.toBalanceAfter])).toEqual([
      ["rent:l:escrow", 14_000_000n, 36_000_000n],
      ["settle:l:payment", 24_277_000n, 11_723_000n],
      ["settle:l:fee", 23_660_000n, 617_000n],
      ["settle:l:refund", 0n, 37_660_000n],
    ]);
    expect(posted.every((p) => p.createdAt === 1234)).toBe(true);
    expect(posted[0]).toMatchObject({ type: "lease_escrow", from: ALICE, to: ESCROW, reference: REF });
  });

  it("does not mutate the input map on success", () => {
    const start = new Map<string, Units>([[ALICE, 10n]]);
    const { balances } = applyTransfers(start, [tx("lease_escrow", ALICE, ESCROW, 4n)], 0);
    expect(balances).not.toBe(start);
    expect([...start]).toEqual([[ALICE, 10n]]);
    expect(balances.get(ALICE)).toBe(6n);
  });

  it("treats missing accounts as 0", () => {
    const { balances, posted } = applyTransfers(new Map(), [tx("deposit", WORLD, ALICE, 5n)], 0);
    expect(balances.get(WORLD)).toBe(-5n);
    expect(balances.get(ALICE)).toBe(5n);
    expect(posted[0]?.fromBalanceAfter).toBe(-5n);
  });

  it("lets world go negative, repeatedly", () => {
    const { balances } = applyTransfers(
      new Map([[WORLD, -1n]]),
      [tx("deposit", WORLD, ALICE, 1_000_000_000n, "d1"), tx("deposit", WORLD, BOB, 2n, "d2")],
      0,
    );
    expect(balances.get(WORLD)).toBe(-1_000_000_003n);
  });

  it("allows spending a balance down to exactly 0", () => {
    const { balances } = applyTransfers(
      new Map([[ALICE, 7n]]),
      [tx("withdrawal_hold", ALICE, ESCROW, 7n)],
      0,
    );
    expect(balances.get(ALICE)).toBe(0n);
    expect(balances.get(ESCROW)).toBe(7n);
  });

  it("refuses with INSUFFICIENT_BALANCE and leaves the input map untouched", () => {
    const start = new Map<string, Units>([
      [ALICE, 10n],
      [ESCROW, 3n],
    ]);
    const snapshot = [...start];
    const e = expectDomainError(
      () =>
        applyTransfers(
          start,
          // The first transfer would succeed on its own; the batch as a whole must change nothing.
          [tx("lease_escrow", ALICE, ESCROW, 10n, "a"), tx("lease_fee", ESCROW, TREASURY, 14n, "b")],
          0,
        ),
      "INSUFFICIENT_BALANCE",
    );
    expect([...start]).toEqual(snapshot);
    expect(e.details).toEqual({ account: ESCROW, needed: "14", available: "13" });
  });

  it.each([
    ["user", tx("lease_escrow", ALICE, ESCROW, 1n)],
    ["escrow", tx("lease_refund", ESCROW, ALICE, 1n)],
    ["escrow (withdrawal_paid)", tx("withdrawal_paid", ESCROW, WORLD, 1n)],
  ])("refuses to overdraw %s from an empty map", (_what, t) => {
    expectDomainError(() => applyTransfers(new Map(), [t], 0), "INSUFFICIENT_BALANCE");
  });

  it("validates each transfer (bad direction or amount is VALIDATION, not a posting)", () => {
    const start = new Map<string, Units>([[ALICE, 10n]]);
    expectDomainError(() => applyTransfers(start, [tx("deposit", ALICE, ESCROW, 1n)], 0), "VALIDATION");
    expectDomainError(() => applyTransfers(start, [tx("lease_escrow", ALICE, ESCROW, 0n)], 0), "VALIDATION");
    expect([...start]).toEqual([[ALICE, 10n]]);
  });

  it("returns an empty posting for an empty batch", () => {
    const { balances, posted } = applyTransfers(new Map([[ALICE, 1n]]), [], 0);
    expect(posted).toEqual([]);
    expect([...balances]).toEqual([[ALICE, 1n]]);
  });
});

describe("transferIds", () => {
  it("are deterministic and distinct per purpose", () => {
    const all = [
      transferIds.leaseEscrow("lease-1"),
      transferIds.leasePayment("lease-1"),
      transferIds.leaseFee("lease-1"),
      transferIds.leaseRefund("lease-1"),
      transferIds.withdrawalHold("w-1"),
      transferIds.withdrawalPaid("w-1"),
      transferIds.withdrawalReturned("w-1"),
      transferIds.manualDeposit("0xabc"),
      transferIds.faucetDeposit("f-1"),
    ];
    expect(all).toEqual([
      "rent:lease-1:escrow",
      "settle:lease-1:payment",
      "settle:lease-1:fee",
      "settle:lease-1:refund",
      "withdrawal:w-1:hold",
      "withdrawal:w-1:paid",
      "withdrawal:w-1:returned",
      "deposit:manual:0xabc",
      "deposit:faucet:f-1",
    ]);
    expect(new Set(all).size).toBe(all.length);
    expect(transferIds.leaseFee("lease-1")).toBe(transferIds.leaseFee("lease-1"));
    expect(transferIds.leaseFee("lease-2")).not.toBe(transferIds.leaseFee("lease-1"));
  });
});

describe("ledgerViolations", () => {
  const healthy = new Map<string, Units>([
    [WORLD, -100n],
    [ALICE, 40n],
    [BOB, 10n],
    [ESCROW, 45n],
    [TREASURY, 5n],
  ]);

  it("is empty for a healthy ledger", () => {
    expect(ledgerViolations({ balances: healthy, openLeaseEscrow: 30n, requestedWithdrawals: 15n })).toEqual(
      [],
    );
  });

  it("is empty for an empty ledger", () => {
    expect(ledgerViolations({ balances: new Map(), openLeaseEscrow: 0n, requestedWithdrawals: 0n })).toEqual(
      [],
    );
  });

  it("reports a negative non-world account", () => {
    const balances = new Map(healthy);
    balances.set(ALICE, -1n);
    balances.set(BOB, 51n);
    expect(ledgerViolations({ balances, openLeaseEscrow: 45n, requestedWithdrawals: 0n })).toEqual([
      `${ALICE} is negative: -1`,
    ]);
  });

  it("reports every negative account (treasury and escrow too)", () => {
    const balances = new Map<string, Units>([
      [TREASURY, -2n],
      [ESCROW, -3n],
      [ALICE, 5n],
    ]);
    const problems = ledgerViolations({ balances, openLeaseEscrow: -3n, requestedWithdrawals: 0n });
    expect(problems).toEqual([`${TREASURY} is negative: -2`, `${ESCROW} is negative: -3`]);
  });

  it("reports a sum other than 0", () => {
    const balances = new Map(healthy);
    balances.set(TREASURY, 6n);
    expect(ledgerViolations({ balances, openLeaseEscrow: 45n, requestedWithdrawals: 0n })).toEqual([
      "balances sum to 1, not 0",
    ]);
  });

  it("reports an escrow that differs from open leases + requested withdrawals", () => {
    const problems = ledgerViolations({ balances: healthy, openLeaseEscrow: 30n, requestedWithdrawals: 14n });
    expect(problems).toEqual(["escrow holds 45, open leases and withdrawals need 44"]);
  });

  it("reports a missing escrow account as 0 against what it should hold", () => {
    const balances = new Map<string, Units>([
      [WORLD, -1n],
      [ALICE, 1n],
    ]);
    expect(ledgerViolations({ balances, openLeaseEscrow: 1n, requestedWithdrawals: 0n })).toEqual([
      "escrow holds 0, open leases and withdrawals need 1",
    ]);
  });

  it("reports several problems at once", () => {
    const balances = new Map<string, Units>([
      [ALICE, -5n],
      [ESCROW, 2n],
    ]);
    expect(ledgerViolations({ balances, openLeaseEscrow: 0n, requestedWithdrawals: 0n })).toHaveLength(3);
  });
});

describe("property: valid transfers keep the ledger invariants", () => {
  const USERS: LedgerAccount[] = [ALICE, BOB, userAccount("0xcccccccccccccccccccccccccccccccccccccccc")];
  const pickAccount = (kind: Kind, userIndex: number): LedgerAccount =>
    kind === "user" ? (USERS[userIndex % USERS.length] as LedgerAccount) : ACCOUNT_OF[kind];

  const step = fc.record({
    direction: fc.constantFrom(...DIRECTIONS),
    fromUser: fc.nat(),
    toUser: fc.nat(),
    amount: fc.bigInt({ min: 1n, max: 5_000_000n }),
  });

  it("sum stays 0, no non-world account goes negative, refusals change nothing", () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        let balances: ReadonlyMap<string, Units> = new Map();
        let posted = 0;
        steps.forEach(({ direction: [type, fromKind, toKind], fromUser, toUser, amount }, i) => {
          const t = tx(type, pickAccount(fromKind, fromUser), pickAccount(toKind, toUser), amount, `t${i}`);
          const before = [...balances];
          try {
            const result = applyTransfers(balances, [t], i);
            expect(result.posted).toHaveLength(1);
            expect(result.posted[0]?.fromBalanceAfter).toBe(result.balances.get(t.from));
            expect(result.posted[0]?.toBalanceAfter).toBe(result.balances.get(t.to));
            balances = result.balances;
            posted++;
          } catch (e) {
            expect(e).toBeInstanceOf(DomainError);
            expect((e as DomainError).code).toBe("INSUFFICIENT_BALANCE");
            expect(t.from).not.toBe(WORLD);
            expect([...balances]).toEqual(before);
          }
          let sum = 0n;
          for (const [account, balance] of balances) {
            sum += balance;
            if (account !== WORLD) expect(balance).toBeGreaterThanOrEqual(0n);
          }
          expect(sum).toBe(0n);
          const escrow = balances.get(ESCROW) ?? 0n;
          expect(ledgerViolations({ balances, openLeaseEscrow: escrow, requestedWithdrawals: 0n })).toEqual(
            [],
          );
        });
        // Deposits always post, so a sequence with one posts at least once.
        if (steps.some((s) => s.direction[0] === "deposit")) expect(posted).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });
});
