/**
 * The Postgres adapter: postgres.js with a connection pool (or PGlite where no server is reachable).
 * Money paths lock the rows they change (`SELECT … FOR UPDATE`, balances in account order), so
 * concurrent transactions queue rather than lose updates; a transaction aborted as a deadlock victim
 * is run again. Uniqueness is enforced by the same indexes as SQLite.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Repos, Storage } from "@xenblocks/core";
import { type SQL, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { routed } from "../write-queue.js";
import { chunks, type Db, type Dialect, driverError, type Tables, UNIQUE_BY_NAME } from "./dialect.js";
import { MigrationError, migrationsFolder } from "./migrations.js";
import * as schema from "./schema.pg.js";
import { createSqlRepos } from "./sql-repos.js";

export interface PostgresOptions {
  /** Pool size (default 10). */
  max?: number;
  /**
   * A schema to keep every table in (created if missing), instead of `public`. Tests use one per
   * store so that stores on one database never see each other.
   */
  schema?: string;
  /** Apply migrations at open (default true). */
  migrate?: boolean;
  /** Another migrations folder (tests); defaults to the package's committed migrations. */
  migrationsFolder?: string;
}

/** postgres.js answers with the rows (and a count); PGlite with `{ rows, affectedRows }`. */
type Executor = {
  execute(
    query: SQL,
  ): Promise<
    | (Record<string, unknown>[] & { count?: number })
    | { rows: Record<string, unknown>[]; affectedRows?: number }
  >;
};

export const pgDialect: Dialect = {
  name: "pg",
  async execute(db, query) {
    const result = await (db as unknown as Executor).execute(query);
    if (!Array.isArray(result)) return result.affectedRows ?? result.rows.length;
    return result.count ?? result.length;
  },
  async rows<T>(db: Db, query: SQL) {
    const result = await (db as unknown as Executor).execute(query);
    return (Array.isArray(result) ? result : result.rows) as unknown as T[];
  },
  jsonTextElements: (column, alias) =>
    sql`jsonb_array_elements_text(${column}::jsonb) AS ${sql.identifier(alias)}(value)`,
  forUpdate: (query) => (query as unknown as { for(strength: "update"): typeof query }).for("update"),
  async updateWorkersLive(db, batch) {
    for (const part of chunks(batch, 5000)) {
      await pgDialect.execute(
        db,
        sql`UPDATE workers AS w SET
              last_seen_at = v.last_seen_at, last_heartbeat_at = v.last_heartbeat_at, hashrate = v.hashrate,
              active_gpus = v.active_gpus, uptime_sec = v.uptime_sec, online_sec = v.online_sec,
              config = v.config::text
            FROM jsonb_to_recordset(${JSON.stringify(part.map(liveRow))}::jsonb) AS v(
              worker_id text, last_seen_at bigint, last_heartbeat_at bigint, hashrate double precision,
              active_gpus integer, uptime_sec integer, online_sec double precision, config jsonb)
            WHERE w.worker_id = v.worker_id`,
      );
    }
  },
  async updateLeasesLive(db, batch) {
    for (const part of chunks(batch, 5000)) {
      await pgDialect.execute(
        db,
        sql`UPDATE leases AS l SET
              last_good_heartbeat_at = v.last_good_heartbeat_at, hashrate_sum = v.hashrate_sum,
              hashrate_samples = v.hashrate_samples
            FROM jsonb_to_recordset(${JSON.stringify(
              part.map((p) => ({
                lease_id: p.leaseId,
                last_good_heartbeat_at: p.lastGoodHeartbeatAt,
                hashrate_sum: p.hashrateSum,
                hashrate_samples: p.hashrateSamples,
              })),
            )}::jsonb) AS v(lease_id text, last_good_heartbeat_at bigint, hashrate_sum double precision,
              hashrate_samples integer)
            WHERE l.lease_id = v.lease_id AND l.state = 'active'`,
      );
    }
  },
  uniqueConstraint(error) {
    const e = driverError(error);
    if (e?.code !== "23505") return null;
    return UNIQUE_BY_NAME[String(e.constraint_name ?? e.constraint ?? "")] ?? null;
  },
};

function liveRow(u: Parameters<Dialect["updateWorkersLive"]>[1][number]) {
  return {
    worker_id: u.workerId,
    last_seen_at: u.lastSeenAt,
    last_heartbeat_at: u.lastHeartbeatAt,
    hashrate: u.hashrate,
    active_gpus: u.activeGpus,
    uptime_sec: u.uptimeSec,
    online_sec: u.onlineSec,
    config: u.config,
  };
}

/** Builds the Storage over a drizzle Postgres database (postgres.js or PGlite). */
export function postgresStorage(
  engine: string,
  db: { transaction<T>(body: (tx: unknown) => Promise<T>): Promise<T> },
  close: () => Promise<void>,
): Storage {
  const t = schema as unknown as Tables;
  // The transaction this async context runs in: nested calls and plain repository calls join it.
  const scope = new AsyncLocalStorage<Repos>();
  const repos = routed(
    createSqlRepos(db as unknown as Db, { dialect: pgDialect, t, inTransaction: false }),
    () => scope.getStore(),
  );
  return {
    engine,
    ...repos,
    async transaction<T>(body: (tx: Repos) => Promise<T>): Promise<T> {
      const current = scope.getStore();
      if (current) return body(current);
      // Row locks taken in different orders by different paths (a heartbeat flush and a settlement,
      // say) can deadlock; Postgres then aborts one of them. Every transaction body re-reads what it
      // decides on, so running it again is safe: retry a few times with a short random pause.
      for (let attempt = 1; ; attempt++) {
        try {
          return await db.transaction((handle) => {
            const tx = createSqlRepos(handle as Db, { dialect: pgDialect, t, inTransaction: true });
            return scope.run(tx, () => body(tx));
          });
        } catch (error) {
          const code = driverError(error)?.code;
          if ((code !== "40P01" && code !== "40001") || attempt >= RETRIES) throw error;
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
        }
      }
    },
    close,
  };
}

/** How often a transaction aborted by a deadlock or a serialization failure is tried in all. */
const RETRIES = 5;

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<Storage> {
  const name = options.schema;
  if (name !== undefined && !SCHEMA_NAME.test(name)) throw new Error(`invalid schema name "${name}"`);
  const client = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    ...(name && { connection: { search_path: name } }),
  });
  try {
    if (name) await client.unsafe(`CREATE SCHEMA IF NOT EXISTS "${name}"`);
  } catch (error) {
    await client.end();
    throw new Error(`cannot reach Postgres at ${redact(url)}: ${(error as Error).message}`, { cause: error });
  }
  const db = drizzle(client, { schema });
  if (options.migrate !== false) {
    try {
      await migrate(db, {
        migrationsFolder: options.migrationsFolder ?? migrationsFolder("pg"),
        migrationsSchema: name ?? "drizzle",
      });
    } catch (error) {
      await client.end();
      throw new MigrationError(`Postgres ${redact(url)}`, error);
    }
  }
  return postgresStorage("postgres", db, () => client.end());
}

/** The URL without its password, for messages. */
export const redact = (url: string) => url.replace(/\/\/([^:/@]+):[^@/]*@/, "//$1:***@");
