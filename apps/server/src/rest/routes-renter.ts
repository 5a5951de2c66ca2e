/** REST §4: the renter's figures and leases. */
import type { Actor, LeaseState } from "@xenblocks/core";
import { z } from "zod";
import { leaseView } from "../trpc/serialize.js";
import type { Context } from "../trpc/trpc.js";
import { leaseState, offsetPage, offsetPageOf } from "./params.js";
import { type Caller, type RestRoute, route } from "./route.js";
import { leaseRow } from "./rows.js";

/**
 * How many leases the caller rented (in a state): final ones from the settlement counts, open ones
 * (few: at most one per worker) by reading them.
 */
async function renterLeaseCount(ctx: Context, api: Caller, actor: Actor, state?: LeaseState) {
  const stats = await api.rental.renterStats();
  const final = stats.completedLeases + stats.interruptedLeases + stats.cancelledLeases;
  if (state === undefined) return stats.activeLeases + final;
  if (state === "completed") return stats.completedLeases;
  if (state === "interrupted") return stats.interruptedLeases;
  if (state === "cancelled") return stats.cancelledLeases;
  let count = 0;
  let cursor: string | null = null;
  do {
    const page = await ctx.platform.queries.market.leases(actor, {
      as: "renter",
      state,
      limit: 500,
      ...(cursor !== null && { cursor }),
    });
    if (!page.ok) throw page.error;
    count += page.value.items.length;
    cursor = page.value.nextCursor;
  } while (cursor !== null);
  return count;
}

export const renterRoutes: RestRoute[] = [
  route({
    method: "GET",
    path: "/api/renter/stats",
    auth: "user",
    tag: "renter",
    summary: "The caller's renting figures",
    returns: "{active_leases, completed_leases, total_leases, total_spent, avg_cost}",
    async run({ api }) {
      const s = await api.rental.renterStats();
      return {
        active_leases: s.activeLeases,
        completed_leases: s.completedLeases,
        total_leases: s.activeLeases + s.completedLeases + s.interruptedLeases + s.cancelledLeases,
        total_spent: s.totalSpent,
        avg_cost: s.avgCostPerLease,
      };
    },
  }),
  route({
    method: "GET",
    path: "/api/renter/leases",
    auth: "user",
    tag: "renter",
    summary: "The caller's leases as renter, newest first",
    returns: "offset page of LeaseRow + price_per_sec, mining_address",
    query: z.object({ state: leaseState.optional(), ...offsetPage }),
    async run({ ctx, api, actor, query }) {
      const me = actor();
      const [page, total] = await Promise.all([
        ctx.platform.queries.market.leases(me, {
          as: "renter",
          limit: query.limit,
          offset: query.offset,
          ...(query.state !== undefined && { state: query.state }),
        }),
        renterLeaseCount(ctx, api, me, query.state),
      ]);
      if (!page.ok) throw page.error;
      const now = ctx.platform.clock.now();
      const rows = page.value.items.map((l) => {
        const row = leaseRow(leaseView(l, true), now);
        return { ...row, price_per_sec: row.price_per_sec, mining_address: row.consumer_address };
      });
      return offsetPageOf(rows, total, query.limit, query.offset);
    },
  }),
];
