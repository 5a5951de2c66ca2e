/**
 * Every Storage engine the shared suites run against; no suite may skip one. Each `create()` gives
 * a fresh, empty, migrated store. Postgres is the real server (DATABASE_URL, default the local one
 * on 127.0.0.1:5432); only where none answers do the suites fall back to PGlite, and say so.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Storage } from "@xenblocks/core";
import postgres from "postgres";
import { createMemoryStorage, openLibsql, openPglite, openPostgres } from "../src/index.js";

export interface Engine {
  name: string;
  create(): Promise<Storage>;
}

export const POSTGRES_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
/** Schemas made by tests start with this; the global setup drops leftovers. */
export const TEST_SCHEMA_PREFIX = "xbt_";

async function postgresReachable(url: string): Promise<boolean> {
  const probe = postgres(url, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await probe`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await probe.end({ timeout: 1 });
  }
}

const scratch = mkdtempSync(join(tmpdir(), "xenblocks-storage-"));
let counter = 0;
const unique = () => `${process.pid}_${Date.now().toString(36)}_${++counter}`;

const hasPostgres = await postgresReachable(POSTGRES_URL);
if (!hasPostgres) {
  console.warn(`NOTICE: no Postgres answers at ${POSTGRES_URL}; the Postgres suites run on PGlite instead.`);
}

export const engines: Engine[] = [
  { name: "memory", create: async () => createMemoryStorage() },
  { name: "libsql-memory", create: () => openLibsql(":memory:") },
  { name: "libsql-file", create: () => openLibsql(join(scratch, `db-${unique()}.db`)) },
  hasPostgres
    ? {
        name: "postgres",
        create: () => openPostgres(POSTGRES_URL, { schema: `${TEST_SCHEMA_PREFIX}${unique()}`, max: 10 }),
      }
    : { name: "pglite", create: () => openPglite() },
];
