/**
 * The `POST /verify` body, checked by hand (zod is not a dependency of the simulator). The worker sends
 * `{hash_to_verify, key, account, attempts:"<string>", hashes_per_second:"<2-dp string>", worker}`; older
 * clients send numbers, so both are accepted. Messages for key, account and marker are api.md's, verbatim.
 */
import { HEX_ADDRESS_PATTERN, isBlockKey } from "@xenblocks/core";

export interface VerifyRequest {
  hash_to_verify: string;
  key: string;
  account: string;
  attempts: number;
  /** As sent (the worker's 2-dp string); numbers are kept as their decimal text. */
  hashes_per_second: string;
  /** The worker's machine id, as sent; null when absent. */
  worker: string | number | null;
}

export type ParsedVerifyRequest = { ok: true; value: VerifyRequest } | { ok: false; message: string };

/** Longer than any encoded Argon2id string (~150 chars) with room for non-encoded test hashes. */
export const MAX_HASH_LENGTH = 1024;
const MAX_HASHRATE_LENGTH = 32;
const MAX_WORKER_LENGTH = 128;

const invalid = (message: string): ParsedVerifyRequest => ({ ok: false, message });

export function parseVerifyRequest(body: unknown): ParsedVerifyRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return invalid("Request body must be a JSON object");
  }
  const input = body as Record<string, unknown>;
  const { key, account, hash_to_verify: hash } = input;
  if (typeof key !== "string" || !isBlockKey(key)) return invalid("Invalid key");
  if (typeof account !== "string" || !HEX_ADDRESS_PATTERN.test(account)) return invalid("Invalid account");
  if (typeof hash !== "string" || hash.length > MAX_HASH_LENGTH) return invalid("Invalid hash_to_verify");
  const attempts = parseAttempts(input.attempts);
  if (attempts === null) return invalid("Invalid attempts");
  const hashesPerSecond = parseHashrate(input.hashes_per_second);
  if (hashesPerSecond === null) return invalid("Invalid hashes_per_second");
  const worker = input.worker ?? null;
  const workerOk =
    worker === null ||
    (typeof worker === "string" && worker.length <= MAX_WORKER_LENGTH) ||
    (typeof worker === "number" && Number.isFinite(worker));
  if (!workerOk) return invalid("Invalid worker");
  return {
    ok: true,
    value: { hash_to_verify: hash, key, account, attempts, hashes_per_second: hashesPerSecond, worker },
  };
}

/** A count: a non-negative integer or its decimal string; absent means 0. */
function parseAttempts(raw: unknown): number | null {
  if (raw === undefined || raw === null) return 0;
  const value = typeof raw === "string" && /^\d{1,16}$/.test(raw.trim()) ? Number(raw.trim()) : raw;
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? value : null;
}

function parseHashrate(raw: unknown): string | null {
  if (raw === undefined || raw === null) return "0";
  if (typeof raw === "number") return Number.isFinite(raw) && raw >= 0 ? String(raw) : null;
  return typeof raw === "string" && raw.length <= MAX_HASHRATE_LENGTH ? raw : null;
}
