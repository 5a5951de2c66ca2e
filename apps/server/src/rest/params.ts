/**
 * Input pieces of the REST routes (api.md §4): query strings arrive as text and are coerced; money
 * may come as a decimal string or (earlier scripts) a JSON number; unknown keys are ignored, as the
 * earlier platform ignored them.
 */
import { formatMoney, parseMoney, type Units } from "@xenblocks/core";
import { z } from "zod";

/** An integer query parameter. */
export const int = () => z.coerce.number().int();
/** A number query parameter. */
export const num = () => z.coerce.number();

const TRUE_WORDS = new Set(["true", "1", "yes", "on"]);
const FALSE_WORDS = new Set(["false", "0", "no", "off"]);

/**
 * A boolean: in a query string `true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off` in any case (Python's
 * `requests` sends `True`/`False`, as the earlier FastAPI platform accepted); a JSON boolean in a body.
 */
export const flag = () =>
  z.preprocess((v) => {
    if (typeof v !== "string") return v;
    const word = v.toLowerCase();
    return TRUE_WORDS.has(word) ? true : FALSE_WORDS.has(word) ? false : v;
  }, z.boolean());

/** An amount of XNM: a decimal string (`"1.5"`) or a JSON number, at most 6 fraction digits. */
export const money = () =>
  z.union([z.string(), z.number()]).transform((v, ctx): Units => {
    try {
      return parseMoney(v, { allowNumber: true });
    } catch (e) {
      ctx.addIssue({ code: "custom", message: e instanceof Error ? e.message : "not an amount" });
      return z.NEVER;
    }
  });

export const address = () =>
  z.string().regex(/^0x[0-9a-fA-F]{40}$/, "an address is 0x followed by 40 hex digits");

/** Offset pages: `limit 1..200 (50)`, `offset ≥ 0`. */
export const offsetPage = {
  limit: int().min(1).max(200).default(50).describe("rows per page (1..200)"),
  offset: int().min(0).default(0).describe("rows to skip"),
};

/** Page style: `page ≥ 1`, `limit 1..max (dflt)`. */
export const numbered = (max: number, dflt: number) => ({
  page: int().min(1).default(1).describe("page number, from 1"),
  limit: int().min(1).max(max).default(dflt).describe(`rows per page (1..${max})`),
});

export const leaseState = z.enum(["pending", "active", "completed", "cancelled", "interrupted"]);

/** Units as the decimal string the procedures take. */
export const asText = (units: Units): string => formatMoney(units);

/** `{items, total, limit, offset}`. */
export const offsetPageOf = <T>(items: T[], total: number, limit: number, offset: number) => ({
  items,
  total,
  limit,
  offset,
});

/** `{items, total, page, limit, total_pages}`. */
export const numberedPageOf = <T>(items: T[], total: number, page: number, limit: number) => ({
  items,
  total,
  page,
  limit,
  total_pages: Math.max(1, Math.ceil(total / limit)),
});

/** `JSON.stringify(numberedPageOf(items, …))` for items given as their JSON texts. */
export function numberedPageJson(
  itemsJson: readonly string[],
  total: number,
  page: number,
  limit: number,
): string {
  const shell = JSON.stringify(numberedPageOf([], total, page, limit));
  // `items` is the first key: `{"items":[],…`.
  const empty = '{"items":[]';
  if (!shell.startsWith(empty)) throw new Error("numberedPageOf no longer starts with items");
  return `{"items":[${itemsJson.join(",")}]${shell.slice(empty.length)}`;
}
