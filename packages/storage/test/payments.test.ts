/**
 * Accounts and payments (platform-rules §10, §12) through the platform services: faucet limits,
 * admin manual credits, withdrawals with their ledger transfers, balances and API keys.
 */
import {
  type Actor,
  type ErrorCode,
  ESCROW,
  type Result,
  resolveConfig,
  TREASURY,
  unwrap,
  userAccount,
  WORLD,
  xnm,
} from "@xenblocks/core";
import { describe, expect, it } from "vitest";
import { engines } from "./engines.js";
import { ADMIN, marketplace, OWNER_A, RENTER_1, RENTER_2, wallet } from "./harness.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const apiKeyActor = (address: string): Actor => ({ address, via: "api_key" });

/** The refusal code of a Result, or "ok". */
const codeOf = (r: Result<unknown>): ErrorCode | "ok" => (r.ok ? "ok" : r.error.code);

type Market = Awaited<ReturnType<typeof marketplace>>;

async function ledgerBalance(m: Market, account: string): Promise<bigint> {
  const balances = await m.storage.ledger.balances([account as typeof ESCROW]);
  return balances.get(account as typeof ESCROW) ?? 0n;
}

describe.each(engines)("faucet deposits ($name)", (engine) => {
  it("is off by default in the platform configuration", () => {
    expect(resolveConfig().faucet.enabled).toBe(false);
    expect(resolveConfig({}).faucet).toMatchObject({ perRequest: xnm(1000), per24h: xnm(10_000) });
  });

  it("refuses every request with FAUCET_DISABLED when disabled, crediting nothing", async () => {
    const m = await marketplace(await engine.create(), { config: { faucet: { enabled: false } } });
    const r = await m.platform.payments.faucet(wallet(RENTER_1), xnm(10));
    expect(codeOf(r)).toBe("FAUCET_DISABLED");
    expect(await m.available(RENTER_1)).toBe(0n);
    expect(await m.platform.ledgerViolations()).toEqual([]);
  });

  it("credits the caller's own account from world, in exact units", async () => {
    const m = await marketplace(await engine.create());
    const transfer = unwrap(await m.platform.payments.faucet(wallet(OWNER_A), xnm("12.345678")));
    expect(transfer).toMatchObject({
      type: "deposit",
      from: WORLD,
      to: userAccount(OWNER_A),
      amount: 12_345_678n,
    });
    expect(transfer.to).toBe(`user:${OWNER_A.toLowerCase()}`);
    expect(transfer.id.startsWith("deposit:faucet:")).toBe(true);
    expect(await m.available(OWNER_A)).toBe(12_345_678n);
    // Nobody else received anything.
    expect(await m.available(RENTER_1)).toBe(0n);
    expect(await m.available(ADMIN)).toBe(0n);
    expect(await ledgerBalance(m, WORLD)).toBe(-12_345_678n);
    expect(await m.platform.ledgerViolations()).toEqual([]);
  });

  it("refuses non-positive amounts with VALIDATION", async () => {
    const m = await marketplace(await engine.create());
    expect(codeOf(await m.platform.payments.faucet(wallet(RENTER_1), 0n))).toBe("VALIDATION");
    expect(codeOf(await m.platform.payments.faucet(wallet(RENTER_1), -1n))).toBe("VALIDATION");
    expect(codeOf(await m.platform.payments.faucet(wallet(RENTER_1), -xnm(5)))).toBe("VALIDATION");
    expect(await m.available(RENTER_1)).toBe(0n);
  });

  it("allows at most 1,000 XNM per request", async () => {
    const m = await marketplace(await engine.create());
    expect(codeOf(await m.platform.payments.faucet(wallet(RENTER_1), xnm(1000) + 1n))).toBe("FAUCET_LIMIT");
    expect(codeOf(await m.platform.payments.faucet(wallet(RENTER_1), xnm(5000)))).toBe("FAUCET_LIMIT");
    expect(await m.available(RENTER_1)).toBe(0n);
    unwrap(await m.platform.payments.faucet(wallet(RENTER_1), xnm(1000)));
    expect(await m.available(RENTER_1)).toBe(1_000_000_000n);
  });

  it("allows 10,000 XNM per rolling 24 h, then again once the oldest deposit leaves the window", async () => {
    const m = await marketplace(await engine.create());
    const me = wallet(RENTER_1);
    for (let i = 0; i < 10; i++) {
      unwrap(await m.platform.payments.faucet(me, xnm(1000)));
      m.clock.advance(HOUR);
    }
    expect(await m.available(RENTER_1)).toBe(10_000_000_000n);
    // 10 h after the first deposit: the window is full.
    const eleventh = await m.platform.payments.faucet(me, xnm(1000));
    expect(codeOf(eleventh)).toBe("FAUCET_LIMIT");
    if (!eleventh.ok) expect(eleventh.error.details).toMatchObject({ remaining: "0" });
    expect(codeOf(await m.platform.payments.faucet(me, 1n))).toBe("FAUCET_LIMIT");
    expect(await m.available(RENTER_1)).toBe(10_000_000_000n);

    // Just past 24 h after the first deposit, exactly that deposit has left the window.
    m.clock.advance(DAY - 10 * HOUR + 1);
    unwrap(await m.platform.payments.faucet(me, xnm(1000)));
    expect(codeOf(await m.platform.payments.faucet(me, 1n))).toBe("FAUCET_LIMIT");
    m.clock.advance(HOUR);
    unwrap(await m.platform.payments.faucet(me, xnm(600)));
    unwrap(await m.platform.payments.faucet(me, xnm(400)));
    expect(codeOf(await m.platform.payments.faucet(me, 1n))).toBe("FAUCET_LIMIT");
    expect(await m.available(RENTER_1)).toBe(12_000_000_000n);
    expect(await m.platform.ledgerViolations()).toEqual([]);
  });

  it("refuses a request that would cross the 24 h limit, but allows what is left", async () => {
    const m = await marketplace(await engine.create());
    const me = wallet(RENTER_1);
    for (let i = 0; i < 9; i++) unwrap(await m.platform.payments.faucet(me, xnm(1000)));
    unwrap(await m.platform.payments.faucet(me, xnm(500)));
    const over = await m.platform.payments.faucet(me, xnm(501));
    expect(codeOf(over)).toBe("FAUCET_LIMIT");
    if (!over.ok) expect(over.error.details).toMatchObject({ remaining: String(xnm(500)) });
    unwrap(await m.platform.payments.faucet(me, xnm(500)));
    expect(await m.available(RENTER_1)).toBe(xnm(10_000));
  });

  it("counts the limit per account: another caller has its own allowance", async () => {
    const m = await marketplace(await engine.create());
    for (let i = 0; i < 10; i++) unwrap(await m.platform.payments.faucet(wallet(RENTER_1), xnm(1000)));
    expect(codeOf(await m.platform.payments.faucet(wallet(RENTER_1), 1n))).toBe("FAUCET_LIMIT");
    unwrap(await m.platform.payments.faucet(wallet(RENTER_2), xnm(1000)));
    expect(await m.available(RENTER_2)).toBe(xnm(1000));
    expect(await m.available(RENTER_1)).toBe(xnm(10_000));
  });

  it("manual credits do not use up the faucet allowance", async () => {
    const m = await marketplace(await engine.create());
    await m.fund(RENTER_1, 50_000);
    for (let i = 0; i < 10; i++) unwrap(await m.platform.payments.faucet(wallet(RENTER_1), xnm(1000)));
    expect(await m.available(RENTER_1)).toBe(xnm(60_000));
  });

  it("holds the 24 h limit under concurrent requests", async () => {
    const m = await marketplace(await engine.create());
    const results = await Promise.all(
      Array.from({ length: 12 }, () => m.platform.payments.faucet(wallet(RENTER_1), xnm(1000))),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(10);
    expect(results.filter((r) => codeOf(r) === "FAUCET_LIMIT")).toHaveLength(2);
    expect(await m.available(RENTER_1)).toBe(xnm(10_000));
    expect(await m.platform.ledgerViolations()).toEqual([]);
  });
});

describe.each(engines)("admin manual credit ($name)", (engine) => {
  it("is refused to non-admins with FORBIDDEN, crediting nothing", async () => {
    const m = await marketplace(await engine.create());
    const r = await m.platform.payments.credit(wallet(RENTER_1), RENTER_1, xnm(100), "tx-1");
    expect(codeOf(r)).toBe("FORBIDDEN");
    const viaKey = await m.platform.payments.credit(apiKeyActor(OWNER_A), OWNER_A, xnm(100), "tx-2");
    expect(codeOf(viaKey)).toBe("FORBIDDEN");
    expect(await m.available(RENTER_1)).toBe(0n);
    expect(await m.available(OWNER_A)).toBe(0n);
    expect(await m.storage.ledger.getTransfer("deposit:manual:tx-1")).toBeNull();
    expect((await m.storage.audit.list({ limit: 10 })).items).toEqual([]);
  });

  it("refuses a bad address, a non-positive amount and an empty reference with VALIDATION", async () => {
    const m = await marketplace(await engine.create());
    const admin = wallet(ADMIN);
    const bad = [
      await m.platform.payments.credit(admin, "0x1234", xnm(1), "ref-a"),
      await m.platform.payments.credit(admin, "2ac9de9d494459ab28fd09f10056cfa1d4c6af40", xnm(1), "ref-b"),
      await m.platform.payments.credit(admin, `${RENTER_1}0`, xnm(1), "ref-c"),
      await m.platform.payments.credit(admin, "0xZZc9de9d494459ab28fd09f10056cfa1d4c6af40", xnm(1), "ref-d"),
      await m.platform.payments.credit(admin, RENTER_1, 0n, "ref-e"),
      await m.platform.payments.credit(admin, RENTER_1, -1n, "ref-f"),
      await m.platform.payments.credit(admin, RENTER_1, xnm(1), ""),
      await m.platform.payments.credit(admin, RENTER_1, xnm(1), "   "),
      await m.platform.payments.credit(admin, RENTER_1, xnm(1), "r".repeat(201)),
    ];
    expect(bad.map(codeOf)).toEqual(Array(bad.length).fill("VALIDATION"));
    expect(await m.available(RENTER_1)).toBe(0n);
    expect(await m.platform.ledgerViolations()).toEqual([]);
  });

  it("credits a deposit with an external reference and writes the audit log", async () => {
    const m = await marketplace(await engine.create());
    const t = unwrap(await m.platform.payments.credit(wallet(ADMIN), OWNER_A, 1_234_567n, "0xabc-tx"));
    expect(t).toMatchObject({
      id: "deposit:manual:0xabc-tx",
      type: "deposit",
      from: WORLD,
      to: userAccount(OWNER_A),
      amount: 1_234_567n,
      reference: { kind: "deposit", id: "0xabc-tx" },
    });
    expect(await m.available(OWNER_A)).toBe(1_234_567n);
    expect(await m.storage.accounts.get(OWNER_A.toLowerCase())).not.toBeNull();
    const audit = (await m.storage.audit.list({ limit: 10 })).items;
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actor: ADMIN.toLowerCase(),
      action: "credit",
      target: OWNER_A.toLowerCase(),
      at: m.clock.now(),
    });
    expect(audit[0]?.result).toContain("0xabc-tx");
    expect(audit[0]?.result).toContain("1234567");
  });

  it("treats a repeated reference as a no-op: one transfer, credited once", async () => {
    const m = await marketplace(await engine.create());
    const admin = wallet(ADMIN);
    const first = unwrap(await m.platform.payments.credit(admin, RENTER_1, xnm(25), "bank-42"));
    m.clock.advance(5000);
    const again = unwrap(await m.platform.payments.credit(admin, RENTER_1, xnm(25), "bank-42"));
    expect(again.id).toBe(first.id);
    expect(again.createdAt).toBe(first.createdAt);
    // Even with another amount or address the reference stays spent.
    const other = unwrap(await m.platform.payments.credit(admin, RENTER_2, xnm(99), "bank-42"));
    expect(other.id).toBe(first.id);
    expect(await m.available(RENTER_1)).toBe(xnm(25));
    expect(await m.available(RENTER_2)).toBe(0n);
    const history = await m.storage.ledger.history(userAccount(RENTER_1), { limit: 10 });
    expect(history.items).toHaveLength(1);
    expect(await ledgerBalance(m, WORLD)).toBe(-xnm(25));
    expect(await m.platform.ledgerViolations()).toEqual([]);
  });

  it("credits once when the same reference arrives concurrently", async () => {
    const m = await marketplace(await engine.create());
    const admin = wallet(ADMIN);
    const results = await Promise.all(
      Array.from({ length: 5 }, () => m.platform.payments.credit(admin, RENTER_1, xnm(7), "dup-ref")),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    expect(new Set(results.map((r) => (r.ok ? r.value.id : null)))).toEqual(
      new Set(["deposit:manual:dup-ref"]),
    );
    expect(await m.available(RENTER_1)).toBe(xnm(7));
    expect(await m.platform.ledgerViolations()).toEqual([]);
  });
});

