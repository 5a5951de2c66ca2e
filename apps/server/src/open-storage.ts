/** The `--db` setting to a storage adapter: `memory`, `postgres://…`, or a libSQL file (the default). */
import type { Storage } from "@xenblocks/core";
import { createMemoryStorage, openLibsql, openPostgres } from "@xenblocks/storage";

export type StorageKind = "memory" | "postgres" | "libsql";

export function storageKind(db: string): StorageKind {
  if (db === "memory") return "memory";
  if (/^postgres(ql)?:\/\//.test(db)) return "postgres";
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

/** Where a libSQL database lives, for files kept beside it (chain state, generated secret). */
export function dataDirectory(db: string): string | null {
  if (storageKind(db) !== "libsql") return null;
  const path = db.replace(/^(file|libsql):(\/\/)?/, "");
  const slash = path.lastIndexOf("/");
  return slash === -1 ? "." : path.slice(0, slash) || "/";
}
