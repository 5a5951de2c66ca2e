/**
 * One REST route (api.md §4) as a value: method, path, who may call it, its query and body schemas,
 * and how it runs. The handler matches and validates with these; the OpenAPI document is generated
 * from the same values, so the two cannot drift.
 */
import type { Actor, ErrorCode } from "@xenblocks/core";
import type { z } from "zod";
import type { AppRouter } from "../trpc/router.js";
import type { Context } from "../trpc/trpc.js";
import { RestError } from "./errors.js";

/** Enforced before the route runs: `user` needs a key or a JWT (401), `admin` an admin (403). */
export type RestAuth = "public" | "user" | "admin";

export type Caller = ReturnType<AppRouter["createCaller"]>;

export interface RestCall<Q, B> {
  ctx: Context;
  /** The tRPC procedures, called as this request's caller. */
  api: Caller;
  /** A path parameter (`{id}`), decoded; 1..128 characters (checked before the route runs). */
  param(name: string): string;
  query: Q;
  body: B;
  /** The caller, or a 401 when there is none. */
  actor(): Actor;
}

/** A response other than 200 JSON (a redirect, a 410…). */
export class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {}
}

/**
 * A 200 body already serialized, written as it is: exactly the text `JSON.stringify` gives for the
 * value it stands for (routes use it for answers they keep, so a cached answer is serialized once).
 */
export class JsonText {
  constructor(readonly text: string) {}
}

/** How a route answers an app code when it differs from the default table (errors.ts). */
export type Refusals = Partial<Record<ErrorCode, { status: number; detail?: string }>>;

export interface RouteSpec<Q extends z.ZodType, B extends z.ZodType> {
  method: "GET" | "POST" | "PUT";
  /** `/api/workers/{id}/pricing`: `{name}` segments are path parameters. */
  path: string;
  auth: RestAuth;
  /** Who may call it beyond `auth`, as §4 says (`owner / admin`), for the document. */
  access?: string;
  tag: string;
  summary: string;
  /** What a 200 holds, in words (the document's response description). */
  returns: string;
  query?: Q;
  body?: B;
  /** Statuses besides 200 this route answers, for the document. */
  errors?: readonly number[];
  /** The route answers only this status (a removed route): the document lists no 200 for it. */
  only?: number;
  /** §4 lists 400 for this route: a rule refusal (`VALIDATION` from a service) is 400, bad input 422. */
  rules400?: boolean;
  refusals?: Refusals;
  run(call: RestCall<z.output<Q>, z.output<B>>): Promise<unknown>;
}

/** A route with its schema types erased, as the table holds it. */
export type RestRoute = RouteSpec<z.ZodType, z.ZodType>;

export function route<Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType>(
  spec: RouteSpec<Q, B>,
): RestRoute {
  return spec as unknown as RestRoute;
}

/** The caller's actor, or the 401 every `user` route gives without one. */
export function requireActor(ctx: Context): Actor {
  if (!ctx.actor) {
    throw new RestError(401, "UNAUTHORIZED", "Not authenticated: send X-API-Key or a Bearer token");
  }
  return ctx.actor;
}
