/**
 * REST errors (api.md §4): `{"detail": <message>, "code": <appCode>}` with the status of the app
 * code. Refusals arrive as TRPCErrors (from the procedures, with the DomainError as cause), as
 * DomainErrors (from services called directly) or as ZodErrors (input); anything else is ours: 500.
 */
import { TRPCError } from "@trpc/server";
import { DomainError, type ErrorCode } from "@xenblocks/core";
import { ZodError } from "zod";

/** A refusal decided by the REST layer itself (auth, bad input, a removed route). */
export class RestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The status of each app code; `VALIDATION` is 422 unless the route says §4 answers 400. */
export const STATUS_OF: Record<ErrorCode, number> = {
  VALIDATION: 422,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  NO_WORKER_AVAILABLE: 404,
  WORKER_NOT_AVAILABLE: 409,
  DURATION_OUT_OF_RANGE: 400,
  PRICE_ABOVE_MAX: 400,
  INSUFFICIENT_BALANCE: 402,
  SELF_RENTAL: 400,
  LEASE_NOT_ACTIVE: 409,
  WORKER_OFFLINE: 409,
  WORKER_BUSY: 409,
  CONFIRMATION_REQUIRED: 400,
  FAUCET_DISABLED: 409,
  FAUCET_LIMIT: 429,
  RATE_LIMITED: 429,
};

/** Messages the earlier platform gave, which scripts may match on. */
const DETAIL_OF: Partial<Record<ErrorCode, string>> = {
  NO_WORKER_AVAILABLE: "No available workers",
};

/** Status of tRPC codes that carry no app code (the server starting, a rate limit…). */
const TRPC_STATUS: Record<string, [number, string]> = {
  UNAUTHORIZED: [401, "UNAUTHORIZED"],
  FORBIDDEN: [403, "FORBIDDEN"],
  NOT_FOUND: [404, "NOT_FOUND"],
  BAD_REQUEST: [422, "VALIDATION"],
  PARSE_ERROR: [422, "VALIDATION"],
  TOO_MANY_REQUESTS: [429, "RATE_LIMITED"],
  CONFLICT: [409, "CONFLICT"],
  PRECONDITION_FAILED: [400, "CONFIRMATION_REQUIRED"],
  SERVICE_UNAVAILABLE: [503, "UNAVAILABLE"],
};

export interface RestFailure {
  status: number;
  body: { detail: string; code: string };
}

export interface ErrorPolicy {
  rules400?: boolean | undefined;
  refusals?: Partial<Record<ErrorCode, { status: number; detail?: string }>> | undefined;
}

/** "field: message; field: message" from a zod error. */
export function zodDetail(error: ZodError): string {
  return error.issues
    .map((i) => (i.path.length > 0 ? `${i.path.join(".")}: ${i.message}` : i.message))
    .join("; ");
}

function domainFailure(error: DomainError, policy: ErrorPolicy): RestFailure {
  const override = policy.refusals?.[error.code];
  const status =
    override?.status ?? (error.code === "VALIDATION" && policy.rules400 ? 400 : STATUS_OF[error.code]);
  const detail = override?.detail ?? DETAIL_OF[error.code] ?? error.message;
  return { status, body: { detail, code: error.code } };
}

/** The REST answer for a thrown error, or null when it is a fault of ours (→ 500, logged). */
export function toRestFailure(e: unknown, policy: ErrorPolicy = {}): RestFailure | null {
  if (e instanceof RestError) return { status: e.status, body: { detail: e.message, code: e.code } };
  if (e instanceof DomainError) return domainFailure(e, policy);
  if (e instanceof ZodError) return { status: 422, body: { detail: zodDetail(e), code: "VALIDATION" } };
  if (e instanceof TRPCError) {
    if (e.cause instanceof DomainError) return domainFailure(e.cause, policy);
    if (e.cause instanceof ZodError) {
      return { status: 422, body: { detail: zodDetail(e.cause), code: "VALIDATION" } };
    }
    const known = TRPC_STATUS[e.code];
    if (known) return { status: known[0], body: { detail: e.message, code: known[1] } };
  }
  return null;
}

export const INTERNAL_FAILURE: RestFailure = {
  status: 500,
  body: { detail: "Internal error", code: "INTERNAL" },
};
