/**
 * The chain simulator's rules (api.md §5) as plain functions: difficulty, rewards, the xuni window and
 * how a submitted hash is classified. The state module applies them; tests check them with plain values.
 */
import { type BlockClass, classifyHash, parseEncodedArgon2id } from "@xenblocks/core";

export const INITIAL_DIFFICULTY = 1727;
export const MIN_DIFFICULTY = 100;
export const MAX_DIFFICULTY = 100_000;
/** Difficulty moves once per this many accepted blocks. */
export const DIFFICULTY_PERIOD_BLOCKS = 50;

export type ChainBlockType = Exclude<BlockClass, "none">;

/** Reward per block type, in whole XNM (the balance endpoint answers a number of XNM). */
export const BLOCK_REWARD_XNM: Readonly<Record<ChainBlockType, number>> = { super: 50, normal: 10, xuni: 1 };

/** floor(× 1.05) in integers, so float rounding can never shave a unit off an exact product. */
export function raisedDifficulty(difficulty: number): number {
  const raised = Math.floor((difficulty * 105) / 100);
  return Math.min(MAX_DIFFICULTY, Math.max(MIN_DIFFICULTY, raised));
}

/** The difficulty after a block is accepted, given how many are accepted now (that block included). */
export function difficultyAfterAccepting(current: number, acceptedBlocks: number): number {
  return acceptedBlocks > 0 && acceptedBlocks % DIFFICULTY_PERIOD_BLOCKS === 0
    ? raisedDifficulty(current)
    : current;
}

/**
 * Xuni blocks count only in minutes 0–4 and 55–59 (the window the worker itself respects). UTC: every
 * whole-hour zone agrees on the minute, and the chain has no local time of its own.
 */
export function isInXuniWindow(nowMs: number): boolean {
  const minute = new Date(nowMs).getUTCMinutes();
  return minute < 5 || minute >= 55;
}

/**
 * Classifies `hash_to_verify`: the hash segment of an encoded Argon2id string, or the whole string when it
 * is not one (api.md §5: the simulator checks markers, and Argon2id only when verification is on).
 */
export function classifySubmittedHash(hash: string, marker: string): BlockClass {
  const parsed = parseEncodedArgon2id(hash);
  return classifyHash(parsed === null ? hash : parsed.hashedPure, marker);
}
