/**
 * What differs between SQLite (libSQL) and Postgres for the shared repositories. The query code is
 * written once against the SQLite-typed drizzle database; the Postgres database has the same
 * builder API at run time (and the same table keys), so it is handed in under that type.
 */
import type { LeaseLiveUpdate, UniqueConstraint, WorkerLiveUpdate } from "@xenblocks/core";
import type { Column, SQL } from "drizzle-orm";
import type { LibSQLDatabase } from "drizzle-orm/libsql";
import type * as schema from "./schema.sqlite.js";

export type Tables = typeof schema;
export type Db = Pick<LibSQLDatabase<Tables>, "select" | "insert" | "update" | "delete" | "$count">;

export interface Dialect {
  readonly name: "sqlite" | "pg";
  /** Runs a raw data-changing statement; returns how many rows it changed. */
  execute(db: Db, query: SQL): Promise<number>;
  /** Runs a raw query; returns its rows as objects keyed by the selected names (driver values). */
  rows<T extends Record<string, unknown>>(db: Db, query: SQL): Promise<T[]>;
  /**
   * A FROM item, aliased `alias`, giving one row per element of a JSON array of strings held in a
   * text column, the element in `alias.value` (SQLite `json_each`, Postgres
   * `jsonb_array_elements_text`); it may refer to tables listed before it (a lateral join).
   */
  jsonTextElements(column: SQL | Column, alias: string): SQL;
  /** Adds `FOR UPDATE` on Postgres; a SQLite write transaction already holds the database lock. */
  forUpdate<Q>(query: Q): Q;
  /** The heartbeat flush: every worker's live fields in one statement per chunk. */
  updateWorkersLive(db: Db, batch: readonly WorkerLiveUpdate[]): Promise<void>;
  /** Live lease figures, for active leases only. */
  updateLeasesLive(db: Db, batch: readonly LeaseLiveUpdate[]): Promise<void>;
  /** The uniqueness rule a driver error reports, or null when it is another error. */
  uniqueConstraint(error: unknown): UniqueConstraint | null;
}

/** Index and column names of the rules the database enforces, as the domain names them. */
export const UNIQUE_BY_NAME: Record<string, UniqueConstraint> = {
  workers_pkey: "worker_id",
  "workers.worker_id": "worker_id",
  leases_open_worker_uq: "open_lease_per_worker",
  "leases.worker_id": "open_lease_per_worker",
  leases_pkey: "lease_id",
  "leases.lease_id": "lease_id",
  leases_prefix_uq: "lease_prefix",
  "leases.prefix": "lease_prefix",
  blocks_key_uq: "block_key",
  "blocks.key": "block_key",
  transfers_id_uq: "transfer_id",
  "transfers.id": "transfer_id",
  settlements_pkey: "settlement_lease",
  "settlements.lease_id": "settlement_lease",
  withdrawals_pkey: "withdrawal_id",
  "withdrawals.id": "withdrawal_id",
  api_keys_pkey: "api_key_id",
  "api_keys.id": "api_key_id",
  api_keys_hash_uq: "api_key_hash",
  "api_keys.hash": "api_key_hash",
  idempotency_keys_actor_key_pk: "idempotency_key",
  "idempotency_keys.actor, idempotency_keys.key": "idempotency_key",
};

/** The driver error behind drizzle's wrapper (drizzle puts it in `cause`). */
export function driverError(error: unknown): Record<string, unknown> | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    const e = current as Record<string, unknown>;
    if (typeof e.code === "string" || typeof e.constraint_name === "string") return e;
    current = e.cause;
  }
  return null;
}

/** A LIKE pattern that matches `text` literally (its own % and _ escaped with \\). */
export const likeLiteral = (text: string) => text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);

/** Splits a batch so no statement exceeds the drivers' bound-parameter limits. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