describe.each(engines)("withdrawals ($name)", (engine) => {
  it("refuses more than the available balance with INSUFFICIENT_BALANCE and changes nothing", async () => {
    const m = await marketplace(await engine.create());
    await m.fund(RENTER_1, 10);
    const r = await m.platform.payments.withdraw(wallet(RENTER_1), xnm(10) + 1n);
    expect(codeOf(r)).toBe("INSUFFICIENT_BALANCE");
    expect(await m.platform.accounts.balance(RENTER_1)).toEqual({
      available: xnm(10),
      escrowed: 0n,
      pendingWithdrawals: 0n,
    });
    expect((await m.storage.withdrawals.list({ limit: 10 })).items).toEqual([]);
    expect(await ledgerBalance(m, ESCROW)).toBe(0n);
    // Someone with no balance at all.
    expect(codeOf(await m.platform.payments.withdraw(wallet(RENTER_2), 1n))).toBe("INSUFFICIENT_BALANCE");
    expect(await m.platform.ledgerViolations()).toEqual([]);
  });

  it("refuses non-positive amounts and a bad destination with VALIDATION", async () => {
    const m = await marketplace(await engine.create());
    await m.fund(RENTER_1, 10);
    expect(codeOf(await m.platform.payments.withdraw(wallet(RENTER_1), 0n))).toBe("VALIDATION");
    expect(codeOf(await m.platform.payments.withdraw(wallet(RENTER_1), -5n))).toBe("VALIDATION");
    expect(codeOf(await m.platform.payments.withdraw(wallet(RENTER_1), 5n, "0xnope"))).toBe("VALIDATION");
    expect(await m.available(RENTER_1)).toBe(xnm(10));
    expect((await m.storage.withdrawals.list({ limit: 10 })).items).toEqual([]);
  });

  it("holds requested funds in escrow with exact amounts and keeps the ledger invariants", async () => {
    const m = await marketplace(await engine.create());
    await m.fund(RENTER_1, 100);
    const w = unwrap(await m.platform.payments.withdraw(wallet(RENTER_1), 12_345_678n));
    expect(w).toMatchObject({
      address: RENTER_1,
      amount: 12_345_678n,
      toAddress: RENTER_1,
      state: "requested",
      reference: null,
      reason: null,
      resolvedAt: null,
    });
    expect(await m.platform.accounts.balance(RENTER_1)).toEqual({
      available: 87_654_322n,
      escrowed: 0n,
      pendingWithdrawals: 12_345_678n,
    });
    expect(await ledgerBalance(m, ESCROW)).toBe(12_345_678n);
    const hold = await m.storage.ledger.getTransfer(`withdrawal:${w.id}:hold`);
    expect(hold).toMatchObject({
      type: "withdrawal_hold",
      from: userAccount(RENTER_1),
      to: ESCROW,
      amount: 12_345_678n,
    });
    expect(await m.platform.ledgerViolations()).toEqual([]);
  });

  it("stores a destination address lowercase", async () => {
    const m = await marketplace(await engine.create());
    await m.fund(RENTER_1, 5);
    const w = unwrap(await m.platform.payments.withdraw(wallet(RENTER_1), xnm(1), OWNER_A));
    expect(w.toAddress).toBe(OWNER_A.toLowerCase());
  });

  it("returns the funds when the requester cancels", async () => {
    const m = await marketplace(await engine.create());
    await m.fund(RENTER_1, 100);
    const w = unwrap(await m.platform.payments.withdraw(wallet(RENTER_1), xnm(40)));
    m.clock.advance(1000);
    const cancelled = unwrap(await m.platform.payments.cancelWithdrawal(wallet(RENTER_1), w.id));
    expect(cancelled).toMatchObject({ id: w.id, state: "cancelled", resolvedAt: m.clock.now() });
    expect(await m.platform.accounts.balance(RENTER_1)).toEqual({
      available: xnm(100),
      escrowed: 0n,
      pendingWithdrawals: 0n,
    });
    expect(await ledgerBalance(m, ESCROW)).toBe(0n);
    expect(await m.storage.ledger.getTransfer(`withdrawal:${w.id}:returned`)).toMatchObject({
      type: "withdrawal_returned",
      from: ESCROW,
      to: userAccount(RENTER_1),
      amount: xnm(40),
    });
    expect((await m.storage.withdrawals.get(w.id))?.state).toBe("cancelled");
    // Cancelling again is a conflict.
    expect(codeOf(await m.platform.payments.cancelWithdrawal(wallet(RENTER_1), w.id))).toBe("VALIDATION");
    expect(await m.available(RENTER_1)).toBe(xnm(100));
    expect(await m.platform.ledgerViolations()).toEqual([]);
  });

  it("hides a withdrawal from anyone else who tries to cancel it (NOT_FOUND)", async () => {
    const m = await marketplace(await engine.create());
    await m.fund(RENTER_1, 100);
    const w = unwrap(await m.platform.payments.withdraw(wallet(RENTER_1), xnm(40)));
    expect(codeOf(await m.platform.payments.cancelWithdrawal(wallet(RENTER_2), w.id))).toBe("NOT_FOUND");
    expect(codeOf(await m.platform.payments.cancelWithdrawal(wallet(ADMIN), w.id))).toBe("NOT_FOUND");
    expect(codeOf(await m.platform.payments.cancelWithdrawal(wallet(RENTER_1), "wd-unknown"))).toBe(
      "NOT_FOUND",
    );
    expect((await m.storage.withdrawals.get(w.id))?.state).toBe("requested");
    expect(await m.available(RENTER_1)).toBe(xnm(60));
  });

  it("pays a completed withdrawal to world with its payout reference, and audits it", async () => {
    const m = await marketplace(await engine.create());
    await m.fund(RENTER_1, 100);
    const w = unwrap(await m.platform.payments.withdraw(wallet(RENTER_1), 33_000_001n));
    m.clock.advance(60_000);
    const done = unwrap(
      await m.platform.payments.resolveWithdrawal(wallet(ADMIN), w.id, "complete", { reference: "0xpayout" }),
    );
    expect(done).toMatchObject({
      id: w.id,
      state: "completed",
      reference: "0xpayout",
      reason: null,
      resolvedAt: m.clock.now(),
    });
    expect(await m.platform.accounts.balance(RENTER_1)).toEqual({
      available: xnm(100) - 33_000_001n,
      escrowed: 0n,
      pendingWithdrawals: 0n,
    });
    expect(await ledgerBalance(m, ESCROW)).toBe(0n);
    expect(await ledgerBalance(m, WORLD)).toBe(-xnm(100) + 33_000_001n);
    expect(await m.storage.ledger.getTransfer(`withdrawal:${w.id}:paid`)).toMatchObject({
      type: "withdrawal_paid",
      from: ESCROW,
      to: WORLD,
      amount: 33_000_001n,
    });
    const audit = (await m.storage.audit.list({ limit: 10 })).items[0];
    expect(audit).toMatchObject({
      actor: ADMIN.toLowerCase(),
      action: "withdrawal_completed",
      target: w.id,
      result: "0xpayout",
    });
    expect(await m.platform.ledgerViolations()).toEqual([]);
  });

  it("needs a payout reference to complete and a reason to reject (VALIDATION)", async () => {
    const m = await marketplace(await engine.create());
    await m.fund(RENTER_1, 100);
    const w = unwrap(await m.platform.payments.withdraw(wallet(RENTER_1), xnm(10)));
    const admin = wallet(ADMIN);
    expect(codeOf(await m.platform.payments.resolveWithdrawal(admin, w.id, "complete", {}))).toBe(
      "VALIDATION",
    );
    expect(codeOf(await m.platform.payments.resolveWithdrawal(admin, w.id, "reject", {}))).toBe("VALIDATION");
    expect(codeOf(await m.platform.payments.resolveWithdrawal(admin, w.id, "reject", { reason: "" }))).toBe(
      "VALIDATION",
    );
    expect((await m.storage.withdrawals.get(w.id))?.state).toBe("requested");
    expect(await m.platform.accounts.balance(RENTER_1)).toMatchObject({
      available: xnm(90),
      pendingWithdrawals: xnm(10),
    });
  });

  it("returns the funds of a rejected withdrawal, with its reason", async () => {
    const m = await marketplace(await engine.create());
    await m.fund(RENTER_1, 100);
    const w = unwrap(await m.platform.payments.withdraw(wallet(RENTER_1), xnm(10)));
    const rejected = unwrap(
      await m.platform.payments.resolveWithdrawal(wallet(ADMIN), w.id, "reject", { reason: "sanctioned" }),
    );
    expect(rejected).toMatchObject({ state: "rejected", reason: "sanctioned", reference: null });
    expect(await m.available(RENTER_1)).toBe(xnm(100));
    expect(await ledgerBalance(m, ESCROW)).toBe(0n);
    expect(await ledgerBalance(m, WORLD)).toBe(-xnm(100));
    expect((await m.storage.audit.list({ limit: 10 })).items[0]).toMatchObject({
      action: "withdrawal_rejected",
      target: w.id,
      result: "sanctioned",
    });
    expect(await m.platform.ledgerViolations()).toEqual([]);
  });

  it("refuses to resolve a withdrawal twice (VALIDATION) and moves money only once", async () => {
    const m = await marketplace(await engine.create());
    await m.fund(RENTER_1, 100);
    const admin = wallet(ADMIN);
    const w = unwrap(await m.platform.payments.withdraw(wallet(RENTER_1), xnm(10)));
    unwrap(await m.platform.payments.resolveWithdrawal(admin, w.id, "complete", { reference: "p-1" }));
    expect(
      codeOf(await m.platform.payments.resolveWithdrawal(admin, w.id, "complete", { reference: "p-2" })),
    ).toBe("VALIDATION");
    expect(
      codeOf(await m.platform.payments.resolveWithdrawal(admin, w.id, "reject", { reason: "late" })),
    ).toBe("VALIDATION");
    expect(codeOf(await m.platform.payments.cancelWithdrawal(wallet(RENTER_1), w.id))).toBe("VALIDATION");
    expect(await m.storage.withdrawals.get(w.id)).toMatchObject({ state: "completed", reference: "p-1" });
    expect(await m.available(RENTER_1)).toBe(xnm(90));
    expect(await ledgerBalance(m, WORLD)).toBe(-xnm(90));
    expect(await m.platform.ledgerViolations()).toEqual([]);
  });

  it("lets exactly one of a concurrent complete and cancel win", async () => {
    const m = await marketplace(await engine.create());
    await m.fund(RENTER_1, 100);
    const w = unwrap(await m.platform.payments.withdraw(wallet(RENTER_1), xnm(10)));
    const [paid, cancelled] = await Promise.all([
      m.platform.payments.resolveWithdrawal(wallet(ADMIN), w.id, "complete", { reference: "p" }),
      m.platform.payments.cancelWithdrawal(wallet(RENTER_1), w.id),
    ]);
    expect([paid, cancelled].filter((r) => r.ok)).toHaveLength(1);
    expect([paid, cancelled].map(codeOf)).toContain("VALIDATION");
    expect(await m.platform.ledgerViolations()).toEqual([]);
    const state = (await m.storage.withdrawals.get(w.id))?.state;
    if (paid.ok) {
      expect(state).toBe("completed");
      expect(await ledgerBalance(m, WORLD)).toBe(-xnm(90));
      expect(await m.available(RENTER_1)).toBe(xnm(90));
    } else {
      expect(state).toBe("cancelled");
      expect(await ledgerBalance(m, WORLD)).toBe(-xnm(100));
      expect(await m.available(RENTER_1)).toBe(xnm(100));
    }
    expect(await ledgerBalance(m, ESCROW)).toBe(0n);
  });

  it("lets only admins resolve (FORBIDDEN), even the requester", async () => {
    const m = await marketplace(await engine.create());
    await m.fund(RENTER_1, 100);
    const w = unwrap(await m.platform.payments.withdraw(wallet(RENTER_1), xnm(10)));
    for (const actor of [wallet(RENTER_1), wallet(RENTER_2), apiKeyActor(RENTER_1)]) {
      expect(
        codeOf(await m.platform.payments.resolveWithdrawal(actor, w.id, "complete", { reference: "x" })),
      ).toBe("FORBIDDEN");
      expect(
        codeOf(await m.platform.payments.resolveWithdrawal(actor, w.id, "reject", { reason: "x" })),
      ).toBe("FORBIDDEN");
    }
    expect((await m.storage.withdrawals.get(w.id))?.state).toBe("requested");
    expect(await m.available(RENTER_1)).toBe(xnm(90));
  });

  it("refuses to resolve an unknown withdrawal (NOT_FOUND)", async () => {
    const m = await marketplace(await engine.create());
    const r = await m.platform.payments.resolveWithdrawal(wallet(ADMIN), "wd-missing", "complete", {
      reference: "x",
    });
    expect(codeOf(r)).toBe("NOT_FOUND");
  });

  it("lets only one of two concurrent withdrawals of the whole balance through", async () => {
    const m = await marketplace(await engine.create());
    await m.fund(RENTER_1, 10);
    const results = await Promise.all([
      m.platform.payments.withdraw(wallet(RENTER_1), xnm(10)),
      m.platform.payments.withdraw(wallet(RENTER_1), xnm(10)),
    ]);
    expect(results.map(codeOf).sort()).toEqual(["INSUFFICIENT_BALANCE", "ok"]);
    expect(await m.platform.accounts.balance(RENTER_1)).toEqual({
      available: 0n,
      escrowed: 0n,
      pendingWithdrawals: xnm(10),
    });
    expect((await m.storage.withdrawals.list({ limit: 10 })).items).toHaveLength(1);
    expect(await m.platform.ledgerViolations()).toEqual([]);
  });
});

