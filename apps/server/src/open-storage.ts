/** The `--db` setting to a storage adapter: `memory`, `postgres://…`, or a libSQL file (the default). */
import type { Storage } from "@xenblocks/core";
import { createMemoryStorage, openLibsql, openPostgres } from "@xenblocks/storage";

export type StorageKind = "memory" | "postgres" | "libsql";

export function storageKind(db: string): StorageKind {
  if (db === "memory") return "memory";
  if (/^postgres(ql)?:\/\//.test(db)) return "postgres";
  // A URL of another scheme would silently become a local file named after it.
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(db) && !/^(file|libsql):\/\/\//.test(db)) {
    throw new Error(
      `--db ${db.replace(/\/\/[^@/]*@/, "//***@")}: remote databases other than postgres:// are not supported; use a file path, file:///path, postgres://… or memory`,
    );
  }
  return "libsql";
}

export async function openStorage(db: string): Promise<Storage> {
  switch (storageKind(db)) {
    case "memory":
      return createMemoryStorage();
    case "postgres":
      return openPostgres(db);
    case "libsql":
      return openLibsql(db.startsWith("libsql:") ? db.slice("libsql:".length) : db);
  }
}

/** Where files kept beside the database go (chain state): the libSQL file's folder, ./data with Postgres. */
export function dataDirectory(db: string): string | null {
  const kind = storageKind(db);
  if (kind === "memory") return null;
  if (kind === "postgres") return "./data";
  const path = db.replace(/^(file|libsql):(\/\/)?/, "");
  const slash = path.lastIndexOf("/");
  return slash === -1 ? "." : path.slice(0, slash) || "/";
}
