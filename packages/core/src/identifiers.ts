/**
 * Checks for the ids and free text that callers hand the domain. Storage engines differ on what a
 * string may hold (Postgres refuses NUL), so the domain refuses control characters and absurd
 * lengths itself, with a clear error, before any query runs.
 */
import { fail } from "./errors.js";
import { LOWER_HEX_ADDRESS_PATTERN } from "./protocol/schemas.js";

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Free text (a name, a reference, a reason): 1..max characters, no control characters. */
export function checkText(value: string, what: string, max = 200): string {
  if (typeof value !== "string" || value.length < 1 || value.length > max || CONTROL.test(value)) {
    fail("VALIDATION", `${what} must be 1 to ${max} characters without control characters`);
  }
  return value;
}

/** An id the caller names: refused as not found when it cannot be one (no query is made). */
export function checkId(value: string, what: string): string {
  if (typeof value !== "string" || value.length < 1 || value.length > 200 || CONTROL.test(value)) {
    fail("NOT_FOUND", `${what} not found`);
  }
  return value;
}

/** The caller's address, lowercase; a caller without a wallet address is not signed in. */
export function checkActor(actor: { address: string }): string {
  const address = typeof actor?.address === "string" ? actor.address.toLowerCase() : "";
  if (!LOWER_HEX_ADDRESS_PATTERN.test(address)) fail("UNAUTHORIZED", "sign in with a wallet address first");
  return address;
}