describe.each(engines)("balance ($name)", (engine) => {
  it("splits available, escrowed (the renter's open leases) and pending withdrawals", async () => {
    const m = await marketplace(await engine.create());
    expect(await m.platform.accounts.balance(RENTER_1)).toEqual({
      available: 0n,
      escrowed: 0n,
      pendingWithdrawals: 0n,
    });
    const w = m.worker("b41a9ce0b41a9ce0");
    await w.join();
    await m.fund(RENTER_1, 100);
    m.clock.advance(3000);
    const lease = unwrap(await m.platform.rental.rent(wallet(RENTER_1), { durationSec: 3600 }));
    expect(lease.escrow).toBe(36_000_000n);
    unwrap(await m.platform.payments.withdraw(wallet(RENTER_1), 10_500_000n));
    // Case-insensitive address.
    expect(await m.platform.accounts.balance(RENTER_1.toUpperCase().replace("0X", "0x"))).toEqual({
      available: 53_500_000n,
      escrowed: 36_000_000n,
      pendingWithdrawals: 10_500_000n,
    });
    // The owner's view is unaffected by the renter's lease.
    expect(await m.platform.accounts.balance(OWNER_A)).toEqual({
      available: 0n,
      escrowed: 0n,
      pendingWithdrawals: 0n,
    });
    expect(await ledgerBalance(m, ESCROW)).toBe(46_500_000n);
    expect(await m.platform.ledgerViolations()).toEqual([]);

    // Once the lease is settled its escrow leaves `escrowed`.
    await w.confirm(lease.leaseId);
    m.clock.advance(100_000);
    const stopped = unwrap(await m.platform.rental.stop(wallet(RENTER_1), lease.leaseId));
    expect(stopped.settlement.total).toBe(1_000_000n);
    expect(await m.platform.accounts.balance(RENTER_1)).toEqual({
      available: 53_500_000n + 35_000_000n,
      escrowed: 0n,
      pendingWithdrawals: 10_500_000n,
    });
    expect(await m.available(OWNER_A)).toBe(950_000n);
    expect(await ledgerBalance(m, TREASURY)).toBe(50_000n);
    expect(await m.platform.ledgerViolations()).toEqual([]);
  });
});

