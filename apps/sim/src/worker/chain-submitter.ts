/**
 * The worker's chain RPC client (worker-protocol §9): one FIFO of `POST /verify` calls per worker, run
 * after the block was reported over MQTT, with the real worker's retry rules:
 *  - HTTP 200, or a body containing `already exists` → success;
 *  - a body containing `outside of time window` → abandoned;
 *  - an empty body → retried immediately, up to 10 times;
 *  - anything else (other statuses, network errors, timeouts) → retried every 2 s, up to 5 times.
 * And `GET /difficulty`, whose answer counts only as `{"difficulty":"<string>"}` (a JSON number is ignored).
 */

/** The `/verify` body, field for field. */
export interface VerifyRequest {
  readonly hash_to_verify: string;
  readonly key: string;
  readonly account: string;
  /** A string in the worker's request. */
  readonly attempts: string;
  /** Two decimals, as a string. */
  readonly hashes_per_second: string;
  /** The machine id; the worker id here. */
  readonly worker: string;
}

export type VerifyOutcome = "accepted" | "abandoned" | "failed";

export interface VerifyResult<C = undefined> {
  readonly request: VerifyRequest;
  /** What the caller attached to the request in `enqueue`. */
  readonly context: C;
  readonly outcome: VerifyOutcome;
  /** HTTP requests made for this block. */
  readonly attempts: number;
  /** Status of the last response, null when the last attempt got none. */
  readonly lastStatus: number | null;
}

export interface ChainSubmitterOptions<C = undefined> {
  /** Base URL of the chain RPC (`--rpcLink`), e.g. `http://127.0.0.1:8545`. */
  readonly url: string;
  readonly timeoutMs?: number;
  readonly retryDelayMs?: number;
  readonly maxEmptyBodyRetries?: number;
  readonly maxRetries?: number;
  readonly fetch?: typeof fetch;
  readonly onResult?: (result: VerifyResult<C>) => void;
}

type Attempt = { status: number | null; body: string };

export class ChainSubmitter<C = undefined> {
  private readonly queue: { request: VerifyRequest; context: C }[] = [];
  private running: Promise<void> | null = null;
  private closed = false;
  private readonly url: string;
  private readonly timeoutMs: number;
  private readonly retryDelayMs: number;
  private readonly maxEmptyBodyRetries: number;
  private readonly maxRetries: number;
  private readonly fetchFn: typeof fetch;
  private readonly onResult: ((result: VerifyResult<C>) => void) | undefined;

  constructor(options: ChainSubmitterOptions<C>) {
    this.url = options.url.replace(/\/+$/, "");
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.retryDelayMs = options.retryDelayMs ?? 2000;
    this.maxEmptyBodyRetries = options.maxEmptyBodyRetries ?? 10;
    this.maxRetries = options.maxRetries ?? 5;
    this.fetchFn = options.fetch ?? fetch;
    this.onResult = options.onResult;
  }

  /** Blocks waiting or in flight. */
  get pending(): number {
    return this.queue.length + (this.running ? 1 : 0);
  }

  enqueue(request: VerifyRequest, context: C): void {
    if (this.closed) return;
    this.queue.push({ request, context });
    this.running ??= this.drainQueue();
  }

  /** Resolves when the queue is empty. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Stops taking blocks; the one in flight finishes its current attempt and is not retried. */
  close(): void {
    this.closed = true;
    this.queue.length = 0;
  }

  private async drainQueue(): Promise<void> {
    try {
      for (let item = this.queue.shift(); item; item = this.queue.shift()) {
        const result = await this.submit(item.request, item.context);
        try {
          this.onResult?.(result);
        } catch (error) {
          // A throwing listener must not end the queue or surface as an unhandled rejection.
          console.error("chain submitter: a result listener failed:", error);
        }
      }
    } finally {
      this.running = null;
    }
  }

  private async submit(request: VerifyRequest, context: C): Promise<VerifyResult<C>> {
    let attempts = 0;
    let emptyRetries = 0;
    let retries = 0;
    for (;;) {
      attempts++;
      const { status, body } = await this.post(request);
      const done = (outcome: VerifyOutcome): VerifyResult<C> => ({
        request,
        context,
        outcome,
        attempts,
        lastStatus: status,
      });
      if (status === 200 || body.includes("already exists")) return done("accepted");
      if (body.includes("outside of time window")) return done("abandoned");
      if (this.closed) return done("failed");
      if (status !== null && body.length === 0) {
        if (emptyRetries++ >= this.maxEmptyBodyRetries) return done("failed");
        continue;
      }
      if (retries++ >= this.maxRetries) return done("failed");
      await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs));
    }
  }

  private async post(request: VerifyRequest): Promise<Attempt> {
    try {
      const response = await this.fetchFn(`${this.url}/verify`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(request),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      return { status: response.status, body: await response.text() };
    } catch {
      return { status: null, body: "" };
    }
  }
}

/**
 * `GET /difficulty`: the difficulty when the answer is `{"difficulty":"<integer string>"}`, else null
 * (the real worker silently ignores a JSON number, and keeps its current value on any error).
 */
export async function fetchDifficulty(url: string, fetchFn: typeof fetch = fetch): Promise<number | null> {
  try {
    const response = await fetchFn(`${url.replace(/\/+$/, "")}/difficulty`, {
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) return null;
    const body = (await response.json()) as { difficulty?: unknown };
    if (typeof body.difficulty !== "string" || !/^\d+$/.test(body.difficulty)) return null;
    const difficulty = Number(body.difficulty);
    return Number.isSafeInteger(difficulty) && difficulty > 0 ? difficulty : null;
  } catch {
    return null;
  }
}
