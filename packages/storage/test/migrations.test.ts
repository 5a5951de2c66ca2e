/**
 * Migrations: a database created at the first migration and filled with data is upgraded to the
 * latest with its data intact; migrations are recorded once; a failing migration stops the open
 * with a clear message.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient } from "@libsql/client";
import type { Storage } from "@xenblocks/core";
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { MigrationError, openLibsql, openPostgres } from "../src/index.js";
import { POSTGRES_URL, TEST_SCHEMA_PREFIX } from "./engines.js";

const root = fileURLToPath(new URL("../migrations/", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "xenblocks-migrations-"));
let n = 0;

/** A copy of a dialect's migrations that stops after the first `count` entries of its journal. */
function firstMigrations(dialect: "sqlite" | "pg", count: number): string {
  const dir = join(scratch, `${dialect}-${++n}`);
  cpSync(join(root, dialect), dir, { recursive: true });
  const journalFile = join(dir, "meta", "_journal.json");
  const journal = JSON.parse(readFileSync(journalFile, "utf8"));
  journal.entries = journal.entries.slice(0, count);
  writeFileSync(journalFile, JSON.stringify(journal));
  return dir;
}

/** A copy with one more, broken migration at the end. */
function brokenMigrations(dialect: "sqlite" | "pg"): string {
  const dir = join(scratch, `${dialect}-broken-${++n}`);
  cpSync(join(root, dialect), dir, { recursive: true });
  const journalFile = join(dir, "meta", "_journal.json");
  const journal = JSON.parse(readFileSync(journalFile, "utf8"));
  const last = journal.entries.at(-1);
  journal.entries.push({ ...last, idx: last.idx + 1, when: last.when + 1, tag: "9999_broken" });
  writeFileSync(journalFile, JSON.stringify(journal));
  writeFileSync(join(dir, "9999_broken.sql"), "ALTER TABLE no_such_table ADD COLUMN nope integer;");
  return dir;
}

async function fill(storage: Storage) {
  await storage.accounts.ensure("0xa000000000000000000000000000000000000001", 1);
  await storage.ledger.post(
    [
      {
        id: "deposit:manual:first",
        type: "deposit",
        from: "world",
        to: "user:0xa000000000000000000000000000000000000001",
        amount: 5_000_000n,
        reference: { kind: "deposit", id: "first" },
        createdAt: 2,
        fromBalanceAfter: -5_000_000n,
        toBalanceAfter: 5_000_000n,
      },
    ],
    new Map([
      ["world", -5_000_000n],
      ["user:0xa000000000000000000000000000000000000001", 5_000_000n],
    ]),
  );
  await storage.health.append({
    at: 3,
    workerId: "w-1",
    kind: "offline",
    reason: "timeout",
    offlineForSec: null,
  });
}

async function expectFilled(storage: Storage) {
  expect(await storage.accounts.get("0xa000000000000000000000000000000000000001")).toEqual({
    address: "0xa000000000000000000000000000000000000001",
    createdAt: 1,
  });
  expect((await storage.ledger.getTransfer("deposit:manual:first"))?.amount).toBe(5_000_000n);
  expect(await storage.ledger.allBalances()).toEqual(
    new Map([
      ["world", -5_000_000n],
      ["user:0xa000000000000000000000000000000000000001", 5_000_000n],
    ]),
  );
  expect((await storage.health.list({ limit: 5 })).items).toHaveLength(1);
  // The table the later migration added works.
  await storage.idempotency.insert({
    actor: "0xa000000000000000000000000000000000000001",
    key: "k1",
    operation: "rental.rent",
    requestHash: "h",
    response: "{}",
    createdAt: 4,
  });
  expect((await storage.idempotency.get("0xa000000000000000000000000000000000000001", "k1"))?.operation).toBe(
    "rental.rent",
  );
}

describe("libSQL migrations", () => {
  it("upgrades a database created at the first migration and keeps its data", async () => {
    const file = join(scratch, `upgrade-${++n}.db`);
    const old = await openLibsql(file, { migrationsFolder: firstMigrations("sqlite", 1) });
    await fill(old);
    // At the first migration the later table does not exist yet.
    const missing = await old.idempotency.get("x", "y").catch((error: Error) => error);
    expect(String((missing as Error).cause instanceof Error ? (missing as Error).cause : missing)).toMatch(
      /no such table: idempotency_keys/,
    );
    await old.close();
    const upgraded = await openLibsql(file);
    await expectFilled(upgraded);
    await upgraded.close();
    const client = createClient({ url: `file:${file}` });
    const applied = await client.execute("SELECT count(*) AS n FROM __drizzle_migrations");
    const journal = JSON.parse(readFileSync(join(root, "sqlite", "meta", "_journal.json"), "utf8"));
    expect(Number(applied.rows[0]?.n)).toBe(journal.entries.length);
    client.close();
    // Opening again applies nothing twice.
    await (await openLibsql(file)).close();
  });

  it("stops the open with a clear message when a migration fails", async () => {
    const file = join(scratch, `broken-${++n}.db`);
    const attempt = openLibsql(file, { migrationsFolder: brokenMigrations("sqlite") });
    await expect(attempt).rejects.toBeInstanceOf(MigrationError);
    await expect(attempt).rejects.toThrow(
      /database migration failed on libSQL .*no such table: no_such_table/,
    );
  });
});

describe("Postgres migrations", () => {
  const schema = () => `${TEST_SCHEMA_PREFIX}mig_${process.pid}_${++n}`;

  it("upgrades a database created at the first migration and keeps its data", async () => {
    const name = schema();
    const old = await openPostgres(POSTGRES_URL, {
      schema: name,
      migrationsFolder: firstMigrations("pg", 1),
    });
    await fill(old);
    await old.close();
    const upgraded = await openPostgres(POSTGRES_URL, { schema: name });
    await expectFilled(upgraded);
    await upgraded.close();
    const sql = postgres(POSTGRES_URL, { max: 1, onnotice: () => {} });
    const [row] = await sql.unsafe(`SELECT count(*)::int AS n FROM "${name}"."__drizzle_migrations"`);
    const journal = JSON.parse(readFileSync(join(root, "pg", "meta", "_journal.json"), "utf8"));
    expect(row?.n).toBe(journal.entries.length);
    await sql.end();
  });

  it("stops the open with a clear message when a migration fails", async () => {
    const attempt = openPostgres(POSTGRES_URL, {
      schema: schema(),
      migrationsFolder: brokenMigrations("pg"),
    });
    await expect(attempt).rejects.toBeInstanceOf(MigrationError);
    await expect(attempt).rejects.toThrow(/database migration failed on Postgres .*no_such_table/);
  });
});