describe.each(engines)("API keys ($name)", (engine) => {
  it("creates a key only for a wallet sign-in: xbk_ + 43 base64url chars, shown once, stored hashed", async () => {
    const m = await marketplace(await engine.create());
    const { record, key } = unwrap(await m.platform.accounts.createApiKey(wallet(OWNER_A), "  ci bot  "));
    expect(key).toMatch(/^xbk_[A-Za-z0-9_-]{43}$/);
    expect(record).toMatchObject({
      address: OWNER_A.toLowerCase(),
      name: "ci bot",
      last4: key.slice(-4),
      createdAt: m.clock.now(),
      lastUsedAt: null,
      revokedAt: null,
    });
    expect(record.hash).not.toBe(key);
    expect(record.hash).not.toContain(key.slice(4));
    const stored = await m.storage.apiKeys.get(record.id);
    expect(stored).toEqual(record);
    expect(JSON.stringify(stored)).not.toContain(key.slice(4));
    // The list never shows the key again.
    const listed = unwrap(await m.platform.accounts.listApiKeys(wallet(OWNER_A)));
    expect(listed.map((k) => k.id)).toEqual([record.id]);
    expect(JSON.stringify(listed)).not.toContain(key.slice(4));
    // An account exists for the key's owner.
    expect(await m.storage.accounts.get(OWNER_A.toLowerCase())).not.toBeNull();

    const second = unwrap(await m.platform.accounts.createApiKey(wallet(OWNER_A), "other"));
    expect(second.key).not.toBe(key);
    expect(second.record.hash).not.toBe(record.hash);
  });

  it("refuses an api_key actor every key operation (FORBIDDEN)", async () => {
    const m = await marketplace(await engine.create());
    const { record } = unwrap(await m.platform.accounts.createApiKey(wallet(OWNER_A), "main"));
    const viaKey = apiKeyActor(OWNER_A);
    expect(codeOf(await m.platform.accounts.createApiKey(viaKey, "sneaky"))).toBe("FORBIDDEN");
    expect(codeOf(await m.platform.accounts.listApiKeys(viaKey))).toBe("FORBIDDEN");
    expect(codeOf(await m.platform.accounts.revokeApiKey(viaKey, record.id))).toBe("FORBIDDEN");
    expect(await m.storage.apiKeys.countActive(OWNER_A.toLowerCase())).toBe(1);
    expect((await m.storage.apiKeys.get(record.id))?.revokedAt).toBeNull();
  });

  it("needs a name of 1 to 64 characters", async () => {
    const m = await marketplace(await engine.create());
    const me = wallet(RENTER_1);
    expect(codeOf(await m.platform.accounts.createApiKey(me, ""))).toBe("VALIDATION");
    expect(codeOf(await m.platform.accounts.createApiKey(me, "    "))).toBe("VALIDATION");
    expect(codeOf(await m.platform.accounts.createApiKey(me, "n".repeat(65)))).toBe("VALIDATION");
    expect(codeOf(await m.platform.accounts.createApiKey(me, "n"))).toBe("ok");
    expect(codeOf(await m.platform.accounts.createApiKey(me, "n".repeat(64)))).toBe("ok");
    expect(await m.storage.apiKeys.countActive(RENTER_1)).toBe(2);
  });

  it("allows at most 20 active keys; revoking one makes room", async () => {
    const m = await marketplace(await engine.create());
    const me = wallet(RENTER_1);
    const ids: string[] = [];
    for (let i = 0; i < 20; i++)
      ids.push(unwrap(await m.platform.accounts.createApiKey(me, `k${i}`)).record.id);
    expect(codeOf(await m.platform.accounts.createApiKey(me, "k20"))).toBe("VALIDATION");
    expect(await m.storage.apiKeys.countActive(RENTER_1)).toBe(20);
    // Another account is not affected.
    expect(codeOf(await m.platform.accounts.createApiKey(wallet(RENTER_2), "mine"))).toBe("ok");
    unwrap(await m.platform.accounts.revokeApiKey(me, ids[3]!));
    expect(codeOf(await m.platform.accounts.createApiKey(me, "k20"))).toBe("ok");
    expect(codeOf(await m.platform.accounts.createApiKey(me, "k21"))).toBe("VALIDATION");
    expect(await m.storage.apiKeys.countActive(RENTER_1)).toBe(20);
  });

  it("holds the 20-key limit under concurrent creation", async () => {
    const m = await marketplace(await engine.create());
    const me = wallet(RENTER_1);
    const results = await Promise.all(
      Array.from({ length: 25 }, (_, i) => m.platform.accounts.createApiKey(me, `k${i}`)),
    );
    // Regression: the count ran outside the insert's transaction, so parallel requests all passed.
    // platform-rules §10: "up to 20 per account".
    expect(await m.storage.apiKeys.countActive(RENTER_1)).toBe(20);
    expect(results.filter((r) => r.ok)).toHaveLength(20);
  });

  it("authenticates an active key as its account, tracking lastUsedAt to the minute", async () => {
    const m = await marketplace(await engine.create());
    const { record, key } = unwrap(await m.platform.accounts.createApiKey(wallet(OWNER_A), "bot"));
    m.clock.advance(60_000);
    expect(await m.platform.accounts.authenticateApiKey(key)).toEqual({
      address: OWNER_A.toLowerCase(),
      via: "api_key",
    });
    const firstUse = m.clock.now();
    expect((await m.storage.apiKeys.get(record.id))?.lastUsedAt).toBe(firstUse);
    // Kept to the minute: a use 5 s later writes nothing, one a minute later does.
    m.clock.advance(5000);
    await m.platform.accounts.authenticateApiKey(key);
    expect((await m.storage.apiKeys.get(record.id))?.lastUsedAt).toBe(firstUse);
    m.clock.advance(55_000);
    await m.platform.accounts.authenticateApiKey(key);
    expect((await m.storage.apiKeys.get(record.id))?.lastUsedAt).toBe(m.clock.now());
    const listed = unwrap(await m.platform.accounts.listApiKeys(wallet(OWNER_A)));
    expect(listed[0]?.lastUsedAt).toBe(m.clock.now());
  });

  it("returns null for unknown, malformed and revoked keys", async () => {
    const m = await marketplace(await engine.create());
    const { record, key } = unwrap(await m.platform.accounts.createApiKey(wallet(OWNER_A), "bot"));
    const unknown = `xbk_${"A".repeat(43)}`;
    for (const bad of [
      unknown,
      "",
      "xbk_",
      key.slice(0, -1),
      `${key}A`,
      key.slice(4),
      `XBK_${key.slice(4)}`,
      `xbk_${"A".repeat(42)}=`,
      `xbk_${"A".repeat(42)}+`,
      ` ${key}`,
    ]) {
      expect(await m.platform.accounts.authenticateApiKey(bad)).toBeNull();
    }
    // None of the failed attempts touched the real key.
    expect((await m.storage.apiKeys.get(record.id))?.lastUsedAt).toBeNull();

    m.clock.advance(1000);
    expect(unwrap(await m.platform.accounts.revokeApiKey(wallet(OWNER_A), record.id))).toEqual({ ok: true });
    const revoked = await m.storage.apiKeys.get(record.id);
    expect(revoked?.revokedAt).toBe(m.clock.now());
    expect(await m.platform.accounts.authenticateApiKey(key)).toBeNull();
    expect((await m.storage.apiKeys.get(record.id))?.lastUsedAt).toBeNull();
    // Revoking again is harmless and keeps the first revocation time.
    m.clock.advance(1000);
    unwrap(await m.platform.accounts.revokeApiKey(wallet(OWNER_A), record.id));
    expect((await m.storage.apiKeys.get(record.id))?.revokedAt).toBe(revoked?.revokedAt);
    expect(await m.storage.apiKeys.countActive(OWNER_A.toLowerCase())).toBe(0);
  });

  it("hides other accounts' keys from revocation (NOT_FOUND)", async () => {
    const m = await marketplace(await engine.create());
    const { record, key } = unwrap(await m.platform.accounts.createApiKey(wallet(OWNER_A), "bot"));
    expect(codeOf(await m.platform.accounts.revokeApiKey(wallet(RENTER_1), record.id))).toBe("NOT_FOUND");
    expect(codeOf(await m.platform.accounts.revokeApiKey(wallet(ADMIN), record.id))).toBe("NOT_FOUND");
    expect(codeOf(await m.platform.accounts.revokeApiKey(wallet(OWNER_A), "no-such-key"))).toBe("NOT_FOUND");
    expect((await m.storage.apiKeys.get(record.id))?.revokedAt).toBeNull();
    expect(await m.platform.accounts.authenticateApiKey(key)).toMatchObject({ via: "api_key" });
    expect(unwrap(await m.platform.accounts.listApiKeys(wallet(RENTER_1)))).toEqual([]);
  });
});
