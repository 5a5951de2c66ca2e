/**
 * `createPlatform`: the one entry point for hosts and embedders. It wires the services to the
 * ports and exposes the periodic jobs as plain async functions, so a host schedules them on its own
 * timers and a test drives them with a fake clock.
 */
import { AccountsService } from "./accounts/accounts-service.js";
import { IdempotencyService } from "./accounts/idempotency-service.js";
import { PaymentsService } from "./accounts/payments-service.js";
import { BlockService } from "./blocks/block-service.js";
import { type PlatformConfig, type PlatformConfigInput, resolveConfig } from "./config.js";
import type { Context } from "./context.js";
import { createEventBus } from "./events.js";
import { FleetService } from "./fleet/fleet-service.js";
import { LiveFleet } from "./fleet/live.js";
import { WorkerAdminService } from "./fleet/worker-admin.js";
import { KeyedMutex } from "./keyed-mutex.js";
import { type LedgerSnapshot, ledgerViolations } from "./ledger.js";
import { Counters } from "./metrics.js";
import type { Units } from "./money.js";
import { MonitoringService } from "./monitoring/monitoring-service.js";
import type { Argon2Verifier, Chain, Clock, EventBus, Ids, Storage, WorkerChannel } from "./ports.js";
import { AdminQueries, FleetQueries, ListingIndex, MarketQueries, WalletQueries } from "./queries/index.js";
import { RentalService } from "./rental/rental-service.js";

export interface PlatformOptions {
  storage: Storage;
  channel: WorkerChannel;
  clock: Clock;
  ids: Ids;
  /** Where domain events go; defaults to an in-process bus (`platform.events.subscribe`). */
  events?: EventBus;
  /** The chain to verify blocks against; null or absent = verification skipped. */
  chain?: Chain | null;
  /** Needed only when `config.blocks.verifyArgon2` is on. */
  argon2?: Argon2Verifier | null;
  config?: PlatformConfigInput;
}

export type Platform = ReturnType<typeof createPlatform>;

export function createPlatform(options: PlatformOptions) {
  const config: PlatformConfig = resolveConfig(options.config);
  const bus = createEventBus();
  const external = options.events;
  const events: EventBus = external
    ? {
        publish(event) {
          external.publish(event);
          bus.publish(event);
        },
      }
    : bus;
  const ctx: Context = {
    storage: options.storage,
    channel: options.channel,
    events,
    clock: options.clock,
    ids: options.ids,
    chain: options.chain ?? null,
    argon2: options.argon2 ?? null,
    config,
    counters: new Counters(),
    live: new LiveFleet(),
    workerLocks: new KeyedMutex(),
  };
  if (config.blocks.verifyArgon2 && !ctx.argon2) {
    throw new Error("config.blocks.verifyArgon2 is on but no argon2 verifier was given to createPlatform");
  }
  const fleet = new FleetService(ctx);
  const workers = new WorkerAdminService(ctx);
  const rental = new RentalService(ctx);
  const blocks = new BlockService(ctx);
  const accounts = new AccountsService(ctx);
  const payments = new PaymentsService(ctx);
  const monitoring = new MonitoringService(ctx);
  const idempotency = new IdempotencyService(ctx);
  // A queued control action may go out as soon as its worker reports AVAILABLE.
  // The status handler holds the worker's lock, so it calls the lock-free single-worker path.
  fleet.onAvailable = async (workerId) => {
    await workers.sendPendingControl(workerId);
  };

  const jobs = {
    /** Every 1 s. */
    expireLeases: () => rental.sweepExpiry(),
    /** Every 1 s. */
    cancelUnconfirmed: () => rental.sweepAssignTimeouts(),
    /** Every 5 s. */
    sweepLiveness: () => fleet.sweepLiveness(),
    /** Every few seconds: the batched heartbeat write. */
    flushHeartbeats: () => fleet.flushLive(),
    /** Every 1 s. */
    dispatchControls: () => workers.dispatchPendingControls(),
    /** Every few seconds. */
    checkChain: () => blocks.runChainChecks(),
    /** Every 30 s. */
    snapshotHashrate: () => monitoring.snapshot(),
    /** A few seconds after each hour. */
    rollupHashrate: () => monitoring.rollup(),
    /** Hourly: history past retention, and idempotency answers past their TTL. */
    pruneHistory: async () => {
      const pruned = await monitoring.prune();
      return { ...pruned, idempotency: await idempotency.prune() };
    },
    /** Runs every job once, in a sensible order; for tests and simple hosts. */
    async runAll() {
      await fleet.flushLive();
      await fleet.sweepLiveness();
      await rental.sweepAssignTimeouts();
      await rental.sweepExpiry();
      await workers.dispatchPendingControls();
      await blocks.runChainChecks();
    },
  };

  async function ledgerReport(): Promise<{ violations: string[]; balances: ReadonlyMap<string, Units> }> {
    const snapshot: LedgerSnapshot = {
      balances: await options.storage.ledger.allBalances(),
      openLeaseEscrow: await options.storage.leases.sumOpenEscrow(),
      requestedWithdrawals: await options.storage.withdrawals.sumRequested(),
    };
    return { violations: ledgerViolations(snapshot), balances: snapshot.balances };
  }

  /** Read models for the API's views (api.md §2): aggregates and pages, never table scans. */
  const queries = {
    fleet: new FleetQueries(ctx),
    market: new MarketQueries(ctx),
    wallet: new WalletQueries(ctx),
    admin: new AdminQueries(ctx, ledgerReport),
    /** The marketplace listings in memory; the host calls `markStale()` on registry/lease changes. */
    listings: new ListingIndex(ctx),
  };

  return {
    config,
    /** The platform's clock: hosts derive `now` for views from it, so tests can move time. */
    clock: ctx.clock,
    counters: ctx.counters,
    queries,
    /** Subscribe to domain events. */
    events: { subscribe: bus.subscribe },
    fleet,
    workers,
    rental,
    blocks,
    accounts,
    payments,
    monitoring,
    idempotency,
    jobs,
    /** Call once at start: restarts liveness clocks, then completes leases that ended during downtime. */
    async start() {
      await fleet.start();
      await rental.sweepExpiry(Number.MAX_SAFE_INTEGER);
    },
    /** The ledger invariants of platform-rules §2, checked against storage (empty = healthy). */
    async ledgerViolations(): Promise<string[]> {
      return (await ledgerReport()).violations;
    },
    /** The violations with the balances they were read from (hosts report totals from one read). */
    ledgerReport,
  };
}
