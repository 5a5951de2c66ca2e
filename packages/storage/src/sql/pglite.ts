/**
 * PGlite (Postgres compiled to WASM, in process): the fallback where no Postgres server is reachable.
 * Same schema, migrations and repositories as real Postgres.
 */
import { PGlite } from "@electric-sql/pglite";
import type { Storage } from "@xenblocks/core";
import { drizzle } from "drizzle-orm/pglite";
import { migrate } from "drizzle-orm/pglite/migrator";
import { MigrationError, migrationsFolder } from "./migrations.js";
import { postgresStorage } from "./postgres.js";
import * as schema from "./schema.pg.js";

/** `dataDir` undefined = in memory. */
export async function openPglite(dataDir?: string): Promise<Storage> {
  const client = new PGlite(dataDir);
  const db = drizzle(client, { schema });
  try {
    await migrate(db, { migrationsFolder: migrationsFolder("pg") });
  } catch (error) {
    await client.close();
    throw new MigrationError("PGlite", error);
  }
  return postgresStorage("pglite", db, () => client.close());
}
