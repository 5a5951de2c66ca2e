/** REST §4: renting and stopping, leases, blocks and settlements in the earlier row shapes. */
import { z } from "zod";
import { blockView, leaseView } from "../trpc/serialize.js";
import { leaseBlockRows, settlementRows } from "./loaders.js";
import { address, int, leaseState, offsetPage, offsetPageOf } from "./params.js";
import { type RestRoute, route } from "./route.js";
import { accountId, blockRow, leaseRow, sec, settlementRow } from "./rows.js";

const rentBody = z.object({
  duration_sec: int().min(1).default(3600),
  worker_id: z.string().min(1).max(128).optional(),
  consumer_address: address().optional(),
  consumer_id: z.unknown().optional().describe("ignored: the caller rents"),
  idempotency_key: z.string().min(1).max(64).optional(),
});

const rent = (path: string) =>
  route({
    method: "POST",
    path,
    auth: "user",
    tag: "rental",
    summary: "Rent a worker (the best value, or the one named); the caller pays the escrow",
    returns:
      '{lease_id, worker_id, prefix, duration_sec, consumer_id, consumer_address, price_per_sec, escrow, state:"pending", created_at}',
    errors: [400, 401, 402, 404, 409, 422],
    body: rentBody,
    rules400: true,
    async run({ api, body }) {
      const l = await api.rental.rent({
        durationSec: body.duration_sec,
        ...(body.worker_id !== undefined && { workerId: body.worker_id }),
        ...(body.consumer_address !== undefined && { consumerAddress: body.consumer_address }),
        ...(body.idempotency_key !== undefined && { idempotencyKey: body.idempotency_key }),
      });
      return {
        lease_id: l.leaseId,
        worker_id: l.workerId,
        prefix: l.prefix,
        duration_sec: l.durationSec,
        consumer_id: accountId(l.renter),
        consumer_address: l.consumerAddress,
        price_per_sec: l.pricePerSec,
        escrow: l.escrow,
        state: l.state,
        created_at: sec(l.createdAt),
      };
    },
  });

const GONE = { status: 404, detail: "Lease not found or not active" };

const stop = (path: string) =>
  route({
    method: "POST",
    path,
    auth: "user",
    access: "renter / admin",
    tag: "rental",
    summary: "Stop a lease and settle it at once",
    returns:
      '{lease_id, state ("completed" for an active lease, "cancelled" if pending), blocks_found, settlement: SettlementRow}',
    errors: [401, 403, 404, 422],
    body: z.object({ lease_id: z.string().min(1).max(128) }),
    refusals: { NOT_FOUND: GONE, LEASE_NOT_ACTIVE: GONE },
    async run({ api, body }) {
      const { lease, settlement } = await api.rental.stop({ leaseId: body.lease_id });
      return {
        lease_id: lease.leaseId,
        state: lease.state,
        blocks_found: lease.blocksAccepted,
        settlement: settlementRow(settlement, lease.blocksAccepted),
      };
    },
  });

export const rentalRoutes: RestRoute[] = [
  rent("/api/rent"),
  rent("/api/rental/start"),
  stop("/api/stop"),
  stop("/api/rental/stop"),
  route({
    method: "GET",
    path: "/api/leases",
    auth: "user",
    tag: "rental",
    summary: "Leases: the caller's as renter or provider; admins see all",
    returns: "offset page of LeaseRow",
    query: z.object({ state: leaseState.optional(), ...offsetPage }),
    async run({ ctx, actor, query }) {
      const found = await ctx.platform.queries.market.leasesFor(actor(), {
        limit: query.limit,
        offset: query.offset,
        ...(query.state !== undefined && { state: query.state }),
      });
      if (!found.ok) throw found.error;
      const now = ctx.platform.clock.now();
      const rows = found.value.page.items.map((l) => leaseRow(leaseView(l, true), now));
      return offsetPageOf(rows, found.value.total, query.limit, query.offset);
    },
  }),
  route({
    method: "GET",
    path: "/api/leases/{lease_id}",
    auth: "user",
    access: "party / admin",
    tag: "rental",
    summary: "One lease with its blocks (oldest first) and settlement",
    returns: "LeaseRow + blocks: [BlockRow] + settlement: SettlementRow | null",
    errors: [401, 403, 404],
    async run({ ctx, api, param }) {
      const l = await api.rental.lease({ leaseId: param("lease_id") });
      const blocks = await leaseBlockRows(ctx, l.leaseId);
      return {
        ...leaseRow(l, ctx.platform.clock.now()),
        blocks,
        settlement: l.settlement ? settlementRow(l.settlement, l.blocksAccepted) : null,
      };
    },
  }),
  route({
    method: "GET",
    path: "/api/blocks",
    auth: "public",
    tag: "blocks",
    summary:
      "With lease_id: that lease's blocks, oldest first (bare array); without: every block, newest first",
    returns: "bare array of BlockRow (lease_id given; [] for an unknown lease), else offset page of BlockRow",
    query: z.object({
      lease_id: z.string().min(1).max(128).optional(),
      limit: int().min(1).max(200).optional().describe("rows per page (1..200, 50 when paging)"),
      offset: int().min(0).optional(),
    }),
    async run({ ctx, query }) {
      const limit = query.limit ?? 50;
      const offset = query.offset ?? 0;
      if (query.lease_id !== undefined) {
        // Scripts poll for all of their lease's blocks: everything unless they asked for a window.
        // An unknown lease has no blocks: the script contract is a bare array, never an error.
        const window = query.limit !== undefined || query.offset !== undefined;
        return leaseBlockRows(ctx, query.lease_id, window ? { limit, offset } : undefined, {
          unknownIsEmpty: true,
        });
      }
      const market = ctx.platform.queries.market;
      const [page, total] = await Promise.all([market.blocks({ limit, offset }), market.countBlocks()]);
      return offsetPageOf(
        page.items.map((b) => blockRow(blockView(b))),
        total,
        limit,
        offset,
      );
    },
  }),
  route({
    method: "GET",
    path: "/api/blocks/self-mined",
    auth: "public",
    tag: "blocks",
    summary: "Blocks mined outside any lease, newest first",
    returns: 'offset page of BlockRow (lease_id "")',
    query: z.object({ worker_id: z.string().min(1).max(128).optional(), ...offsetPage }),
    async run({ ctx, query }) {
      const filter = { selfOnly: true, ...(query.worker_id !== undefined && { workerId: query.worker_id }) };
      const market = ctx.platform.queries.market;
      const [page, total] = await Promise.all([
        market.blocks({ ...filter, limit: query.limit, offset: query.offset }),
        market.countBlocks(filter),
      ]);
      return offsetPageOf(
        page.items.map((b) => blockRow(blockView(b))),
        total,
        query.limit,
        query.offset,
      );
    },
  }),
  route({
    method: "GET",
    path: "/api/settlements",
    auth: "user",
    tag: "rental",
    summary: "Settlements: the caller's (renter or provider); admins see all",
    returns: "offset page of SettlementRow",
    query: z.object(offsetPage),
    async run({ ctx, actor, query }) {
      const who = actor();
      const found = await ctx.platform.queries.market.settlementsFor(who, {
        limit: query.limit,
        offset: query.offset,
      });
      if (!found.ok) throw found.error;
      const rows = await settlementRows(ctx, who, found.value.page.items);
      return offsetPageOf(rows, found.value.total, query.limit, query.offset);
    },
  }),
];
