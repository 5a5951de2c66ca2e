/**
 * The libSQL adapter (the embedded default): a file in WAL mode with a busy timeout, or `:memory:`.
 * Calls are serialized in process on one connection and every transaction starts with BEGIN
 * IMMEDIATE, so concurrent writers queue instead of failing with "database is locked"; another
 * process writing the same file waits up to the busy timeout.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Repos, Storage } from "@xenblocks/core";
import { type SQL, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import Database from "libsql";
import { queued, WriteQueue } from "../write-queue.js";
import { type Db, type Dialect, driverError, UNIQUE_BY_NAME } from "./dialect.js";
import { MigrationError, migrationsFolder } from "./migrations.js";
import * as schema from "./schema.sqlite.js";
import { createSqlRepos } from "./sql-repos.js";

export interface LibsqlOptions {
  /** How long a writer from another process may wait for the lock (ms). */
  busyTimeoutMs?: number;
  /** Apply migrations at open (default true). */
  migrate?: boolean;
  /** Another migrations folder (tests); defaults to the package's committed migrations. */
  migrationsFolder?: string;
}

/** `memory` or `:memory:`, a `file:` URL, or a plain path (its folder is created). */
export function libsqlPath(location: string): { path: string; inMemory: boolean } {
  if (location === "memory" || location === ":memory:") return { path: ":memory:", inMemory: true };
  const path = location.startsWith("file:")
    ? location.slice("file:".length).replace(/^\/\/(?=\/)/, "")
    : location;
  mkdirSync(dirname(path), { recursive: true });
  return { path, inMemory: false };
}

type SyncDb = { run(query: SQL): { changes: number }; all(query: SQL): unknown[] };

/**
 * Reuses compiled statements: drizzle prepares a native statement for every query it runs, and
 * compiling SQL costs more than running it. Statements are keyed by their SQL text (parameters are
 * bound per call); a reused one is reset to object rows, as drizzle expects of a fresh one.
 */
type Native = InstanceType<typeof Database>;

function cacheStatements(native: Native, size = 1000): void {
  const cache = new Map<string, ReturnType<Native["prepare"]>>();
  const prepare = native.prepare.bind(native);
  native.prepare = ((source: string) => {
    const cached = cache.get(source);
    if (cached) {
      cache.delete(source); // most recently used last
      cache.set(source, cached);
      return cached.reader ? cached.raw(false) : cached;
    }
    const statement = prepare(source);
    cache.set(source, statement);
    if (cache.size > size) cache.delete(cache.keys().next().value!);
    return statement;
  }) as Native["prepare"];
}

/** The SQLite side of the shared repositories, bound to one native connection. */
function sqliteDialect(native: Native): Dialect {
  // The heartbeat flush runs one compiled statement per worker inside the flush's transaction:
  // on SQLite that beats any single-statement form (no JSON to parse, no join to plan).
  const updateWorker = native.prepare(
    `UPDATE workers SET last_seen_at = ?, last_heartbeat_at = ?, hashrate = ?, active_gpus = ?, uptime_sec = ?,
       online_sec = ?, config = ? WHERE worker_id = ?`,
  );
  const updateLease = native.prepare(
    `UPDATE leases SET last_good_heartbeat_at = ?, hashrate_sum = ?, hashrate_samples = ?
       WHERE lease_id = ? AND state = 'active'`,
  );
  const dialect: Dialect = {
    name: "sqlite",
    async execute(db, query) {
      return (db as unknown as SyncDb).run(query).changes;
    },
    async rows<T>(db: Db, query: SQL) {
      return (db as unknown as SyncDb).all(query) as T[];
    },
    jsonTextElements: (column, alias) => sql`json_each(${column}) AS ${sql.identifier(alias)}`,
    forUpdate: (query) => query,
    async updateWorkersLive(_db, batch) {
      for (const u of batch) {
        updateWorker.run(
          u.lastSeenAt,
          u.lastHeartbeatAt,
          u.hashrate,
          u.activeGpus,
          u.uptimeSec,
          u.onlineSec,
          JSON.stringify(u.config),
          u.workerId,
        );
      }
    },
    async updateLeasesLive(_db, batch) {
      for (const u of batch)
        updateLease.run(u.lastGoodHeartbeatAt, u.hashrateSum, u.hashrateSamples, u.leaseId);
    },
    uniqueConstraint(error) {
      const e = driverError(error);
      const message = String(e?.message ?? "");
      if (!/SQLITE_CONSTRAINT/.test(String(e?.code ?? "")) || !message.includes("UNIQUE constraint failed"))
        return null;
      // "UNIQUE constraint failed: leases.worker_id" (several columns are comma-separated).
      const columns = message.split("UNIQUE constraint failed:")[1]?.trim() ?? "";
      return UNIQUE_BY_NAME[columns] ?? null;
    },
  };
  return dialect;
}

export async function openLibsql(location: string, options: LibsqlOptions = {}): Promise<Storage> {
  const { path, inMemory } = libsqlPath(location);
  // libSQL's native binding on one connection, every call through the in-process queue: SQLite has
  // one writer anyway, reads take microseconds, and the connection settings below hold throughout.
  const native = new Database(path, { timeout: options.busyTimeoutMs ?? 10_000 });
  if (!inMemory) {
    native.exec("PRAGMA journal_mode = WAL");
    // In WAL mode, NORMAL loses no committed transaction when the process dies (SIGKILL included);
    // only a power cut can take the last commits. It saves an fsync per commit.
    native.exec("PRAGMA synchronous = NORMAL");
  }
  native.exec("PRAGMA temp_store = MEMORY");
  native.exec("PRAGMA cache_size = -65536");
  cacheStatements(native);
  const db = drizzle({ client: native as never, schema });
  if (options.migrate !== false) {
    try {
      migrate(db, { migrationsFolder: options.migrationsFolder ?? migrationsFolder("sqlite") });
    } catch (error) {
      native.close();
      throw new MigrationError(`libSQL ${path}`, error);
    }
  }
  const queue = new WriteQueue();
  const dialect = sqliteDialect(native);
  const direct = createSqlRepos(db as unknown as Db, {
    dialect,
    t: schema,
    inTransaction: false,
  });
  // Inside a transaction the same connection is used: the queue guarantees no one else is on it.
  const inTx = createSqlRepos(db as unknown as Db, {
    dialect,
    t: schema,
    inTransaction: true,
  });
  const repos = queued(direct, queue);
  return {
    engine: inMemory ? "libsql-memory" : "libsql-file",
    ...repos,
    transaction<T>(body: (tx: Repos) => Promise<T>): Promise<T> {
      if (queue.transaction) return body(queue.transaction); // a nested call joins its transaction
      return queue.run(async () => {
        // IMMEDIATE takes the write lock up front: another process waits here, not mid-transaction.
        native.exec("BEGIN IMMEDIATE");
        try {
          const result = await queue.within(inTx, () => body(inTx));
          native.exec("COMMIT");
          return result;
        } catch (error) {
          if (native.inTransaction) native.exec("ROLLBACK");
          throw error;
        }
      });
    },
    async close() {
      await queue.run(async () => native.close());
    },
  };
}
