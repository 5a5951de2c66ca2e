/**
 * The two schemas must stay twins: one repository implementation reads and writes both, so every
 * table, JavaScript key, column name, nullability, index and uniqueness rule must match.
 */
import { getTableColumns, getTableName } from "drizzle-orm";
import { getTableConfig as pgConfig } from "drizzle-orm/pg-core";
import { getTableConfig as sqliteConfig } from "drizzle-orm/sqlite-core";
import { describe, expect, it } from "vitest";
import * as pg from "./schema.pg.js";
import * as sqlite from "./schema.sqlite.js";

type AnyTable = Parameters<typeof getTableColumns>[0];
const tables = (mod: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(mod).filter(([, v]) => typeof v === "object" && v !== null && getTableName(v as AnyTable)),
  );

function shape(table: AnyTable) {
  return Object.fromEntries(
    Object.entries(getTableColumns(table)).map(([key, column]) => [
      key,
      { name: column.name, notNull: column.notNull, primary: column.primary },
    ]),
  );
}

describe("SQLite and Postgres schemas", () => {
  const s = tables(sqlite);
  const p = tables(pg);

  it("declare the same tables under the same keys and names", () => {
    expect(Object.keys(p).sort()).toEqual(Object.keys(s).sort());
    for (const key of Object.keys(s))
      expect(getTableName(p[key] as AnyTable)).toBe(getTableName(s[key] as AnyTable));
  });

  it.each(Object.keys(tables(sqlite)))("%s has the same columns, keys and nullability", (key) => {
    expect(shape(p[key] as AnyTable)).toEqual(shape(s[key] as AnyTable));
  });

  it.each(Object.keys(tables(sqlite)))("%s has the same indexes, uniqueness and primary keys", (key) => {
    const a = sqliteConfig(s[key] as never);
    const b = pgConfig(p[key] as never);
    const indexes = (list: { config: { name: string; unique: boolean; columns: unknown[] } }[]) =>
      list
        .map((i) => ({ name: i.config.name, unique: i.config.unique, columns: i.config.columns.length }))
        .sort((x, y) => x.name.localeCompare(y.name));
    expect(indexes(b.indexes as never)).toEqual(indexes(a.indexes as never));
    const pks = (list: { columns: { name: string }[] }[]) => list.map((k) => k.columns.map((c) => c.name));
    expect(pks(b.primaryKeys as never)).toEqual(pks(a.primaryKeys as never));
    expect(b.checks.map((c) => c.name).sort()).toEqual(a.checks.map((c) => c.name).sort());
  });
});
