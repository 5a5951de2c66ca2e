/** Drops the Postgres schemas earlier test runs left behind (each store gets its own schema). */
import postgres from "postgres";
import { POSTGRES_URL, TEST_SCHEMA_PREFIX } from "./engines.js";

async function dropTestSchemas() {
  const sql = postgres(POSTGRES_URL, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    const rows = await sql<{ nspname: string }[]>`
      SELECT nspname FROM pg_namespace WHERE nspname LIKE ${`${TEST_SCHEMA_PREFIX}%`}`;
    for (const { nspname } of rows) await sql.unsafe(`DROP SCHEMA IF EXISTS "${nspname}" CASCADE`);
  } catch {
    // No server: the suites run on PGlite and there is nothing to clean.
  } finally {
    await sql.end({ timeout: 1 });
  }
}

export default async function setup() {
  await dropTestSchemas();
  return dropTestSchemas;
}
