/**
 * Money is integer micro-units of XNM held in a bigint (platform-rules §1): no floating point ever touches an
 * amount, and every division states its rounding. Amounts cross the API as decimal strings with exactly six
 * fraction digits.
 */
import { DomainError, fail, ok, type Result } from "./errors.js";

/** An amount in micro-units of XNM (1 XNM = 1,000,000 units). */
export type Units = bigint;

export const UNITS_PER_XNM = 1_000_000n;

/** Fraction digits of one unit; also the exact number printed by `formatMoney`. */
export const MONEY_DECIMALS = 6;

/** The fee rate denominator: 10,000 basis points = 100 %. */
export const BPS_DENOMINATOR = 10_000n;

/**
 * The largest amount one operation may move: 2^53 − 1 units (≈ 9 billion XNM). Storage keeps money
 * in 64-bit integers and APIs in JSON, so every amount and balance must stay exact in both.
 */
export const MAX_AMOUNT: Units = 9_007_199_254_740_991n;

/** Refuses a non-positive or oversized amount with a VALIDATION error naming `what`. */
export function assertAmount(amount: Units, what = "amount"): Units {
  if (typeof amount !== "bigint") fail("VALIDATION", `${what} must be an amount in micro-units`);
  if (amount <= 0n) fail("VALIDATION", `${what} must be positive`);
  if (amount > MAX_AMOUNT) fail("VALIDATION", `${what} is too large (at most ${MAX_AMOUNT} units)`);
  return amount;
}

export type ParseMoneyOptions = {
  /** Accept a JSON number (compatibility routes only); it is read through its shortest decimal string. */
  readonly allowNumber?: boolean;
  /** Accept a leading `-` (signed ledger deltas); amounts entered by people are never negative. */
  readonly allowNegative?: boolean;
};

// Digits on both sides of the point are required: ".5" and "5." are typos more often than intent.
// No '+', no exponent, no spaces, no thousands separators.
const DECIMAL_PATTERN = /^(-?)([0-9]+)(?:\.([0-9]+))?$/;

/**
 * Reads an amount of XNM into units. Throws `DomainError("VALIDATION")` for anything that is not an exact
 * decimal with at most six fraction digits: more precision would have to be rounded, and silently
 * rounding money is how the earlier platform lost units.
 */
export function parseMoney(input: string | number, opts: ParseMoneyOptions = {}): Units {
  let text: string;
  if (typeof input === "number") {
    if (!opts.allowNumber) fail("VALIDATION", 'Amount must be a decimal string, e.g. "1.500000"');
    if (!Number.isFinite(input)) fail("VALIDATION", "Amount must be a finite number");
    // String() gives the shortest decimal that reads back as the same double, i.e. what the sender wrote
    // for every amount with at most six fraction digits. Exponent forms (1e21, 1e-7) fail the pattern.
    text = String(input);
  } else if (typeof input === "string") {
    text = input;
  } else {
    fail("VALIDATION", "Amount must be a decimal string");
  }

  const match = DECIMAL_PATTERN.exec(text);
  if (!match) {
    fail("VALIDATION", `Amount ${JSON.stringify(text)} is not a plain decimal number (no exponent, no '+')`);
  }
  const [, sign = "", whole = "0", fraction = ""] = match;
  if (fraction.length > MONEY_DECIMALS) {
    fail("VALIDATION", `Amount ${JSON.stringify(text)} has more than ${MONEY_DECIMALS} fraction digits`);
  }
  const magnitude = BigInt(whole) * UNITS_PER_XNM + BigInt(fraction.padEnd(MONEY_DECIMALS, "0"));
  if (sign === "-") {
    if (!opts.allowNegative) fail("VALIDATION", `Amount ${JSON.stringify(text)} must not be negative`);
    return -magnitude;
  }
  return magnitude;
}

/** `parseMoney` as a Result, for callers that collect validation errors instead of throwing. */
export function tryParseMoney(input: string | number, opts: ParseMoneyOptions = {}): Result<Units> {
  try {
    return ok(parseMoney(input, opts));
  } catch (e) {
    if (e instanceof DomainError) return { ok: false, error: e };
    throw e;
  }
}

/** Units as the API shows them: exactly six fraction digits, a leading `-` for negative deltas. */
export function formatMoney(units: Units): string {
  const negative = units < 0n;
  const magnitude = negative ? -units : units;
  const whole = magnitude / UNITS_PER_XNM;
  const fraction = (magnitude % UNITS_PER_XNM).toString().padStart(MONEY_DECIMALS, "0");
  return `${negative ? "-" : ""}${whole}.${fraction}`;
}

/**
 * An XNM amount as units, for constants and tests: `xnm(1000)` = 1,000,000,000n, `xnm("0.01")` = 10,000n.
 * Same exactness rules as `parseMoney`; negative values are allowed.
 */
export function xnm(n: number | string): Units {
  return parseMoney(n, { allowNumber: true, allowNegative: true });
}

/**
 * `a × b / c` with the product taken exactly and the quotient truncated toward zero, which is the floor
 * for the non-negative amounts the rules use (platform-rules §1: division rounds down unless stated).
 */
export function mulDivFloor(a: bigint, b: bigint, c: bigint): bigint {
  if (c === 0n) fail("VALIDATION", "mulDivFloor: division by zero");
  return (a * b) / c;
}

/**
 * `a / b` rounded to the nearest integer, halves up; only for the rules that say so (per-minute prices
 * to per-second, platform-rules §3). Defined for `a ≥ 0`, `b > 0` only, where "half up" is unambiguous.
 */
export function divRoundHalfUp(a: bigint, b: bigint): bigint {
  if (a < 0n || b <= 0n) fail("VALIDATION", "divRoundHalfUp needs a >= 0 and b > 0");
  return (2n * a + b) / (2n * b);
}

/**
 * The platform fee on a settled total: `floor(total × feeBps / 10000)` (platform-rules §4.3). Rounding the
 * fee down means the provider receives the leftover unit, and `fee + provider = total` holds exactly.
 */
export function feeOf(total: Units, feeBps: number | bigint): Units {
  const bps = typeof feeBps === "bigint" ? feeBps : Number.isSafeInteger(feeBps) ? BigInt(feeBps) : -1n;
  if (bps < 0n || bps > BPS_DENOMINATOR) fail("VALIDATION", `fee_bps must be an integer from 0 to 10000`);
  if (total < 0n) fail("VALIDATION", "A fee is only taken on a non-negative total");
  return mulDivFloor(total, bps, BPS_DENOMINATOR);
}
