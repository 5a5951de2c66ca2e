/**
 * @xenblocks/storage — adapters for the Storage port of @xenblocks/core: libSQL (the embedded default),
 * Postgres (PGlite as a fallback) and memory, all passing the same contract.
 */
export { createMemoryStorage } from "./memory/memory-storage.js";
export { nodeIds, systemClock } from "./runtime.js";
export { type LibsqlOptions, libsqlPath, openLibsql } from "./sql/libsql.js";
export { MigrationError } from "./sql/migrations.js";
export { openPglite } from "./sql/pglite.js";
export { openPostgres, type PostgresOptions } from "./sql/postgres.js";
