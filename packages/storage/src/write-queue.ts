/**
 * One writer at a time inside this process. SQLite allows a single writer; serializing writes in
 * JavaScript means a write never waits on the database lock while holding the event loop, and a
 * transaction's own writes (in the same async context) run inline instead of queueing behind it.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Repos } from "@xenblocks/core";

export class WriteQueue {
  /** Inside a queued operation: the transaction's repositories, or null for a single write. */
  private readonly scope = new AsyncLocalStorage<{ tx: Repos | null }>();
  private tail: Promise<unknown> = Promise.resolve();

  get inside(): boolean {
    return this.scope.getStore() !== undefined;
  }

  /** The repositories of the transaction this async context runs in, if any. */
  get transaction(): Repos | null {
    return this.scope.getStore()?.tx ?? null;
  }

  /** Runs `body` after every earlier queued operation; nested calls run inline. */
  run<T>(body: () => Promise<T>): Promise<T> {
    if (this.inside) return body();
    const result = this.tail.then(() => this.scope.run({ tx: null }, body));
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Marks the rest of `body` as running inside the transaction whose repositories are `tx`. */
  within<T>(tx: Repos, body: () => Promise<T>): Promise<T> {
    return this.scope.run({ tx }, body);
  }
}

/** The methods of each repository that write. Everything else only reads. */
export const WRITE_METHODS: { [R in keyof Repos]: (keyof Repos[R])[] } = {
  accounts: ["ensure"],
  apiKeys: ["insert", "update"],
  workers: ["insert", "update", "addCounters", "updateLive"],
  leases: ["insert", "update", "updateLive", "addBlockCounts"],
  blocks: ["insert", "update"],
  ledger: ["post"],
  settlements: ["insert"],
  withdrawals: ["insert", "update"],
  health: ["append"],
  audit: ["append"],
  monitoring: ["insertSnapshots", "rollupHour", "rollupDay", "prune"],
  idempotency: ["insert", "prune"],
};

/**
 * Routes repository calls through the queue: the write methods, or every method when the database
 * has a single connection (libSQL) that a transaction would otherwise hold.
 */
export function queued(repos: Repos, queue: WriteQueue, everything = false): Repos {
  const out: Record<string, unknown> = {};
  for (const [name, repo] of Object.entries(repos) as [keyof Repos, Record<string, unknown>][]) {
    const writes = new Set<string>(WRITE_METHODS[name] as string[]);
    const wrapped: Record<string, unknown> = {};
    for (const [method, fn] of Object.entries(repo)) {
      const call = fn as (...args: unknown[]) => Promise<unknown>;
      wrapped[method] = (...args: unknown[]) => {
        // A call made from inside a transaction belongs to it: run it on the transaction's connection.
        const tx = queue.transaction as unknown as Record<string, Record<string, typeof call>> | null;
        if (tx) return tx[name]![method]!(...args);
        return everything || writes.has(method) ? queue.run(() => call(...args)) : call(...args);
      };
    }
    out[name] = wrapped;
  }
  return out as unknown as Repos;
}

/**
 * Sends every repository call made inside a running transaction (in the same async context) to
 * that transaction's repositories: a plain `storage.workers.update` from a transaction body then
 * runs on the transaction's connection instead of waiting for the rows it holds.
 */
export function routed(repos: Repos, current: () => Repos | null | undefined): Repos {
  const out: Record<string, unknown> = {};
  for (const [name, repo] of Object.entries(repos) as [keyof Repos, Record<string, unknown>][]) {
    const wrapped: Record<string, unknown> = {};
    for (const [method, fn] of Object.entries(repo)) {
      const call = fn as (...args: unknown[]) => Promise<unknown>;
      wrapped[method] = (...args: unknown[]) => {
        const tx = current() as unknown as Record<string, Record<string, typeof call>> | null | undefined;
        return tx ? tx[name]![method]!(...args) : call(...args);
      };
    }
    out[name] = wrapped;
  }
  return out as unknown as Repos;
}
