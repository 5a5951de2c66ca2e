/** REST §4: the owner's wallet pages (history, achievements, stats, share card) and worker commands. */
import { z } from "zod";
import { checksumAddress } from "../trpc/serialize.js";
import { RestError } from "./errors.js";
import { type RestRoute, route } from "./route.js";
import { sec } from "./rows.js";

const wallet = (path: string, summary: string, returns: string, run: RestRoute["run"]) =>
  route({ method: "GET", path, auth: "user", tag: "wallet", summary, returns, run });

/** `command` → what it does: set `listed`, or a control action. */
function commandEffect(
  command: string,
  params: Record<string, unknown>,
): { listed: boolean } | { action: "pause" | "resume" } {
  if (command === "list") return { listed: true };
  if (command === "unlist") return { listed: false };
  if (command === "start") return { action: "resume" };
  if (command === "stop") return { action: "pause" };
  if (command !== "update_config") {
    throw new RestError(
      400,
      "VALIDATION",
      `unknown command ${JSON.stringify(command)}: use list, unlist, start, stop or update_config`,
    );
  }
  if (params.state === "AVAILABLE") return { listed: true };
  if (params.state === "SELF_MINING") return { listed: false };
  throw new RestError(400, "VALIDATION", 'update_config takes params.state "AVAILABLE" or "SELF_MINING"');
}

export const walletRoutes: RestRoute[] = [
  route({
    method: "GET",
    path: "/api/wallet/history",
    auth: "user",
    tag: "wallet",
    summary: "The caller's workers over a period, oldest first",
    returns:
      "{address, period, count, data: [{timestamp, hashrate, online_workers, total_workers, blocks, earnings}]}",
    query: z.object({ period: z.enum(["24h", "7d", "30d", "all"]).default("30d") }),
    async run({ api, actor, query }) {
      const h = await api.wallet.history({ period: query.period });
      return {
        address: checksumAddress(actor().address),
        period: h.period,
        count: h.points.length,
        data: h.points.map((p) => ({
          timestamp: sec(p.ts),
          hashrate: p.avgHashrate,
          online_workers: p.onlineWorkers,
          total_workers: p.totalWorkers,
          blocks: p.blocks,
          earnings: p.earnings,
        })),
      };
    },
  }),
  wallet(
    "/api/wallet/achievements",
    "The caller's mining achievements",
    "{current_hashrate, online_workers, total_workers, peak_hashrate, lease_blocks, self_blocks, total_blocks, total_earnings, leases_served, mining_days, first_seen}",
    async ({ api }) => {
      const a = await api.wallet.achievements();
      return {
        current_hashrate: a.currentHashrate,
        online_workers: a.onlineWorkers,
        total_workers: a.totalWorkers,
        peak_hashrate: a.peakHashrate,
        lease_blocks: a.leaseBlocks,
        self_blocks: a.selfBlocks,
        total_blocks: a.totalBlocks,
        total_earnings: a.totalEarnings,
        leases_served: a.leasesServed,
        mining_days: a.miningDays,
        first_seen: sec(a.firstSeen),
      };
    },
  ),
  wallet(
    "/api/wallet/stats",
    "The caller's fleet cards",
    "{online_workers, total_workers, total_hashrate, total_gpus, total_blocks, total_earnings}",
    async ({ api }) => {
      const s = await api.wallet.stats();
      return {
        online_workers: s.onlineWorkers,
        total_workers: s.totalWorkers,
        total_hashrate: s.totalHashrate,
        total_gpus: s.totalGpus,
        total_blocks: s.totalBlocks,
        total_earnings: s.totalEarnings,
      };
    },
  ),
  wallet(
    "/api/wallet/share",
    "A shareable summary card",
    "{address, full_address, total_blocks, peak_hashrate, total_earnings, mining_hours, worker_count, generated_at, text}",
    async ({ api }) => {
      const s = await api.wallet.share();
      return {
        address: s.address,
        full_address: s.fullAddress,
        total_blocks: s.totalBlocks,
        peak_hashrate: s.peakHashrate,
        total_earnings: s.totalEarnings,
        mining_hours: s.miningHours,
        worker_count: s.workerCount,
        generated_at: sec(s.generatedAt),
        text: s.text,
      };
    },
  ),
  route({
    method: "POST",
    path: "/api/wallet/workers/{id}/command",
    auth: "user",
    access: "owner",
    tag: "wallet",
    summary:
      "list / unlist / start (resume) / stop (pause) / update_config (params.state) one of one's workers",
    returns: '{status: "ok", worker_id, command, listed}',
    errors: [400, 401, 403, 404, 409, 422],
    body: z.object({
      // Any other command is §4's 400 (not a 422): checked in commandEffect.
      command: z.string().max(64).describe("list | unlist | start | stop | update_config"),
      params: z.record(z.string(), z.unknown()).default({}),
    }),
    rules400: true,
    async run({ api, actor, param, body }) {
      const workerId = param("id");
      // §4: the owner only (the procedures below would also let an admin act on another's worker).
      const worker = await api.monitoring.worker({ workerId });
      if (worker.owner.toLowerCase() !== actor().address.toLowerCase()) {
        throw new RestError(403, "FORBIDDEN", `only the owner of worker ${workerId} may command it`);
      }
      const effect = commandEffect(body.command, body.params);
      if ("listed" in effect) {
        const r = await api.provider.setListed({ workerId, listed: effect.listed });
        return { status: "ok", worker_id: r.workerId, command: body.command, listed: r.listed };
      }
      await api.provider.control({ workerId, action: effect.action });
      const w = await api.monitoring.worker({ workerId });
      return { status: "ok", worker_id: w.workerId, command: body.command, listed: w.listed };
    },
  }),
];
