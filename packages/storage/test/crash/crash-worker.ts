/**
 * The child process of crash-safety.test.ts: opens an existing store (never resets it), wires a
 * platform to it and then does real settlements and ledger transfers as fast as it can until it is
 * killed. Run from packages/storage as
 *
 *   node --import tsx test/crash/crash-worker.ts libsql <file path>
 *   node --import tsx test/crash/crash-worker.ts postgres "<url>|<schema>"
 *
 * It prints "ready" on stdout once its first lease went from rent to settlement: from then on it is
 * mid-work. Any unexpected error (anything but a domain refusal) is printed to stderr and exits
 * with code 1, so the parent can tell a crash of its own from the SIGKILL it sends.
 *
 * With a third argument `--wait-for-go` it loads its modules, prints "loaded" and opens the store
 * only when a line arrives on stdin: the parent starts children ahead of their turn, so the slow
 * start (tsx, drizzle) overlaps the check of the previous store. In that mode it exits when its
 * stdin closes (the parent is gone): no orphans.
 *
 * CRASH_LANES (default 4) lanes run concurrently, each with its own worker, owner and renter.
 * Time is virtual: the clock starts after the newest instant already stored (so it never goes back
 * across restarts) and each lane advances it, so leases are billed for whole seconds without waiting.
 * Ids come from `nodeIds` (UUIDv7 + crypto randomness), so they never collide across restarts.
 */
import {
  type Actor,
  type Clock,
  createPlatform,
  type LeaseRecord,
  type LedgerAccount,
  parseInbound,
  type Result,
  type Storage,
  type WorkerState,
  xnm,
} from "@xenblocks/core";
import { nodeIds } from "../../src/runtime.js";

const CRASH_ADMIN = "0xad00000000000000000000000000000000000001";
const LANES = Number(process.env.CRASH_LANES ?? 4);
/** Lane i: one worker owned by `owner(i)`, rented by `renter(i)`. */
const laneWorker = (i: number) => `crash-worker-${i}`;
const laneOwner = (i: number) => `0x${"c0".repeat(19)}${i.toString(16).padStart(2, "0")}`;
const laneRenter = (i: number) => `0x${"ab".repeat(19)}${i.toString(16).padStart(2, "0")}`;

const wallet = (address: string): Actor => ({ address, via: "wallet" });

function fail(message: string, error?: unknown): never {
  let detail =
    error instanceof Error ? (error.stack ?? error.message) : error === undefined ? "" : String(error);
  // Drizzle wraps the driver's error: its code and message (e.g. a Postgres deadlock) are in `cause`.
  for (
    let cause = (error as { cause?: unknown } | undefined)?.cause, depth = 0;
    cause && depth < 5;
    depth++
  ) {
    const c = cause as { code?: unknown; message?: unknown; detail?: unknown; cause?: unknown };
    detail += `\ncaused by: ${String(c.code ?? "")} ${String(c.message ?? cause)} ${String(c.detail ?? "")}`;
    cause = c.cause;
  }
  process.stderr.write(`crash-worker: ${message}\n${detail}\n`);
  process.exit(1);
}

process.on("unhandledRejection", (error) => fail("unhandled rejection", error));
process.on("uncaughtException", (error) => fail("uncaught exception", error));

/** Loads only the adapter in use (the package index would also load PGlite, which is slow to import). */
async function loadAdapter(engine: string, location: string): Promise<() => Promise<Storage>> {
  if (engine === "libsql") {
    const { openLibsql } = await import("../../src/sql/libsql.js");
    return () => openLibsql(location);
  }
  if (engine === "postgres") {
    const bar = location.lastIndexOf("|");
    if (bar < 0) fail(`postgres location must be "url|schema", got ${location}`);
    const { openPostgres } = await import("../../src/sql/postgres.js");
    return () => openPostgres(location.slice(0, bar), { schema: location.slice(bar + 1), max: 8 });
  }
  return fail(`unknown engine ${engine}`);
}

/** Resolves at the first line on stdin. */
function goSignal(): Promise<void> {
  return new Promise((resolve) => process.stdin.once("data", () => resolve()));
}

