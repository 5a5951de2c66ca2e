/**
 * @xenblocks/storage — adapters for the Storage port of @xenblocks/core. `memory` today; the libSQL
 * (embedded default) and Postgres adapters arrive with their own issue and pass the same contract.
 */
export { createMemoryStorage } from "./memory/memory-storage.js";
export { nodeIds, systemClock } from "./runtime.js";
export { type LibsqlOptions, libsqlPath, openLibsql } from "./sql/libsql.js";
export { MigrationError } from "./sql/migrations.js";
export { openPglite } from "./sql/pglite.js";
export { openPostgres, type PostgresOptions } from "./sql/postgres.js";
