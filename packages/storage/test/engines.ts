/**
 * Every Storage engine the shared suites run against; no suite may skip one. Each `create()` gives
 * a fresh, empty, migrated store, closed again after the test that made it. Postgres is the real
 * server (DATABASE_URL, default the local one on 127.0.0.1:5432), one schema per store; only where
 * none answers do the suites fall back to PGlite, and say so.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Storage } from "@xenblocks/core";
import postgres from "postgres";
import { afterAll, afterEach } from "vitest";
import { createMemoryStorage, openLibsql, openPglite, openPostgres } from "../src/index.js";

export interface Engine {
  name: string;
  /** A fresh store, closed after the current test — or after the file with `forFile` (beforeAll). */
  create(options?: { forFile?: boolean }): Promise<Storage>;
}

export const POSTGRES_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
/** Test schemas are `xbt_<run>_…`; the run id comes from the global setup, which drops its own. */
export const TEST_SCHEMA_PREFIX = `xbt_${process.env.XB_TEST_RUN ?? "adhoc"}_`;

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
const unique = () => `${process.pid}_${++counter}`;

/**
 * Stores opened in a test are closed after it, stores opened in a `beforeAll` after the file, so
 * connections never pile up across a run.
 */
const open: Storage[] = [];
const openForFile: Storage[] = [];
const closeAll = (list: Storage[]) =>
  Promise.all(list.splice(0).map((s) => s.close().catch(() => undefined)));
afterEach(() => closeAll(open));
afterAll(() => closeAll(openForFile));
const tracked = async (store: Promise<Storage>, options?: { forFile?: boolean }) => {
  const s = await store;
  (options?.forFile ? openForFile : open).push(s);
  return s;
};

const hasPostgres = await postgresReachable(POSTGRES_URL);
if (!hasPostgres) {
  console.warn(`NOTICE: no Postgres answers at ${POSTGRES_URL}; the Postgres suites run on PGlite instead.`);
}

export const engines: Engine[] = [
  { name: "memory", create: async () => createMemoryStorage() },
  { name: "libsql-memory", create: (o) => tracked(openLibsql(":memory:"), o) },
  { name: "libsql-file", create: (o) => tracked(openLibsql(join(scratch, `db-${unique()}.db`)), o) },
  hasPostgres
    ? {
        name: "postgres",
        create: (o) =>
          tracked(openPostgres(POSTGRES_URL, { schema: `${TEST_SCHEMA_PREFIX}${unique()}`, max: 4 }), o),
      }
    : { name: "pglite", create: (o) => tracked(openPglite(), o) },
];

/**
 * Closes a store made with `create()` before the test ends (for tests that open many). Closing it
 * twice is harmless.
 */
export async function release(store: Storage): Promise<void> {
  const at = open.indexOf(store);
  if (at >= 0) open.splice(at, 1);
  await store.close();
}
