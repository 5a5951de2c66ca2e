/**
 * Every refusal the domain can give, as a typed value. The codes are the `appCode`s of the API
 * (spec/api.md §1) plus the inbound-message refusals that are counted rather than answered.
 */
export const ERROR_CODES = [
  "VALIDATION",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "NOT_FOUND",
  "NO_WORKER_AVAILABLE",
  "WORKER_NOT_AVAILABLE",
  "DURATION_OUT_OF_RANGE",
  "PRICE_ABOVE_MAX",
  "INSUFFICIENT_BALANCE",
  "SELF_RENTAL",
  "LEASE_NOT_ACTIVE",
  "WORKER_OFFLINE",
  "WORKER_BUSY",
  "CONFIRMATION_REQUIRED",
  "FAUCET_DISABLED",
  "FAUCET_LIMIT",
  "RATE_LIMITED",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** A refusal with a machine-readable code and a message a person can act on. */
export class DomainError extends Error {
  override readonly name = "DomainError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
  }
}

export type Ok<T> = { readonly ok: true; readonly value: T };
export type Err = { readonly ok: false; readonly error: DomainError };
/** What every public platform operation returns: it never throws for bad input. */
export type Result<T> = Ok<T> | Err;

export const ok = <T>(value: T): Ok<T> => ({ ok: true, value });
export const err = (code: ErrorCode, message: string, details?: Record<string, unknown>): Err => ({
  ok: false,
  error: new DomainError(code, message, details),
});

/** Throws inside a service; `attempt` turns it into a Result at the service boundary. */
export function fail(code: ErrorCode, message: string, details?: Record<string, unknown>): never {
  throw new DomainError(code, message, details);
}

/**
 * Runs a service body and converts a DomainError into `{ok:false}`. Anything else (a storage
 * failure, a bug) is not the caller's fault and propagates unchanged.
 */
export async function attempt<T>(body: () => Promise<T>): Promise<Result<T>> {
  try {
    return ok(await body());
  } catch (e) {
    if (e instanceof DomainError) return { ok: false, error: e };
    throw e;
  }
}

/** Unwraps a Result, throwing its DomainError; for tests and for callers that prefer exceptions. */
export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw result.error;
}
