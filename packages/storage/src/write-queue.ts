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

/**
 * Routes every repository call through the queue (libSQL has a single connection that a
 * transaction would otherwise hold); a call made inside a transaction runs on that transaction.
 */
export function queued(repos: Repos, queue: WriteQueue): Repos {
  return routed(
    wrapAll(
      repos,
      (call) =>
        (...args) =>
          queue.run(() => call(...args)),
    ),
    () => queue.transaction,
  );
}

/**
 * Sends every repository call made inside a running transaction (in the same async context) to
 * that transaction's repositories: a plain `storage.workers.update` from a transaction body then
 * runs on the transaction's connection instead of waiting for the rows it holds.
 */
export function routed(repos: Repos, current: () => Repos | null | undefined): Repos {
  return wrapAll(repos, (call, name, method) => (...args) => {
    const tx = current() as unknown as Record<string, Record<string, RepoMethod>> | null | undefined;
    return tx ? tx[name]![method]!(...args) : call(...args);
  });
}

type RepoMethod = (...args: unknown[]) => Promise<unknown>;

/** Replaces every method of every repository with `wrap(method)`. */
function wrapAll(repos: Repos, wrap: (call: RepoMethod, name: string, method: string) => RepoMethod): Repos {
  const out: Record<string, Record<string, RepoMethod>> = {};
  for (const [name, repo] of Object.entries(repos) as [string, Record<string, RepoMethod>][]) {
    out[name] = {};
    for (const [method, call] of Object.entries(repo)) out[name][method] = wrap(call, name, method);
  }
  return out as unknown as Repos;
}
