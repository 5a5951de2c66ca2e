/** REST §4: the marketplace (listings in the earlier row shape) and price estimates. */
import { formatMoney, pricePerMin, round2 } from "@xenblocks/core";
import { z } from "zod";
import { listInput, listingRecords } from "../trpc/routers/marketplace.js";
import { marketRowJson } from "./loaders.js";
import { flag, int, money, num, numbered, numberedPageJson } from "./params.js";
import { JsonText, type RestRoute, route } from "./route.js";

const MARKET_SORT = ["price", "hashrate", "gpus", "memory", "reputation", "value"] as const;

export const marketRoutes: RestRoute[] = [
  route({
    method: "GET",
    path: "/api/marketplace",
    auth: "public",
    tag: "marketplace",
    summary: "Listed workers with filters, best value first by default",
    returns: "page style of WorkerRow + gpu_name, uptime_pct, blocks_mined",
    query: z.object({
      ...numbered(100, 18),
      sort_by: z.enum(MARKET_SORT).default("value"),
      gpu_type: z.string().max(64).optional().describe("GPU model substring"),
      min_hashrate: num().nonnegative().optional(),
      max_price: money().optional().describe("highest price per minute (XNM)"),
      min_gpus: int().nonnegative().optional(),
      available_only: flag().default(true),
      search: z.string().max(64).optional(),
    }),
    run({ ctx, query }) {
      const input = listInput.parse({
        page: query.page,
        limit: query.limit,
        sortBy: query.sort_by,
        availableOnly: query.available_only,
        ...(query.gpu_type !== undefined && { gpu: query.gpu_type }),
        ...(query.min_hashrate !== undefined && { minHashrate: query.min_hashrate }),
        // A worker's per-minute price is price_per_sec × 60 (platform-rules §3), so it is at most
        // max_price exactly when price_per_sec ≤ floor(max_price / 60); rounding up would admit
        // workers whose shown price_per_min is above the maximum.
        ...(query.max_price !== undefined && { maxPricePerSec: formatMoney(query.max_price / 60n) }),
        ...(query.min_gpus !== undefined && { minGpus: query.min_gpus }),
        ...(query.search !== undefined && { search: query.search }),
      });
      // The rows come from the page's own records (no second read per worker), behind the same
      // short-lived view cache as marketplace.list. The answer is kept serialized: a cache hit writes
      // the same text again, and each row's JSON is made from the parts of its record that do not
      // depend on the time (marketRowJson), so the text is what JSON.stringify of the page would be.
      return ctx.views.get(`GET /api/marketplace ${JSON.stringify(input)}`, async () => {
        const list = await listingRecords(ctx, input);
        const now = ctx.platform.clock.now();
        return new JsonText(
          numberedPageJson(
            list.items.map((w) => marketRowJson(ctx, w, now)),
            list.total,
            input.page,
            input.limit,
          ),
        );
      });
    },
  }),
  route({
    method: "GET",
    path: "/api/marketplace/estimate",
    auth: "public",
    tag: "marketplace",
    summary: "What renting now would pick and cost, without renting",
    returns:
      "{worker_id, duration_sec, price_per_min, total_cost, provider_payout, platform_fee, hashrate, min_duration_sec, max_duration_sec, warning?}",
    errors: [400, 404],
    query: z.object({
      duration_sec: int().min(1),
      worker_id: z.string().min(1).max(128).optional(),
      min_hashrate: num().nonnegative().optional(),
    }),
    rules400: true,
    async run({ ctx, api, query }) {
      const e = await api.marketplace.estimate({
        durationSec: query.duration_sec,
        ...(query.worker_id !== undefined && { workerId: query.worker_id }),
        ...(query.min_hashrate !== undefined && { minHashrate: query.min_hashrate }),
      });
      const found = await ctx.platform.queries.fleet.worker(e.workerId, null);
      if (!found.ok) throw found.error;
      const w = found.value.worker;
      return {
        worker_id: e.workerId,
        duration_sec: e.durationSec,
        price_per_min: formatMoney(pricePerMin(w.pricePerSec)),
        total_cost: e.total,
        provider_payout: e.providerAmount,
        platform_fee: e.fee,
        hashrate: round2(w.hashrate),
        min_duration_sec: w.minDurationSec,
        max_duration_sec: w.maxDurationSec,
        ...(w.hashrate === 0 && { warning: "the worker reports no hashrate yet" }),
      };
    },
  }),
];
