/**
 * Admin read models (api.md §2 admin): platform status and the accounts table. Callers check the
 * admin role first (the server's admin procedures); these only read.
 */
import type { Context } from "../context.js";
import { ESCROW, TREASURY, userAccount } from "../ledger.js";
import type { Units } from "../money.js";
import type { CursorQuery } from "../ports.js";
import type { AccountRecord, AuditRecord, Page } from "../types.js";
import { page } from "./market-queries.js";

export interface AdminStatus {
  workers: { total: number; online: number; banned: number; suspect: number };
  leases: { pending: number; active: number };
  blocks: { total: number; pendingChain: number };
  ledger: { sum: Units; escrow: Units; openLeaseEscrow: Units; treasury: Units; violations: string[] };
}

export interface AdminAccountRow extends AccountRecord {
  available: Units;
  escrowed: Units;
  workerCount: number;
}

export class AdminQueries {
  constructor(
    private readonly ctx: Context,
    private readonly ledgerReport: () => Promise<{
      violations: string[];
      balances: ReadonlyMap<string, Units>;
    }>,
  ) {}

  async status(): Promise<AdminStatus> {
    const { storage } = this.ctx;
    const [workers, pending, active, blocks, pendingChain, openEscrow, report] = await Promise.all([
      storage.workers.totals(),
      storage.leases.count({ state: "pending" }),
      storage.leases.count({ state: "active" }),
      storage.blocks.count(),
      storage.blocks.count({ chainStatus: "pending" }),
      storage.leases.sumOpenEscrow(),
      this.ledgerReport(),
    ]);
    let sum = 0n;
    for (const balance of report.balances.values()) sum += balance;
    return {
      workers: {
        total: workers.total,
        online: workers.online,
        banned: workers.banned,
        suspect: workers.suspect,
      },
      leases: { pending, active },
      blocks: { total: blocks, pendingChain },
      ledger: {
        sum,
        escrow: report.balances.get(ESCROW) ?? 0n,
        openLeaseEscrow: openEscrow,
        treasury: report.balances.get(TREASURY) ?? 0n,
        violations: report.violations,
      },
    };
  }

  /** What admins and owners did, newest first. */
  audit(q: CursorQuery): Promise<Page<AuditRecord>> {
    return this.ctx.storage.audit.list(q);
  }

  /** A page of accounts with their balances (a few reads per row of a page of ≤ 100). */
  async accounts(q: CursorQuery & { search?: string }): Promise<Page<AdminAccountRow>> {
    const { storage } = this.ctx;
    const list = await storage.accounts.list({
      ...page(q),
      ...(q.search !== undefined && q.search !== "" && { search: q.search.toLowerCase() }),
    });
    const balances = await storage.ledger.balances(list.items.map((a) => userAccount(a.address)));
    const items = await Promise.all(
      list.items.map(async (a) => ({
        ...a,
        available: balances.get(userAccount(a.address)) ?? 0n,
        escrowed: await storage.leases.sumOpenEscrowOf(a.address),
        workerCount: (await storage.workers.totals({ owner: a.address })).total,
      })),
    );
    return { items, nextCursor: list.nextCursor };
  }
}
