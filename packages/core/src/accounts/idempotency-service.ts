/**
 * Idempotency keys (api.md §1): a request carrying a key runs once; a replay with the same input
 * gets the stored answer, the same key with other input is refused. Requests under one key wait
 * for each other in this process, so a quick double-click cannot run the operation twice.
 */
import type { Context } from "../context.js";
import { attempt, DomainError, fail, type Result } from "../errors.js";
import { checkActor } from "../identifiers.js";
import { KeyedMutex } from "../keyed-mutex.js";
import { UniqueViolation } from "../ports.js";
import type { Actor } from "../types.js";

/** How long stored answers are kept (the pruning job forgets older ones). */
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;

export class IdempotencyService {
  private readonly locks = new KeyedMutex();

  constructor(private readonly ctx: Context) {}

  /**
   * Runs `body` once per (actor, key). `request` is the canonical text of the input (without the
   * key); `body` returns the answer already encoded as JSON text, which is what a replay returns.
   * A refusal is not stored: the caller may fix the cause and retry under the same key.
   */
  run(
    actor: Actor,
    key: string | undefined,
    operation: string,
    request: string,
    body: () => Promise<Result<string>>,
  ): Promise<Result<string>> {
    if (key === undefined) return body();
    return attempt(async () => {
      const me = checkActor(actor);
      if (key.length < 1 || key.length > 64) fail("VALIDATION", "idempotencyKey must be 1 to 64 characters");
      return this.locks.run(`${me}\n${key}`, async () => {
        const stored = await this.ctx.storage.idempotency.get(me, key);
        if (stored) return replay(stored, operation, request);
        const result = await body();
        if (!result.ok) throw result.error;
        try {
          await this.ctx.storage.idempotency.insert({
            actor: me,
            key,
            operation,
            requestHash: request,
            response: result.value,
            createdAt: this.ctx.clock.now(),
          });
        } catch (error) {
          // Another instance stored it first: its answer is the one to keep.
          if (!(error instanceof UniqueViolation)) throw error;
          const winner = await this.ctx.storage.idempotency.get(me, key);
          if (winner) return replay(winner, operation, request);
        }
        return result.value;
      });
    });
  }

  /** Forgets answers older than the TTL. */
  prune(): Promise<number> {
    return this.ctx.storage.idempotency.prune(this.ctx.clock.now() - IDEMPOTENCY_TTL_MS);
  }
}

function replay(
  stored: { operation: string; requestHash: string; response: string },
  operation: string,
  request: string,
) {
  if (stored.operation !== operation || stored.requestHash !== request) {
    throw new DomainError("VALIDATION", "this idempotencyKey was used for a different request");
  }
  return stored.response;
}
