/**
 * A chain whose state survives restarts (api.md §5: "state is persisted"). Blocks are acknowledged from
 * memory and written in batches: a burst of submissions costs one write, not one per block. Each write
 * goes to a temporary file that is then renamed over the old one, so a crash leaves the previous state
 * or the new one, never half a file. `close()` writes whatever is pending.
 */
import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { type ChainOptions, type ChainSnapshot, ChainState } from "./chain-state.js";
import { parseSnapshot } from "./snapshot.js";

export interface OpenChainOptions extends Omit<ChainOptions, "snapshot"> {
  /** JSON file holding the chain; without it the chain lives in memory only. */
  path?: string;
  /** Longest a change waits before it is written (default 250 ms). */
  flushDelayMs?: number;
  /** A background write failed (the change stays pending for the next write). Default: console.error. */
  onPersistError?: (error: unknown) => void;
}

export interface ChainHandle {
  readonly chain: ChainState;
  /** Writes pending changes now; rejects when the write fails. */
  flush(): Promise<void>;
  /** Writes pending changes and stops scheduling writes. */
  close(): Promise<void>;
}

export const DEFAULT_FLUSH_DELAY_MS = 250;

export async function openChain(options: OpenChainOptions = {}): Promise<ChainHandle> {
  const { path, flushDelayMs = DEFAULT_FLUSH_DELAY_MS, onPersistError, ...chainOptions } = options;
  if (path === undefined) {
    const chain = new ChainState(chainOptions);
    return { chain, flush: async () => {}, close: async () => {} };
  }
  const snapshot = await loadSnapshot(path);
  // The writer reads the chain lazily: it needs the chain, and the chain's onChange needs the writer.
  const writer = new BatchedWriter(path, flushDelayMs, onPersistError ?? defaultPersistError, () =>
    chain.snapshot(),
  );
  const chain: ChainState = new ChainState({
    ...chainOptions,
    ...(snapshot ? { snapshot } : {}),
    onChange: () => {
      writer.schedule();
      chainOptions.onChange?.();
    },
  });
  return { chain, flush: () => writer.flush(), close: () => writer.close() };
}

/** The snapshot in `path`, or null when the file does not exist yet. Throws on an unreadable file. */
export async function loadSnapshot(path: string): Promise<ChainSnapshot | null> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  try {
    return parseSnapshot(JSON.parse(text));
  } catch (error) {
    throw new Error(`chain state file ${path} is not a valid snapshot: ${(error as Error).message}`);
  }
}

/** Replaces `path` atomically: temporary file in the same directory, fsync, rename. */
export async function writeSnapshotAtomic(path: string, snapshot: ChainSnapshot): Promise<void> {
  const text = JSON.stringify(snapshot);
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    const file = await open(temporary, "w");
    try {
      await file.writeFile(text, "utf8");
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

function defaultPersistError(error: unknown): void {
  console.error("chain simulator: could not write its state file:", error);
}

/** Coalesces changes into at most one write per delay; writes never overlap. */
class BatchedWriter {
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;
  private closed = false;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly path: string,
    private readonly delayMs: number,
    private readonly onError: (error: unknown) => void,
    private readonly source: () => ChainSnapshot,
  ) {}

  schedule(): void {
    this.dirty = true;
    if (this.timer !== undefined || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush().catch(this.onError);
    }, this.delayMs);
    // A pending write must not keep a finished process alive; close() is where the last one happens.
    this.timer.unref();
  }

  flush(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    // Chained after the previous write whatever its outcome, so a failed write never blocks later ones.
    const write = this.queue.catch(() => {}).then(() => this.writeIfDirty());
    this.queue = write;
    return write;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private async writeIfDirty(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    try {
      await writeSnapshotAtomic(this.path, this.source());
    } catch (error) {
      // Still pending: the next change, flush or close writes it again (no retry loop on a dead disk).
      this.dirty = true;
      throw error;
    }
  }
}
