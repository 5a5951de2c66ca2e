/** REST §4: the provider's dashboard, earnings and workers, per-minute pricing, control and broadcast. */
import { formatMoney, gpuSummary, pricePerSecFromPerMin, round2 } from "@xenblocks/core";
import { z } from "zod";
import { RestError } from "./errors.js";
import { settlementRows } from "./loaders.js";
import { address, int, money, numbered, numberedPageOf, offsetPage } from "./params.js";
import { type RestRoute, route } from "./route.js";
import { accountId, perMin } from "./rows.js";

const pricingBody = z
  .object({
    price_per_min: money()
      .optional()
      .describe("XNM per minute; stored as round_half_up(per_min / 60) per second"),
    price_per_sec: money().optional().describe("XNM per second"),
    min_duration_sec: int().min(1).default(60),
    max_duration_sec: int().min(1).default(86_400),
  })
  .refine((b) => (b.price_per_min === undefined) !== (b.price_per_sec === undefined), {
    message: "send price_per_min or price_per_sec (one of them)",
  });

const setPricing = (path: string) =>
  route({
    method: "PUT",
    path,
    auth: "user",
    access: "owner / admin",
    tag: "provider",
    summary: "Set a worker's price (per minute or per second) and duration bounds",
    returns: "{worker_id, price_per_min, price_per_sec, min_duration_sec, max_duration_sec}",
    errors: [400, 401, 403, 404, 422],
    body: pricingBody,
    rules400: true,
    async run({ api, param, body }) {
      const perSec = body.price_per_sec ?? pricePerSecFromPerMin(body.price_per_min ?? 0n);
      const set = await api.provider.setPricing({
        workerId: param("id"),
        pricePerSec: formatMoney(perSec),
        minDurationSec: body.min_duration_sec,
        maxDurationSec: body.max_duration_sec,
      });
      return {
        worker_id: set.workerId,
        price_per_min: perMin(set.pricePerSec),
        price_per_sec: set.pricePerSec,
        min_duration_sec: set.minDurationSec,
        max_duration_sec: set.maxDurationSec,
      };
    },
  });

const controlAction = z.enum(["pause", "resume", "shutdown", "set_config"]);

export const providerRoutes: RestRoute[] = [
  route({
    method: "GET",
    path: "/api/provider/dashboard",
    auth: "user",
    tag: "provider",
    summary: "The provider's figures (an admin may name another provider)",
    returns: "{provider_id, worker_count, total_earned, active_leases, total_blocks_mined, avg_hashrate}",
    errors: [401, 403],
    query: z.object({ provider_id: address().optional().describe("admins only") }),
    async run({ ctx, actor, query }) {
      const me = actor().address.toLowerCase();
      const who = query.provider_id?.toLowerCase() ?? me;
      if (who !== me && !ctx.platform.accounts.isAdmin(me)) {
        throw new RestError(403, "FORBIDDEN", "only admins may see another provider's dashboard");
      }
      const d = await ctx.platform.queries.market.providerDashboard(who);
      return {
        provider_id: accountId(who),
        worker_count: d.workerCount,
        total_earned: formatMoney(d.totalEarned),
        active_leases: d.activeLeases,
        total_blocks_mined: d.leaseBlocks + d.selfBlocks,
        avg_hashrate: d.workerCount > 0 ? round2(d.currentHashrate / d.workerCount) : 0,
      };
    },
  }),
  route({
    method: "GET",
    path: "/api/provider/earnings",
    auth: "user",
    tag: "provider",
    summary: "The caller's settlements as provider, newest first",
    returns: "{provider_id, earnings: [SettlementRow]}",
    query: z.object(offsetPage),
    async run({ ctx, actor, query }) {
      const me = actor();
      const page = await ctx.platform.queries.market.earnings(me, {
        limit: query.limit,
        offset: query.offset,
      });
      return {
        provider_id: accountId(me.address),
        earnings: await settlementRows(ctx, me, page.items),
      };
    },
  }),
  route({
    method: "GET",
    path: "/api/provider/workers",
    auth: "user",
    tag: "provider",
    summary: "The caller's workers",
    returns:
      "{provider_id, items, total, page, limit, total_pages}; items {worker_id, state, online, hashrate, gpu_count, active_gpus, gpu_name, memory_gb, price_per_min, listed, self_blocks_found, total_online_sec}",
    query: z.object(numbered(100, 20)),
    async run({ ctx, actor, query }) {
      const me = actor().address.toLowerCase();
      const { items, total } = await ctx.platform.queries.fleet.page({
        page: query.page,
        limit: query.limit,
        sortBy: "workerId",
        sortDir: "asc",
        owner: me,
      });
      const rows = items.map((w) => ({
        worker_id: w.workerId,
        state: w.online ? (w.state ?? "UNKNOWN") : "offline",
        online: w.online,
        hashrate: round2(w.hashrate),
        gpu_count: w.gpuCount,
        active_gpus: w.activeGpus,
        gpu_name: gpuSummary(w.gpus.map((g) => g.name)),
        memory_gb: w.totalMemoryGb,
        price_per_min: perMin(formatMoney(w.pricePerSec)),
        listed: w.listed,
        self_blocks_found: w.selfBlocks,
        total_online_sec: Math.floor(w.onlineSec),
      }));
      return { provider_id: accountId(me), ...numberedPageOf(rows, total, query.page, query.limit) };
    },
  }),
  setPricing("/api/workers/{id}/pricing"),
  setPricing("/api/provider/workers/{id}/pricing"),
  route({
    method: "POST",
    path: "/api/workers/{id}/control",
    auth: "user",
    access: "owner / admin",
    tag: "provider",
    summary: "pause / resume / shutdown (confirm: true) / set_config one worker",
    returns: '{status: "sent", worker_id, action}',
    errors: [400, 401, 403, 404, 409, 422],
    body: z.object({
      action: controlAction,
      config: z.record(z.string(), z.unknown()).default({}),
      confirm: z.boolean().optional(),
    }),
    rules400: true,
    async run({ api, param, body }) {
      const r = await api.provider.control({
        workerId: param("id"),
        action: body.action,
        ...(body.action === "set_config" && { config: body.config }),
        ...(body.confirm !== undefined && { confirm: body.confirm }),
      });
      // §4 answers `status: "sent"`: an action queued behind the worker's settle gap or lease end
      // (tRPC `"queued"`) is accepted and goes out on its own, so scripts see the same answer.
      return { status: "sent", worker_id: r.workerId, action: r.action };
    },
  }),
  route({
    method: "POST",
    path: "/api/control/broadcast",
    auth: "admin",
    tag: "admin",
    summary: "One control action to every worker in scope (leased, banned, offline ones skipped)",
    returns: '{status: "sent", workers: [ids], skipped: [{worker_id, reason}], action}',
    errors: [400, 401, 403, 422],
    body: z.object({
      action: controlAction,
      config: z.record(z.string(), z.unknown()).default({}),
      online_only: z.boolean().default(true),
      confirm: z.boolean().optional(),
    }),
    rules400: true,
    async run({ api, body }) {
      const r = await api.admin.broadcast({
        action: body.action,
        onlineOnly: body.online_only,
        ...(body.action === "set_config" && { config: body.config }),
        ...(body.confirm !== undefined && { confirm: body.confirm }),
      });
      return {
        status: r.status,
        workers: r.workers,
        skipped: r.skipped.map((s) => ({ worker_id: s.workerId, reason: s.reason })),
        action: body.action,
      };
    },
  }),
];
