/**
 * Flag parsing on `node:util` parseArgs, and the value checks every command shares. Each check throws a
 * `UsageError` naming the flag and what it accepts, so a typo never starts a 10,000-worker run with a
 * default the user did not ask for.
 */

import { type ParseArgsConfig, parseArgs } from "node:util";
import { HEX_ADDRESS_PATTERN } from "@xenblocks/core";
import { UsageError } from "./cli-io.js";

/** parseArgs in strict mode; its own errors (unknown flag, missing value) become usage errors. */
export function parseFlags<T extends ParseArgsConfig>(
  command: string,
  config: T,
): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new UsageError((error as Error).message, command);
  }
}

interface Range {
  readonly min: number;
  readonly max: number;
}

/** A whole number in [min, max], or `fallback` when the flag is absent. */
export function integerFlag<F extends number | undefined>(
  name: string,
  raw: string | undefined,
  range: Range,
  fallback: F,
): number | F {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isInteger(n) || n < range.min || n > range.max) {
    throw new UsageError(`--${name} must be a whole number from ${range.min} to ${range.max}, got "${raw}"`);
  }
  return n;
}

/** A finite number in [min, max] (`min` excluded when `exclusiveMin`), or `fallback` when absent. */
export function numberFlag<F extends number | undefined>(
  name: string,
  raw: string | undefined,
  range: Range & { readonly exclusiveMin?: boolean },
  fallback: F,
): number | F {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  const low = range.exclusiveMin ? n > range.min : n >= range.min;
  if (raw.trim() === "" || !Number.isFinite(n) || !low || n > range.max) {
    const from = range.exclusiveMin ? `greater than ${range.min}` : `from ${range.min}`;
    throw new UsageError(`--${name} must be a number ${from} up to ${range.max}, got "${raw}"`);
  }
  return n;
}

/** An absolute URL with one of `protocols` (without the colon, e.g. "mqtt"). */
export function urlFlag(name: string, raw: string, protocols: readonly string[]): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--${name} must be a URL such as ${protocols[0]}://127.0.0.1, got "${raw}"`);
  }
  if (!protocols.includes(url.protocol.slice(0, -1)) || url.hostname === "") {
    throw new UsageError(`--${name} must be a ${protocols.join("/")} URL with a host, got "${raw}"`);
  }
  return raw;
}

/** `0x` + 40 hex, any case: the worker sends the owner as typed (EIP-55 or not). */
export function addressFlag(name: string, raw: string): string {
  if (!HEX_ADDRESS_PATTERN.test(raw))
    throw new UsageError(`--${name} must be 0x followed by 40 hex digits, got "${raw}"`);
  return raw;
}

export function requiredFlag(command: string, name: string, raw: string | undefined): string {
  if (raw === undefined) throw new UsageError(`${command} needs --${name}`, command);
  return raw;
}
