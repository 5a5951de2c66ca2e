/**
 * The tRPC setup shared by every router: the request context (who is asking), the error shape
 * (tRPC code plus `data.appCode`, api.md §1) and the procedure kinds by auth level.
 */

import { initTRPC, TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import { type Actor, DomainError, type ErrorCode, type Platform, type Storage } from "@xenblocks/core";
import { ZodError } from "zod";
import type { LiveHub } from "../live/hub.js";
import type { ViewCache } from "./view-cache.js";

/** The signed-in session behind a JWT (absent for API keys): what `auth.logout` revokes. */
export interface Session {
  tokenId: string;
  /** Epoch ms. */
  expiresAt: number;
}

/** Sign-in with Ethereum and sessions, as the `auth` router needs them (apps/server/src/auth). */
export interface AuthApi {
  /** A fresh server nonce and the EIP-4361 message to sign for it. */
  issueNonce(input: { address: string; chainId: number }): Promise<{
    nonce: string;
    message: string;
    expiresAt: number;
  }>;
  /** Checks every field of the message and the signature; consumes the nonce; issues a JWT. */
  verify(input: { message: string; signature: string }): Promise<{
    token: string;
    expiresAt: number;
    address: string;
  }>;
  /** REST sign-in (`POST /api/auth/verify`): the signature of the message issued with this nonce. */
  verifyByNonce(input: { address: string; nonce: string; signature: string }): Promise<{
    token: string;
    expiresAt: number;
    address: string;
  }>;
  /** Revokes the token id until the token would have expired. */
  logout(session: Session): Promise<void>;
}

/** What the server knows about itself, for `admin.status`, `overview.network` and REST `/api/status`. */
export interface ServerInfo {
  version: string;
  /** Epoch ms. */
  startedAt: number;
  mqttPort: number | null;
  httpPort: () => number;
  /** Client ids of the MQTT connections (workers) the platform sees now. */
  mqttClients(): string[];
  chain: {
    adapter: "embedded" | "http" | "none";
    stats(): Promise<{ difficulty: number; totalBlocks: number } | null>;
  };
}

export interface Context {
  platform: Platform;
  storage: Storage;
  /** The caller, when signed in (JWT) or holding an API key; null for the public. */
  actor: Actor | null;
  /** Set when the caller came with a JWT (not with an API key). */
  session: Session | null;
  auth: AuthApi;
  /** The caller's address as seen by the server (rate limits key on it before sign-in). */
  clientIp: string;
  info: ServerInfo;
  /** Live events (api.md §3). */
  live: LiveHub;
  /** Public views shared for a second by everyone asking the same thing. */
  views: ViewCache;
  /** Per-IP sign-in and per-account mutation budgets (platform-rules §10). */
  limits: { signIn: Limiter; mutations: Limiter };
  /**
   * Set when there is a caller: whether its credential still holds (not signed out, expired or revoked
   * since the context was made). A running `live.leases` asks every `credentialRecheckMs`.
   */
  credentialHolds?: () => Promise<boolean>;
  /** Default 30 s. */
  credentialRecheckMs?: number;
  /** Long-lived (WebSocket) contexts: every user-level call asks `credentialHolds` first. */
  recheckEachCall?: boolean;
}

/** A rate limiter: `take` spends one unit of the key's budget, false when none is left. */
export interface Limiter {
  take(key: string): boolean;
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
};

/** A domain refusal as the tRPC error the client sees. */
export function toTRPCError(error: DomainError): TRPCError {
  return new TRPCError({ code: TRPC_CODE[error.code], message: error.message, cause: error });
}

/** tRPC codes that are not refusals (the server's state, not the request's): no app code. */
const NOT_REFUSALS = new Set([
  "INTERNAL_SERVER_ERROR",
  "SERVICE_UNAVAILABLE",
  "TIMEOUT",
  "CLIENT_CLOSED_REQUEST",
]);

function appCodeOf(error: TRPCError): ErrorCode | null {
  if (!(error.cause instanceof DomainError) && NOT_REFUSALS.has(error.code)) return null;
  if (error.cause instanceof DomainError) return error.cause.code;
  if (error.cause instanceof ZodError || error.code === "BAD_REQUEST" || error.code === "PARSE_ERROR") {
    return "VALIDATION";
  }
  if (error.code === "UNAUTHORIZED") return "UNAUTHORIZED";
  if (error.code === "FORBIDDEN") return "FORBIDDEN";
  if (error.code === "NOT_FOUND") return "NOT_FOUND";
  if (error.code === "TOO_MANY_REQUESTS") return "RATE_LIMITED";
  // The rest are requests the transport cannot take (wrong method, media type, size): the caller's to fix.
  return "VALIDATION";
}

const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error }) {
    const internal = error.code === "INTERNAL_SERVER_ERROR";
    const appCode = appCodeOf(error);
    return {
      ...shape,
      // An internal error says nothing about its cause to the caller.
      message: internal ? "Internal error" : shape.message,
      data: { ...shape.data, stack: undefined, ...(appCode !== null && { appCode }) },
    };
  },
});

export const router = t.router;
export const publicProcedure = t.procedure;

/**
 * Sign-in steps: public, limited per client IP — 10 nonces and 10 verifies a minute (platform-rules
 * §10), one budget per step so that ten wallets can sign in from one address in a minute.
 */
export const signInProcedure = t.procedure.use(({ ctx, path, next }) => {
  if (!ctx.limits.signIn.take(signInKey(ctx.clientIp, path))) {
    throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: "too many sign-in attempts; wait a minute" });
  }
  return next();
});

/** The rate-limit key of a sign-in step (`auth.nonce` or `auth.verify`, REST and tRPC alike). */
export const signInKey = (clientIp: string, step: string): string =>
  `${clientIp}|${step.endsWith("verify") ? "verify" : "nonce"}`;

/** **user**: a signed-in wallet or an API key (api.md §1); mutations limited per account. */
export const userProcedure = t.procedure.use(async ({ ctx, type, next }) => {
  if (!ctx.actor) throw new TRPCError({ code: "UNAUTHORIZED", message: "sign in or send an API key" });
  if (ctx.recheckEachCall && ctx.credentialHolds && !(await ctx.credentialHolds())) {
    throw new TRPCError({
      code: "UNAUTHORIZED",
      message: "the token or API key was signed out, expired or revoked",
    });
  }
  if (type === "mutation" && !ctx.limits.mutations.take(ctx.actor.address)) {
    throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: "too many changes in a minute; slow down" });
  }
  return next({ ctx: { ...ctx, actor: ctx.actor } });
});

/** **signed-in**: a JWT only, not an API key (api.md §1). */
export const signedInProcedure = userProcedure.use(({ ctx, next }) => {
  if (!ctx.session)
    throw new TRPCError({ code: "UNAUTHORIZED", message: "sign in with a wallet (API keys cannot do this)" });
  return next({ ctx: { ...ctx, session: ctx.session } });
});

/** **admin**: a caller whose address is in the configured admin list (checked on every call). */
export const adminProcedure = userProcedure.use(({ ctx, next }) => {
  if (!ctx.platform.accounts.isAdmin(ctx.actor.address)) {
    throw new TRPCError({ code: "FORBIDDEN", message: "admins only" });
  }
  return next();
});