/** The newest instant the store already holds, so the virtual clock never goes back. */
async function newestStoredInstant(storage: Storage): Promise<number> {
  let newest = 0;
  const see = (...values: (number | null | undefined)[]) => {
    for (const v of values) if (typeof v === "number" && v > newest) newest = v;
  };
  for (let i = 0; i < LANES; i++) {
    const w = await storage.workers.get(laneWorker(i));
    if (w) {
      see(w.updatedAt, w.stateAt, w.lastSentAt, w.lastSeenAt, w.lastLeaseEndedAt, w.releaseSentAt);
      see(w.lastHeartbeatAt, w.registeredAt, w.pendingControl?.notBefore);
    }
  }
  const lease = (await storage.leases.list({ limit: 1 })).items[0];
  see(lease?.createdAt, lease?.confirmedAt, lease?.endedAt, lease?.lastGoodHeartbeatAt);
  see((await storage.settlements.list({ limit: 1 })).items[0]?.settledAt);
  const withdrawal = (await storage.withdrawals.list({ limit: 1 })).items[0];
  see(withdrawal?.createdAt, withdrawal?.resolvedAt);
  for (const account of ["escrow", "world"] as LedgerAccount[]) {
    see((await storage.ledger.history(account, { limit: 1 })).items[0]?.createdAt);
  }
  return newest;
}

