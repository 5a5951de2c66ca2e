/**
 * Reads several routes share: worker rows from fleet records, a lease's blocks in full, and
 * settlement rows with their lease's block count. All go through the platform's read models.
 */
import {
  type Actor,
  computeReputation,
  type DomainError,
  gpuSummary,
  type SettlementRecord,
  uptimePct,
  type WorkerRecord,
} from "@xenblocks/core";
import { blockView, settlementView, workerDetail } from "../trpc/serialize.js";
import type { Context } from "../trpc/trpc.js";
import { blockRow, reputationRow, settlementRow, workerRow } from "./rows.js";

/** The most rows a bare array answers with (the earlier platform had no paging there). */
export const BARE_ARRAY_CAP = 10_000;

/** A WorkerRow of a fleet record (public view: no open lease id); `now` defaults to the clock's. */
export function workerRowOf(ctx: Context, w: WorkerRecord, now: number = ctx.platform.clock.now()) {
  return workerRow(workerDetail(w, now, null, false));
}

/** Each listing record's WorkerRow as first built (its owner's EIP-55 checksum is a keccak). */
const listingRows = new WeakMap<WorkerRecord, ReturnType<typeof workerRowOf>>();

/**
 * `workerRowOf(ctx, w, now)` for the listing index's records (immutable snapshot objects shared by every
 * request): built once per record; only the reputation, which depends on the time, per call.
 */
export function listingRowOf(ctx: Context, w: WorkerRecord, now: number): ReturnType<typeof workerRowOf> {
  const base = listingRows.get(w);
  if (base === undefined) {
    const row = workerRowOf(ctx, w, now);
    listingRows.set(w, row);
    return { ...row };
  }
  return { ...base, reputation: reputationRow(computeReputation(w, now)) };
}

/**
 * A marketplace row's JSON around its time-dependent parts, per listing record: `head` is the WorkerRow up
 * to `"reputation":` (reputation is WorkerRow's last key), `gpuName` the `,"gpu_name":…` that follows it.
 */
interface MarketRowText {
  head: string;
  gpuName: string;
  blocksMined: string;
}

const marketRowTexts = new WeakMap<WorkerRecord, MarketRowText | null>();

/** The row's parts, or null when WorkerRow's keys no longer end with `reputation` (then built in full). */
function marketRowText(ctx: Context, w: WorkerRecord, now: number): MarketRowText | null {
  let parts = marketRowTexts.get(w);
  if (parts === undefined) {
    const row = workerRowOf(ctx, w, now);
    const keys = Object.keys(row);
    const { reputation, ...before } = row;
    const whole = JSON.stringify(before);
    parts =
      reputation !== undefined && keys[keys.length - 1] === "reputation" && whole.endsWith("}")
        ? {
            head: whole === "{}" ? '{"reputation":' : `${whole.slice(0, -1)},"reputation":`,
            gpuName: `,"gpu_name":${JSON.stringify(gpuSummary(w.gpus.map((g) => g.name)))}`,
            blocksMined: JSON.stringify(w.leaseBlocks + w.selfBlocks),
          }
        : null;
    marketRowTexts.set(w, parts);
  }
  return parts;
}

/** A marketplace row (`GET /api/marketplace`): WorkerRow + gpu_name, uptime_pct, blocks_mined. */
export function marketRow(ctx: Context, w: WorkerRecord, now: number) {
  return {
    ...listingRowOf(ctx, w, now),
    gpu_name: gpuSummary(w.gpus.map((g) => g.name)),
    uptime_pct: uptimePct(w, now),
    blocks_mined: w.leaseBlocks + w.selfBlocks,
  };
}

/**
 * `JSON.stringify(marketRow(ctx, w, now))`, byte for byte, for the listing index's records (immutable
 * snapshot objects): what depends on the record alone is serialized once per record; the reputation and
 * uptime, which depend on the time, per call.
 */
export function marketRowJson(ctx: Context, w: WorkerRecord, now: number): string {
  const parts = marketRowText(ctx, w, now);
  if (parts === null) return JSON.stringify(marketRow(ctx, w, now));
  const reputation = JSON.stringify(reputationRow(computeReputation(w, now)));
  return `${parts.head}${reputation}${parts.gpuName},"uptime_pct":${JSON.stringify(uptimePct(w, now))},"blocks_mined":${parts.blocksMined}}`;
}

/** A lease's BlockRows, oldest first, up to the cap; NOT_FOUND for an unknown lease (or `[]`). */
export async function leaseBlockRows(
  ctx: Context,
  leaseId: string,
  range?: { limit: number; offset: number },
  options: { unknownIsEmpty?: boolean } = {},
) {
  const market = ctx.platform.queries.market;
  const failed = (error: DomainError): [] => {
    if (options.unknownIsEmpty && error.code === "NOT_FOUND") return [];
    throw error;
  };
  if (range) {
    const page = await market.leaseBlocks(leaseId, range);
    if (!page.ok) return failed(page.error);
    return page.value.items.map((b) => blockRow(blockView(b)));
  }
  const rows: ReturnType<typeof blockRow>[] = [];
  let cursor: string | null = null;
  do {
    const page = await market.leaseBlocks(leaseId, { limit: 500, ...(cursor !== null && { cursor }) });
    if (!page.ok) return failed(page.error);
    rows.push(...page.value.items.map((b) => blockRow(blockView(b))));
    cursor = page.value.nextCursor;
  } while (cursor !== null && rows.length < BARE_ARRAY_CAP);
  return rows.slice(0, BARE_ARRAY_CAP);
}

/** SettlementRows; each lease is read for its block count (the caller is a party or an admin). */
export async function settlementRows(ctx: Context, actor: Actor, settlements: readonly SettlementRecord[]) {
  return Promise.all(
    settlements.map(async (s) => {
      const found = await ctx.platform.rental.getLease(actor, s.leaseId);
      return settlementRow(settlementView(s), found.ok ? found.value.lease.blocksAccepted : 0);
    }),
  );
}
