/**
 * Migrations: a database created at the first migration and filled with data is upgraded to the
 * latest with its data intact; migrations are recorded once; a failing migration stops the open
 * with a clear message.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Storage } from "@xenblocks/core";
import Database from "libsql";
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

/** A worker row as the first migration's schema has it (no gpu_names column yet). */
function oldWorkerSql(dialect: "sqlite" | "pg"): string {
  const [yes, no] = dialect === "pg" ? ["true", "false"] : ["1", "0"];
  const gpus = JSON.stringify([
    { index: 0, name: "NVIDIA GeForce RTX 4090", memoryGb: 24, busId: 1 },
    { index: 1, name: "NVIDIA A100", memoryGb: 80, busId: 2 },
  ]);
  const config = JSON.stringify({ address: "", prefix: "", blockPattern: "", difficulty: null });
  return `INSERT INTO workers (worker_id, owner, eth_address, gpus, gpu_count, total_memory_gb, version,
    registered_at, updated_at, online, last_seen_at, hashrate, active_gpus, config, uptime_sec, price_per_sec,
    min_duration_sec, max_duration_sec, listed, banned, suspect, online_sec, leases_completed, leases_failed,
    verified_lease_blocks, lease_blocks, self_blocks)
    VALUES ('old-worker', '0xa000000000000000000000000000000000000001', '0xa000000000000000000000000000000000000001',
    '${gpus}', 2, 104, '2.0.0', 1, 1, ${yes}, 1, 1000, 2, '${config}', 0, 10000, 60, 86400, ${yes}, ${no}, ${no},
    0, 0, 0, 0, 0, 0)`;
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
  // The worker written before the gpu_names migration is found by GPU name after it (backfilled).
  const found = await storage.workers.page({
    page: 1,
    limit: 10,
    sortBy: "workerId",
    sortDir: "asc",
    gpu: "a100",
  });
  expect(found.items.map((w) => w.workerId)).toEqual(["old-worker"]);
  expect(found.items[0]?.gpus).toHaveLength(2);
  // Its GPU names as reported were backfilled for the marketplace facets (migration 0004).
  expect(await storage.workers.gpuModelCounts({})).toStrictEqual([
    { model: "NVIDIA A100", count: 1 },
    { model: "NVIDIA GeForce RTX 4090", count: 1 },
  ]);
  expect(await storage.settings.setIfAbsent("k", "v")).toBe("v");
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
    const raw = new Database(file);
    raw.exec(oldWorkerSql("sqlite"));
    raw.close();
    // At the first migration the later table does not exist yet.
    const missing = await old.idempotency.get("x", "y").catch((error: Error) => error);
    expect(String((missing as Error).cause instanceof Error ? (missing as Error).cause : missing)).toMatch(
      /no such table: idempotency_keys/,
    );
    await old.close();
    const upgraded = await openLibsql(file);
    await expectFilled(upgraded);
    await upgraded.close();
    const native = new Database(file);
    const applied = native.prepare("SELECT count(*) AS n FROM __drizzle_migrations").get() as { n: number };
    const journal = JSON.parse(readFileSync(join(root, "sqlite", "meta", "_journal.json"), "utf8"));
    expect(applied.n).toBe(journal.entries.length);
    native.close();
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
    const raw = postgres(POSTGRES_URL, { max: 1, onnotice: () => {}, connection: { search_path: name } });
    await raw.unsafe(oldWorkerSql("pg"));
    await raw.end();
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