async function main() {
  const [engine, location, flag] = process.argv.slice(2);
  if (!engine || !location) fail("usage: crash-worker.ts <libsql|postgres> <location> [--wait-for-go]");
  const open = await loadAdapter(engine, location);
  if (flag === "--wait-for-go") {
    // Under a parent: when it is gone, stop (no orphan keeps writing to a store nobody checks).
    process.stdin.on("end", () => process.exit(0));
    process.stdin.on("error", () => process.exit(0));
    const go = goSignal();
    process.stdout.write("loaded\n");
    await go;
  }
  const storage = await open();

  let now = Math.max(Date.now(), (await newestStoredInstant(storage)) + 60_000);
  const clock: Clock & { advance(ms: number): void } = {
    now: () => now,
    advance(ms) {
      now += ms;
    },
  };
  const platform = createPlatform({
    storage,
    channel: { send: async () => {} },
    clock,
    ids: nodeIds,
    chain: null,
    config: { admins: [CRASH_ADMIN], faucet: { enabled: true } },
  });
  // Completes leases whose end passed while the previous child was dead.
  await platform.start();

  const ts = () => Math.floor(clock.now() / 1000);
  async function inbound(workerId: string, suffix: string, payload: object) {
    const parsed = parseInbound(`xenminer/${workerId}/${suffix}`, JSON.stringify(payload));
    if (!parsed.ok) fail(`invalid ${suffix}: ${parsed.reason} ${parsed.detail}`);
    switch (parsed.suffix) {
      case "register":
        return platform.fleet.onRegister(parsed.message);
      case "heartbeat":
        return platform.fleet.onHeartbeat(parsed.message);
      case "status":
        return platform.fleet.onStatus(parsed.message);
      default:
        return fail(`unexpected suffix ${parsed.suffix}`);
    }
  }

  const random = (n: number) => Math.floor(Math.random() * n);
  /** "ready" goes out once the first lease went from rent to settlement: from then on it is mid-work. */
  let ready = false;
  const announceReady = () => {
    if (ready) return;
    ready = true;
    process.stdout.write("ready\n");
  };
  /** A refused operation is fine (a sweep of another lane may have ended the lease first). */
  const tolerate = <T>(r: Result<T>): T | null => (r.ok ? r.value : null);

  function lane(i: number) {
    const workerId = laneWorker(i);
    const owner = laneOwner(i);
    const renter = laneRenter(i);
    const gpus = ["NVIDIA GeForce RTX 4090", "NVIDIA GeForce RTX 4090"];
    const register = () =>
      inbound(workerId, "register", {
        worker_id: workerId,
        eth_address: owner,
        gpu_count: gpus.length,
        total_memory_gb: 24 * gpus.length,
        gpus: gpus.map((name, index) => ({ index, name, memory_gb: 24, bus_id: index + 1 })),
        version: "2.0.0",
        timestamp: ts(),
      });
    const status = (state: WorkerState, leaseId?: string) =>
      inbound(workerId, "status", {
        worker_id: workerId,
        state,
        ...(leaseId && { lease_id: leaseId }),
        timestamp: ts(),
      });
    const heartbeat = () =>
      inbound(workerId, "heartbeat", {
        worker_id: workerId,
        hashrate: 4816.54,
        active_gpus: gpus.length,
        accepted_blocks: 0,
        difficulty: 1727,
        address: owner,
        prefix: "",
        block_pattern: "",
        uptime_sec: 100,
        timestamp: ts(),
      });
    const confirm = async (lease: LeaseRecord) => {
      await status("LEASED");
      await status("MINING", lease.leaseId);
    };
    /** Lets the lease run `sec` seconds with a heartbeat now and then. */
    const run = async (sec: number) => {
      clock.advance(Math.floor(sec / 2) * 1000);
      await heartbeat();
      clock.advance(Math.ceil(sec / 2) * 1000);
      await heartbeat();
      if (random(3) === 0) await platform.jobs.flushHeartbeats();
    };

    async function fund(address: string, atLeast: bigint) {
      for (let tries = 0; tries < 5; tries++) {
        if ((await platform.accounts.balance(address)).available >= atLeast) return;
        if (random(2) === 0) {
          tolerate(await platform.payments.faucet(wallet(address), xnm(500)));
        } else {
          const ref = `crash-${nodeIds.uuidv7()}`;
          const r = await platform.payments.credit(wallet(CRASH_ADMIN), address, xnm(100 + random(200)), ref);
          if (!r.ok) fail(`admin credit refused: ${r.error.code} ${r.error.message}`);
        }
      }
    }

    const openWithdrawals: string[] = [];
    async function withdrawals() {
      const who = random(2) === 0 ? renter : owner;
      const available = (await platform.accounts.balance(who)).available;
      if (available > xnm(2) && random(3) === 0) {
        const w = tolerate(await platform.payments.withdraw(wallet(who), xnm(1) + BigInt(random(1_000_000))));
        if (w) openWithdrawals.push(w.id);
      }
      // Resolve some of the open ones; the rest stay `requested` (held in escrow) for a while.
      while (openWithdrawals.length > 0 && random(2) === 0) {
        const id = openWithdrawals.splice(random(openWithdrawals.length), 1)[0]!;
        const w = await storage.withdrawals.get(id);
        if (!w) continue;
        const pick = random(3);
        if (pick === 0) tolerate(await platform.payments.cancelWithdrawal(wallet(w.address), id));
        else if (pick === 1)
          tolerate(
            await platform.payments.resolveWithdrawal(wallet(CRASH_ADMIN), id, "complete", {
              reference: `payout-${nodeIds.randomHex(8)}`,
            }),
          );
        else
          tolerate(
            await platform.payments.resolveWithdrawal(wallet(CRASH_ADMIN), id, "reject", {
              reason: "crash test",
            }),
          );
      }
    }

    /** One lease from rent to settlement, ended one of the ways the platform ends leases. */
    async function lease(): Promise<boolean> {
      const durationSec = 60 + random(540);
      await fund(renter, 10_000n * BigInt(durationSec));
      const rented = await platform.rental.rent(wallet(renter), { durationSec, workerId });
      if (!rented.ok) return false;
      const l = rented.value;
      switch (random(9)) {
        case 0: // renter stops an active lease
          await confirm(l);
          await run(1 + random(durationSec - 1));
          tolerate(await platform.rental.stop(wallet(renter), l.leaseId));
          break;
        case 1: // runs to its contracted end
          await confirm(l);
          await run(durationSec + 1);
          await platform.jobs.expireLeases();
          break;
        case 2: // renter cancels before confirmation
          tolerate(await platform.rental.stop(wallet(renter), l.leaseId));
          break;
        case 3: // worker leaves MINING early: interrupted
          await confirm(l);
          await run(1 + random(durationSec - 1));
          await status("AVAILABLE");
          break;
        case 4: // worker fails the assignment
          await status("ERROR");
          break;
        case 5: // never confirmed: assignment timeout
          clock.advance(31_000);
          await platform.jobs.cancelUnconfirmed();
          break;
        case 6: // admin stop
          await confirm(l);
          await run(1 + random(durationSec - 1));
          tolerate(await platform.rental.stop(wallet(CRASH_ADMIN), l.leaseId));
          break;
        case 7: // the worker's own COMPLETED near the end
          await confirm(l);
          await run(durationSec - 2);
          await status("COMPLETED", l.leaseId);
          break;
        default: // the worker registers again mid-lease
          await confirm(l);
          await run(1 + random(durationSec - 1));
          await register();
          break;
      }
      return true;
    }

    return async function loop() {
      await register();
      await status("AVAILABLE");
      await heartbeat();
      await platform.jobs.flushHeartbeats();
      // Withdrawals the previous child left `requested` are this one's to resolve.
      for (const address of [renter, owner]) {
        const page = await storage.withdrawals.list({ address, state: "requested", limit: 100 });
        openWithdrawals.push(...page.items.map((w) => w.id));
      }
      let refusedInARow = 0;
      for (;;) {
        const rented = await lease();
        if (rented) announceReady();
        refusedInARow = rented ? 0 : refusedInARow + 1;
        if (refusedInARow > 500) fail(`lane ${i}: the worker could not be rented 500 times in a row`);
        // The worker is back: release answered, settle gap passed.
        await status("AVAILABLE");
        await heartbeat();
        clock.advance(3_000);
        await withdrawals();
        // The embedded libSQL client answers synchronously: without this the loop would never let
        // the event loop see stdin closing.
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
  }

  const lanes = Array.from({ length: LANES }, (_, i) => lane(i));
  await Promise.all(lanes.map((loop) => loop()));
}

main().catch((error) => fail("failed", error));
