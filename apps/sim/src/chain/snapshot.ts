/**
 * Reading a chain snapshot back from disk. The file is ours, but it may be truncated, hand-edited or from
 * another version: a bad file is refused with the reason, never half-loaded into a chain that then
 * overwrites it.
 */
import type { ChainBlock, ChainSnapshot } from "./chain-state.js";

const BLOCK_TYPES = new Set(["normal", "super", "xuni"]);

export function parseSnapshot(json: unknown): ChainSnapshot {
  if (typeof json !== "object" || json === null) throw new Error("not a JSON object");
  const { version, difficulty, nextBlockId, blocks } = json as Record<string, unknown>;
  if (version !== 1) throw new Error(`unsupported version ${String(version)}`);
  if (!isPositiveInteger(difficulty)) throw new Error("difficulty must be a positive integer");
  if (!isPositiveInteger(nextBlockId)) throw new Error("nextBlockId must be a positive integer");
  if (!Array.isArray(blocks)) throw new Error("blocks must be an array");
  const keys = new Set<string>();
  blocks.forEach((block, i) => {
    const problem = blockProblem(block);
    if (problem !== null) throw new Error(`blocks[${i}]: ${problem}`);
    const { key, block_id } = block as ChainBlock;
    if (keys.has(key.toLowerCase())) throw new Error(`blocks[${i}]: duplicate key ${key}`);
    if (block_id >= nextBlockId) throw new Error(`blocks[${i}]: block_id ${block_id} >= nextBlockId`);
    keys.add(key.toLowerCase());
  });
  return { version, difficulty, nextBlockId, blocks: blocks as ChainBlock[] };
}

function blockProblem(value: unknown): string | null {
  if (typeof value !== "object" || value === null) return "not an object";
  const b = value as Record<string, unknown>;
  if (!isPositiveInteger(b.block_id)) return "block_id";
  for (const field of ["account", "key", "hash_to_verify", "hashes_per_second"] as const) {
    if (typeof b[field] !== "string") return field;
  }
  if (typeof b.block_type !== "string" || !BLOCK_TYPES.has(b.block_type)) return "block_type";
  if (typeof b.attempts !== "number" || typeof b.timestamp !== "number") return "attempts or timestamp";
  if (b.worker !== null && typeof b.worker !== "string" && typeof b.worker !== "number") return "worker";
  return null;
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 1;
}
