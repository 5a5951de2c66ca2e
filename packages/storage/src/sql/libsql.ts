/**
 * The libSQL adapter (the embedded default): a file in WAL mode with a busy timeout, or `:memory:`.
 * Writes are serialized in process and every transaction starts with BEGIN IMMEDIATE, so concurrent
 * writers queue instead of failing with "database is locked".
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { createClient } from "@libsql/client";
import type { Repos, Storage } from "@xenblocks/core";
import { type SQL, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import { queued, WriteQueue } from "../write-queue.js";
import { chunks, type Db, type Dialect, driverError, UNIQUE_BY_NAME } from "./dialect.js";
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
export function libsqlUrl(location: string): { url: string; inMemory: boolean } {
  if (location === "memory" || location === ":memory:") return { url: ":memory:", inMemory: true };
  if (location.startsWith("file:") || location.startsWith("libsql:") || location.startsWith("http")) {
    return { url: location, inMemory: false };
  }
  mkdirSync(dirname(location), { recursive: true });
  return { url: `file:${location}`, inMemory: false };
}

const sqliteDialect: Dialect = {
  name: "sqlite",
  async execute(db, query) {
    const result = await (
      db as unknown as { run(q: SQL): Promise<{ rows: unknown[]; rowsAffected: number }> }
    ).run(query);
    return { rows: result.rows as Record<string, unknown>[], affected: result.rowsAffected };
  },
  forUpdate: (query) => query,
  gpuNameLike: (gpus, pattern) =>
    sql`EXISTS (SELECT 1 FROM json_each(${gpus}) AS g WHERE lower(json_extract(g.value, '$.name')) LIKE ${pattern} ESCAPE '\\')`,
  async updateWorkersLive(db, batch) {
    // One UPDATE … FROM json_each per chunk: thousands of workers without a statement per row.
    for (const part of chunks(batch, 5000)) {
      await sqliteDialect.execute(
        db,
        sql`UPDATE workers SET
              last_seen_at = json_extract(v.value, '$.lastSeenAt'),
              last_heartbeat_at = json_extract(v.value, '$.lastHeartbeatAt'),
              hashrate = json_extract(v.value, '$.hashrate'),
              active_gpus = json_extract(v.value, '$.activeGpus'),
              uptime_sec = json_extract(v.value, '$.uptimeSec'),
              online_sec = json_extract(v.value, '$.onlineSec'),
              config = json_extract(v.value, '$.config')
            FROM json_each(${JSON.stringify(part)}) AS v
            WHERE workers.worker_id = json_extract(v.value, '$.workerId')`,
      );
    }
  },
  async updateLeasesLive(db, batch) {
    for (const part of chunks(batch, 5000)) {
      await sqliteDialect.execute(
        db,
        sql`UPDATE leases SET
              last_good_heartbeat_at = json_extract(v.value, '$.lastGoodHeartbeatAt'),
              hashrate_sum = json_extract(v.value, '$.hashrateSum'),
              hashrate_samples = json_extract(v.value, '$.hashrateSamples')
            FROM json_each(${JSON.stringify(part)}) AS v
            WHERE leases.lease_id = json_extract(v.value, '$.leaseId') AND leases.state = 'active'`,
      );
    }
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

export async function openLibsql(location: string, options: LibsqlOptions = {}): Promise<Storage> {
  const { url, inMemory } = libsqlUrl(location);
  const client = createClient({ url, timeout: options.busyTimeoutMs ?? 10_000, intMode: "number" });
  if (!inMemory) await client.execute("PRAGMA journal_mode = WAL");
  const db = drizzle(client, { schema });
  if (options.migrate !== false) {
    try {
      await migrate(db, { migrationsFolder: options.migrationsFolder ?? migrationsFolder("sqlite") });
    } catch (error) {
      client.close();
      throw new MigrationError(`libSQL ${url}`, error);
    }
  }
  const queue = new WriteQueue();
  const repos = queued(
    createSqlRepos(db as Db, { dialect: sqliteDialect, t: schema, inTransaction: false }),
    queue,
    inMemory,
  );
  return {
    engine: inMemory ? "libsql-memory" : "libsql-file",
    ...repos,
    transaction<T>(body: (tx: Repos) => Promise<T>): Promise<T> {
      const current = queue.transaction;
      if (current) return body(current); // a nested call joins the transaction it is part of
      return queue.run(() =>
        db.transaction(
          (handle) => {
            const tx = createSqlRepos(handle as unknown as Db, {
              dialect: sqliteDialect,
              t: schema,
              inTransaction: true,
            });
            return queue.within(tx, () => body(tx));
          },
          { behavior: "immediate" },
        ),
      );
    },
    async close() {
      await queue.run(async () => client.close());
    },
  };
}
