/**
 * Input schemas and small helpers shared by the routers (api.md §1 conventions): page styles,
 * addresses, money as decimal strings, and core results as procedure values.
 */
import { DomainError, parseMoney, type Result } from "@xenblocks/core";
import { z } from "zod";
import { toTRPCError } from "../trpc.js";

/** A core result as the procedure's value, or the refusal as a tRPC error with its app code. */
export function unwrapResult<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw toTRPCError(result.error);
}

/** A decimal amount string (XNM, up to 6 fraction digits) to units; a bad one is a VALIDATION error. */
export function units(text: string): bigint {
  try {
    return parseMoney(text);
  } catch (e) {
    if (e instanceof DomainError) throw toTRPCError(e);
    throw e;
  }
}

export const workerIdInput = z.string().min(1).max(128);
export const leaseIdInput = z.string().min(1).max(128);
/** Any case in, validated `0x` + 40 hex. */
export const addressInput = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, "an address is 0x followed by 40 hex digits");
export const moneyInput = z.string().min(1).max(32);
export const idempotencyKeyInput = z.string().min(1).max(64).optional();
export const sortDirInput = z.enum(["asc", "desc"]).default("desc");

/** Cursor-style page (feeds). */
export const cursorPage = z.strictObject({
  cursor: z.string().max(128).nullish(),
  limit: z.number().int().min(1).max(100).default(20),
  /** Sent by TanStack Query's infinite queries; pages only go forward, so it is accepted and ignored. */
  direction: z.enum(["forward", "backward"]).optional(),
});

/** Page style (numbered tables). */
export const numberedPage = z.strictObject({
  page: z.number().int().min(1).default(1),
  limit: z.number().int().min(1).max(100).default(20),
});

/** `{items, total, page, limit, totalPages}` of a numbered page. */
export function pageOf<T>(items: T[], total: number, page: number, limit: number) {
  return { items, total, page, limit, totalPages: Math.max(1, Math.ceil(total / limit)) };
}

/** The cursor fields of a parsed cursor-page input, without undefined keys. */
export function cursorOf(input: { cursor?: string | null | undefined; limit: number }) {
  return { limit: input.limit, ...(input.cursor != null && { cursor: input.cursor }) };
}
