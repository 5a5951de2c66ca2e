/**
 * The chain simulator's state (api.md §5): accepted blocks, difficulty, balances. No I/O of its own:
 * time comes from an injected clock, persistence hooks in through `onChange` and `snapshot()`, and the
 * Argon2id check is injected, so the HTTP layer and the file store stay thin.
 */
import { type Chain as ChainPort, type Clock, DEFAULT_BLOCK_MARKER } from "@xenblocks/core";
import { verifyBlockHash } from "../hashing/argon2.js";
import {
  BLOCK_REWARD_XNM,
  type ChainBlockType,
  classifySubmittedHash,
  difficultyAfterAccepting,
  INITIAL_DIFFICULTY,
  isInXuniWindow,
} from "./rules.js";
import { parseVerifyRequest } from "./verify-input.js";

/** One accepted block, in the wire shape of `/getblocks/lastblock` and `/chain/blocks`. */
export interface ChainBlock {
  block_id: number;
  /** Lowercase. */
  account: string;
  key: string;
  hash_to_verify: string;
  block_type: ChainBlockType;
  attempts: number;
  hashes_per_second: string;
  worker: string | number | null;
  /** Epoch seconds (float, ms precision), like every REST timestamp. */
  timestamp: number;
}

/** What the store writes and reads back; balances and counters are derived from the blocks. */
export interface ChainSnapshot {
  version: 1;
  difficulty: number;
  nextBlockId: number;
  blocks: ChainBlock[];
}

export interface ChainStats {
  total_blocks: number;
  normal_blocks: number;
  super_blocks: number;
  xuni_blocks: number;
  difficulty: number;
  unique_miners: number;
  next_block_id: number;
}

export type SubmitResult = { status: 200; block: ChainBlock } | { status: 400 | 409; message: string };

/** Recomputes an encoded Argon2id hash; true when it is genuine for this key and account. */
export type HashVerifier = (hash: string, key: string, account: string) => Promise<boolean>;

export interface ChainOptions {
  clock?: Clock;
  /** Block marker (default `XEN11`); a test fleet's `blocks.marker` (platform-rules §6). */
  marker?: string;
  /** Refuse xuni blocks outside minutes 0–4 / 55–59 (default off). */
  enforceXuniWindow?: boolean;
  /** Recompute Argon2id for every block (`blocks.verify_argon2`, default off). */
  verifyArgon2?: boolean;
  /** The recomputation used when `verifyArgon2` is on (default: hash-wasm via `verifyBlockHash`). */
  verifier?: HashVerifier;
  /** Difficulty of an empty chain (default 1727); a snapshot's difficulty wins. */
  initialDifficulty?: number;
  /** State to start from (the store passes what it loaded). */
  snapshot?: ChainSnapshot;
  /** Called after every accepted block, e.g. to schedule a write. */
  onChange?: () => void;
}

export interface BlockQuery {
  /** Case-insensitive exact address. */
  account?: string;
  /** Case-insensitive key prefix. */
  prefix?: string;
  /** Newest first, at most this many (default 100). */
  limit?: number;
}

export const DEFAULT_BLOCK_LIMIT = 100;

const systemClock: Clock = { now: () => Date.now() };

export class ChainState {
  readonly marker: string;
  readonly enforceXuniWindow: boolean;
  readonly verifyArgon2: boolean;
  private readonly clock: Clock;
  private readonly verifier: HashVerifier;
  private readonly onChange: (() => void) | undefined;
  private readonly blocks: ChainBlock[] = [];
  private readonly byKey = new Map<string, ChainBlock>();
  private readonly balances = new Map<string, number>();
  private readonly typeCounts: Record<ChainBlockType, number> = { normal: 0, super: 0, xuni: 0 };
  private currentDifficulty: number;
  private nextBlockId = 1;

  constructor(options: ChainOptions = {}) {
    this.marker = options.marker ?? DEFAULT_BLOCK_MARKER;
    if (this.marker.length === 0) throw new RangeError("marker must not be empty");
    this.enforceXuniWindow = options.enforceXuniWindow ?? false;
    this.verifyArgon2 = options.verifyArgon2 ?? false;
    this.clock = options.clock ?? systemClock;
    this.verifier = options.verifier ?? ((hash, key, account) => verifyBlockHash(hash, key, account));
    this.onChange = options.onChange;
    this.currentDifficulty = options.initialDifficulty ?? INITIAL_DIFFICULTY;
    if (!Number.isSafeInteger(this.currentDifficulty) || this.currentDifficulty < 1) {
      throw new RangeError("initialDifficulty must be a positive integer");
    }
    if (options.snapshot) this.restore(options.snapshot);
  }

