/**
 * The tRPC setup shared by every router: the request context (who is asking), the error shape
 * (tRPC code plus `data.appCode`, api.md §1) and the procedure kinds by auth level.
 */

import { initTRPC, TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import { type Actor, DomainError, type ErrorCode, type Platform, type Storage } from "@xenblocks/core";
import { ZodError } from "zod";

export interface Context {
  platform: Platform;
  storage: Storage;
  /** The caller, when signed in (JWT, coming) or holding an API key; null for the public. */
  actor: Actor | null;
}

/** The tRPC code for each app code: refusals of the rules are BAD_REQUEST or CONFLICT by nature. */
const TRPC_CODE: Record<ErrorCode, TRPC_ERROR_CODE_KEY> = {
  VALIDATION: "BAD_REQUEST",
  UNAUTHORIZED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  NO_WORKER_AVAILABLE: "CONFLICT",
  WORKER_NOT_AVAILABLE: "CONFLICT",
  DURATION_OUT_OF_RANGE: "BAD_REQUEST",
  PRICE_ABOVE_MAX: "BAD_REQUEST",
  INSUFFICIENT_BALANCE: "BAD_REQUEST",
  SELF_RENTAL: "BAD_REQUEST",
  LEASE_NOT_ACTIVE: "CONFLICT",
  WORKER_OFFLINE: "CONFLICT",
  WORKER_BUSY: "CONFLICT",
  CONFIRMATION_REQUIRED: "PRECONDITION_FAILED",
  FAUCET_DISABLED: "FORBIDDEN",
  FAUCET_LIMIT: "TOO_MANY_REQUESTS",
  RATE_LIMITED: "TOO_MANY_REQUESTS",
  CONFLICT: "CONFLICT",
};

/** A domain refusal as the tRPC error the client sees. */
export function toTRPCError(error: DomainError): TRPCError {
  return new TRPCError({ code: TRPC_CODE[error.code], message: error.message, cause: error });
}

function appCodeOf(error: TRPCError): ErrorCode {
  if (error.cause instanceof DomainError) return error.cause.code;
  if (error.cause instanceof ZodError || error.code === "BAD_REQUEST" || error.code === "PARSE_ERROR") {
    return "VALIDATION";
  }
  if (error.code === "UNAUTHORIZED") return "UNAUTHORIZED";
  if (error.code === "FORBIDDEN") return "FORBIDDEN";
  if (error.code === "NOT_FOUND") return "NOT_FOUND";
  if (error.code === "TOO_MANY_REQUESTS") return "RATE_LIMITED";
  return "CONFLICT";
}

const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error }) {
    const internal = error.code === "INTERNAL_SERVER_ERROR";
    return {
      ...shape,
      // An internal error says nothing about its cause to the caller.
      message: internal ? "Internal error" : shape.message,
      data: { ...shape.data, stack: undefined, ...(internal ? {} : { appCode: appCodeOf(error) }) },
    };
  },
});

export const router = t.router;
export const publicProcedure = t.procedure;

/** **user**: a signed-in wallet or an API key (api.md §1). */
export const userProcedure = t.procedure.use(({ ctx, next }) => {
  if (!ctx.actor) throw new TRPCError({ code: "UNAUTHORIZED", message: "sign in or send an API key" });
  return next({ ctx: { ...ctx, actor: ctx.actor } });
});

/** **admin**: a caller whose address is in the configured admin list (checked on every call). */
export const adminProcedure = userProcedure.use(({ ctx, next }) => {
  if (!ctx.platform.accounts.isAdmin(ctx.actor.address)) {
    throw new TRPCError({ code: "FORBIDDEN", message: "admins only" });
  }
  return next();
});
