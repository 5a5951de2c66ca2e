/**
 * The double-entry ledger of platform-rules §2: account names, transfer types with their allowed
 * directions, deterministic transfer ids, balance arithmetic and the invariants.
 */
import { DomainError, fail } from "./errors.js";
import type { Units } from "./money.js";

export const ESCROW = "escrow";
export const TREASURY = "treasury";
export const WORLD = "world";
export type LedgerAccount = `user:${string}` | typeof ESCROW | typeof TREASURY | typeof WORLD;

export const userAccount = (address: string): LedgerAccount => `user:${address.toLowerCase()}`;
export const isUserAccount = (account: string): account is `user:${string}` => account.startsWith("user:");

export type TransferType =
  | "deposit"
  | "lease_escrow"
  | "lease_payment"
  | "lease_fee"
  | "lease_refund"
  | "withdrawal_hold"
  | "withdrawal_paid"
  | "withdrawal_returned";

type AccountKind = "user" | "escrow" | "treasury" | "world";
/** Which kind of account each transfer type moves money from and to. */
const DIRECTIONS: Record<TransferType, readonly [AccountKind, AccountKind]> = {
  deposit: ["world", "user"],
  lease_escrow: ["user", "escrow"],
  lease_payment: ["escrow", "user"],
  lease_fee: ["escrow", "treasury"],
  lease_refund: ["escrow", "user"],
  withdrawal_hold: ["user", "escrow"],
  withdrawal_paid: ["escrow", "world"],
  withdrawal_returned: ["escrow", "user"],
};

const kindOf = (account: string): AccountKind | null =>
  isUserAccount(account)
    ? "user"
    : account === ESCROW || account === TREASURY || account === WORLD
      ? (account as AccountKind)
      : null;

export interface TransferReference {
  kind: "lease" | "withdrawal" | "deposit";
  id: string;
}

export interface TransferInput {
  id: string;
  type: TransferType;
  from: LedgerAccount;
  to: LedgerAccount;
  amount: Units;
  reference: TransferReference;
}

export interface Transfer extends TransferInput {
  createdAt: number;
  /** Balances right after this transfer: gives each history line its `balanceAfter` in O(1). */
  fromBalanceAfter: Units;
  toBalanceAfter: Units;
}

/** Deterministic ids: a retried operation finds its transfer already posted and cannot post twice. */
export const transferIds = {
  leaseEscrow: (leaseId: string) => `rent:${leaseId}:escrow`,
  leasePayment: (leaseId: string) => `settle:${leaseId}:payment`,
  leaseFee: (leaseId: string) => `settle:${leaseId}:fee`,
  leaseRefund: (leaseId: string) => `settle:${leaseId}:refund`,
  withdrawalHold: (id: string) => `withdrawal:${id}:hold`,
  withdrawalPaid: (id: string) => `withdrawal:${id}:paid`,
  withdrawalReturned: (id: string) => `withdrawal:${id}:returned`,
  manualDeposit: (reference: string) => `deposit:manual:${reference}`,
  faucetDeposit: (id: string) => `deposit:faucet:${id}`,
};

/** Checks a transfer's shape: positive amount and the direction its type allows. */
export function validateTransfer(t: TransferInput): void {
  if (t.amount <= 0n) fail("VALIDATION", `transfer ${t.id}: amount must be positive, got ${t.amount}`);
  const [fromKind, toKind] = DIRECTIONS[t.type];
  if (kindOf(t.from) !== fromKind || kindOf(t.to) !== toKind) {
    fail(
      "VALIDATION",
      `transfer ${t.id}: ${t.type} moves ${fromKind} -> ${toKind}, not ${t.from} -> ${t.to}`,
    );
  }
}

/**
 * Applies transfers to the given balances (missing accounts are 0) and returns the new balances and
 * the posted transfers. Refuses, changing nothing, if any account but `world` would go negative.
 */
export function applyTransfers(
  balances: ReadonlyMap<string, Units>,
  transfers: readonly TransferInput[],
  createdAt: number,
): { balances: Map<string, Units>; posted: Transfer[] } {
  const next = new Map(balances);
  const posted: Transfer[] = [];
  for (const t of transfers) {
    validateTransfer(t);
    const fromAfter = (next.get(t.from) ?? 0n) - t.amount;
    const toAfter = (next.get(t.to) ?? 0n) + t.amount;
    if (fromAfter < 0n && t.from !== WORLD) {
      throw new DomainError("INSUFFICIENT_BALANCE", `insufficient balance in ${t.from} for ${t.type}`, {
        account: t.from,
        needed: String(t.amount),
        available: String(next.get(t.from) ?? 0n),
      });
    }
    next.set(t.from, fromAfter);
    next.set(t.to, toAfter);
    posted.push({ ...t, createdAt, fromBalanceAfter: fromAfter, toBalanceAfter: toAfter });
  }
  return { balances: next, posted };
}

export interface LedgerSnapshot {
  balances: ReadonlyMap<string, Units>;
  /** Σ escrow of pending and active leases. */
  openLeaseEscrow: Units;
  /** Σ amounts of withdrawals in state `requested`. */
  requestedWithdrawals: Units;
}

/** The invariants of platform-rules §2; returns every violation found (empty = healthy). */
export function ledgerViolations(s: LedgerSnapshot): string[] {
  const problems: string[] = [];
  let sum = 0n;
  for (const [account, balance] of s.balances) {
    sum += balance;
    if (account !== WORLD && balance < 0n) problems.push(`${account} is negative: ${balance}`);
  }
  if (sum !== 0n) problems.push(`balances sum to ${sum}, not 0`);
  const escrow = s.balances.get(ESCROW) ?? 0n;
  const expected = s.openLeaseEscrow + s.requestedWithdrawals;
  if (escrow !== expected) {
    problems.push(`escrow holds ${escrow}, open leases and withdrawals need ${expected}`);
  }
  return problems;
}