  difficulty(): number {
    return this.currentDifficulty;
  }

  /**
   * `POST /verify`: checks the body (api.md's messages), then duplicates, the xuni window and, when on,
   * Argon2id, in that order so the expensive check runs last. Never throws on bad input.
   */
  async submit(body: unknown): Promise<SubmitResult> {
    const parsed = parseVerifyRequest(body);
    if (!parsed.ok) return { status: 400, message: parsed.message };
    const request = parsed.value;
    const blockType = classifySubmittedHash(request.hash_to_verify, this.marker);
    if (blockType === "none") {
      return { status: 400, message: `Hash does not contain valid block marker (${this.marker} or XUNI)` };
    }
    if (this.byKey.has(request.key.toLowerCase())) return duplicate();
    const now = this.clock.now();
    if (blockType === "xuni" && this.enforceXuniWindow && !isInXuniWindow(now)) {
      return { status: 400, message: "XUNI block outside of time window" };
    }
    if (this.verifyArgon2 && !(await this.verified(request.hash_to_verify, request.key, request.account))) {
      return { status: 400, message: "Hash verification failed" };
    }
    // The same key may have been accepted while this one was being verified.
    if (this.byKey.has(request.key.toLowerCase())) return duplicate();
    const block: ChainBlock = {
      block_id: this.nextBlockId,
      account: request.account.toLowerCase(),
      key: request.key,
      hash_to_verify: request.hash_to_verify,
      block_type: blockType,
      attempts: request.attempts,
      hashes_per_second: request.hashes_per_second,
      worker: request.worker,
      timestamp: now / 1000,
    };
    this.append(block);
    this.nextBlockId = block.block_id + 1;
    this.currentDifficulty = difficultyAfterAccepting(this.currentDifficulty, this.blocks.length);
    this.onChange?.();
    return { status: 200, block };
  }

  /** Newest first; `account` and `prefix` combine with AND. */
  listBlocks(query: BlockQuery = {}): ChainBlock[] {
    const limit = query.limit ?? DEFAULT_BLOCK_LIMIT;
    const account = query.account?.toLowerCase();
    const prefix = query.prefix?.toLowerCase();
    const out: ChainBlock[] = [];
    for (let i = this.blocks.length - 1; i >= 0 && out.length < limit; i--) {
      const block = this.blocks[i]!;
      if (account !== undefined && block.account !== account) continue;
      if (prefix !== undefined && !block.key.toLowerCase().startsWith(prefix)) continue;
      out.push(block);
    }
    return out;
  }

  /** XNM earned by an address (any case); 0 when it has no block. */
  balance(address: string): number {
    return this.balances.get(address.toLowerCase()) ?? 0;
  }

  /** The block holding a key (any case), if any. */
  findBlock(key: string): ChainBlock | undefined {
    return this.byKey.get(key.toLowerCase());
  }

  stats(): ChainStats {
    return {
      total_blocks: this.blocks.length,
      normal_blocks: this.typeCounts.normal,
      super_blocks: this.typeCounts.super,
      xuni_blocks: this.typeCounts.xuni,
      difficulty: this.currentDifficulty,
      unique_miners: this.balances.size,
      next_block_id: this.nextBlockId,
    };
  }

  /** A copy safe to serialize later: blocks are never mutated once accepted. */
  snapshot(): ChainSnapshot {
    return {
      version: 1,
      difficulty: this.currentDifficulty,
      nextBlockId: this.nextBlockId,
      blocks: [...this.blocks],
    };
  }

  private async verified(hash: string, key: string, account: string): Promise<boolean> {
    try {
      return await this.verifier(hash, key, account);
    } catch {
      // A verifier that breaks must not take the request (or the process) down with it.
      return false;
    }
  }

  private append(block: ChainBlock): void {
    this.blocks.push(block);
    this.byKey.set(block.key.toLowerCase(), block);
    this.typeCounts[block.block_type]++;
    this.balances.set(block.account, this.balance(block.account) + BLOCK_REWARD_XNM[block.block_type]);
  }

  private restore(snapshot: ChainSnapshot): void {
    for (const block of snapshot.blocks) this.append(block);
    this.currentDifficulty = snapshot.difficulty;
    this.nextBlockId = snapshot.nextBlockId;
  }
}

function duplicate(): SubmitResult {
  return { status: 409, message: "Key already exists" };
}

/** core's `Chain` port over this state: the platform's embedded `simulator` chain adapter. */
export function chainPort(chain: ChainState): ChainPort {
  return {
    name: "simulator",
    async lookup(key) {
      const block = chain.findBlock(key);
      return block ? { found: true, account: block.account, blockId: block.block_id } : { found: false };
    },
  };
}
