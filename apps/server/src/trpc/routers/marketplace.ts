/** `marketplace` (public): listings with filters and facets, one listing, and price estimates. */
import {
  computeReputation,
  feeSplit,
  formatMoney,
  type ListingPage,
  repSummary,
  uptimePct,
  type WorkerRecord,
} from "@xenblocks/core";
import { z } from "zod";
import { listingView, reputationView } from "../serialize.js";
import { type Context, publicProcedure, router } from "../trpc.js";
import { moneyInput, numberedPage, pageOf, units, unwrapResult, workerIdInput } from "./inputs.js";

export const listInput = numberedPage.extend({
  sortBy: z.enum(["value", "price", "hashrate", "gpus", "memory", "reputation"]).default("value"),
  // No default here: each sort has its natural direction (below).
  sortDir: z.enum(["asc", "desc"]).optional(),
  gpu: z.string().max(64).optional(),
  minHashrate: z.number().nonnegative().optional(),
  maxPricePerSec: moneyInput.optional(),
  minGpus: z.number().int().nonnegative().optional(),
  minMemoryGb: z.number().nonnegative().optional(),
  durationSec: z.number().int().positive().optional(),
  availableOnly: z.boolean().default(true),
  search: z.string().max(64).optional(),
});

const estimateInput = z.strictObject({
  durationSec: z.number().int().positive(),
  workerId: workerIdInput.optional(),
  maxPricePerSec: moneyInput.optional(),
  minHashrate: z.number().nonnegative().optional(),
  gpu: z.string().max(64).optional(),
});

export type ListInput = z.infer<typeof listInput>;

/**
 * One page of listed workers with the facets of the same filters, from the in-memory listing index
 * (`platform.queries.listings`): the records themselves, for the views built from them.
 */
export function listingRecords(ctx: Context, input: ListInput): Promise<ListingPage> {
  // Best value and price read cheapest first; the others biggest first.
  const sortDir = input.sortDir ?? (input.sortBy === "value" || input.sortBy === "price" ? "asc" : "desc");
  return ctx.platform.queries.listings.page({
    page: input.page,
    limit: input.limit,
    sortBy: input.sortBy,
    sortDir,
    ...(input.availableOnly && { availableOnly: true }),
    ...(input.gpu !== undefined && input.gpu !== "" && { gpu: input.gpu }),
    ...(input.minHashrate !== undefined && { minHashrate: input.minHashrate }),
    ...(input.maxPricePerSec !== undefined && { maxPricePerSec: units(input.maxPricePerSec) }),
    ...(input.minGpus !== undefined && { minGpus: input.minGpus }),
    ...(input.minMemoryGb !== undefined && { minMemoryGb: input.minMemoryGb }),
    ...(input.durationSec !== undefined && { durationSec: input.durationSec }),
    ...(input.search !== undefined && input.search.trim() !== "" && { search: input.search.trim() }),
  });
}

/** Each listing record's view as first built: its owner's EIP-55 checksum (a keccak), GPU summary, prices. */
const listingViews = new WeakMap<WorkerRecord, ReturnType<typeof listingView>>();

/**
 * `listingView(w, now, available)` for the listing index's records, which are immutable snapshot objects
 * shared by every request: what depends on the record alone is built once per record, and only the
 * parts that depend on the time (reputation, uptime) or on the caller's flag are computed per call.
 */
export function listingViewOf(
  w: WorkerRecord,
  now: number,
  available: boolean,
): ReturnType<typeof listingView> {
  const base = listingViews.get(w);
  if (base === undefined) {
    const view = listingView(w, now, available);
    listingViews.set(w, view);
    return { ...view };
  }
  return {
    ...base,
    available,
    reputation: repSummary(computeReputation(w, now)),
    uptimePct: uptimePct(w, now),
  };
}

/** One page of listings with the facets of the same filters. */
async function listings(ctx: Context, input: ListInput) {
  const { items, total, gpuModels, hasOpenLease } = await listingRecords(ctx, input);
  const queries = ctx.platform.queries.fleet;
  const now = ctx.platform.clock.now();
  const rows = items.map((w) => listingViewOf(w, now, queries.isAvailable(w, hasOpenLease(w.workerId))));
  return { ...pageOf(rows, total, input.page, input.limit), facets: { gpuModels } };
}

export const marketplace = router({
  list: publicProcedure
    .input(listInput.default({ page: 1, limit: 20, sortBy: "value", availableOnly: true }))
    .query(({ ctx, input }) =>
      ctx.views.get(`marketplace.list ${JSON.stringify(input)}`, () => listings(ctx, input)),
    ),

  listing: publicProcedure
    .input(z.strictObject({ workerId: workerIdInput }))
    .query(async ({ ctx, input }) => {
      const found = unwrapResult(await ctx.platform.queries.fleet.worker(input.workerId, null));
      const now = ctx.platform.clock.now();
      const available = ctx.platform.queries.fleet.isAvailable(found.worker, found.openLeaseId !== null);
      const listing = listingView(found.worker, now, available);
      return { ...listing, reputation: reputationView(ctx.platform.queries.fleet.reputation(found.worker)) };
    }),

  estimate: publicProcedure.input(estimateInput).query(async ({ ctx, input }) => {
    const picked = unwrapResult(
      await ctx.platform.rental.estimate(ctx.actor?.address ?? null, {
        durationSec: input.durationSec,
        ...(input.workerId !== undefined && { workerId: input.workerId }),
        ...(input.maxPricePerSec !== undefined && { maxPricePerSec: units(input.maxPricePerSec) }),
        ...(input.minHashrate !== undefined && { minHashrate: input.minHashrate }),
        ...(input.gpu !== undefined && { gpu: input.gpu }),
      }),
    );
    const feeBps = ctx.platform.config.feeBps;
    const split = feeSplit(picked.total, feeBps);
    return {
      workerId: picked.worker.workerId,
      durationSec: picked.durationSec,
      pricePerSec: formatMoney(picked.worker.pricePerSec),
      total: formatMoney(picked.total),
      fee: formatMoney(split.fee),
      providerAmount: formatMoney(split.providerAmount),
      feeBps,
    };
  }),
});
