/** Where the committed migrations live, and the error that stops a start when one fails. */
import { fileURLToPath } from "node:url";

/** `migrations/<dialect>` at the package root: the same path from `src/sql` and `dist/sql`. */
export const migrationsFolder = (dialect: "sqlite" | "pg") =>
  fileURLToPath(new URL(`../../migrations/${dialect}`, import.meta.url));

export class MigrationError extends Error {
  override readonly name = "MigrationError";
  constructor(engine: string, cause: unknown) {
    const detail =
      cause instanceof Error
        ? cause.cause instanceof Error
          ? cause.cause.message
          : cause.message
        : String(cause);
    super(
      `database migration failed on ${engine}: ${detail}. The platform did not start; fix the database or restore a backup.`,
      {
        cause,
      },
    );
  }
}
