/**
 * Gives this test run an id (inherited by the test workers through the environment), and drops
 * the Postgres schemas of this run when it ends, and those of runs older than six hours (left by a
 * run that was killed). Other runs in progress on the same server keep theirs.
 */
import postgres from "postgres";

const SIX_HOURS = 6 * 3_600_000;

async function dropSchemas(url: string, keep: (runStartedAt: number, run: string) => boolean) {
  const sql = postgres(url, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    const rows = await sql<
      { nspname: string }[]
    >`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'xbt\\_%'`;
    for (const { nspname } of rows) {
      const run = nspname.split("_")[1] ?? "";
      const startedAt = Number.parseInt(run, 36);
      if (keep(Number.isFinite(startedAt) ? startedAt : 0, run)) continue;
      await sql.unsafe(`DROP SCHEMA IF EXISTS "${nspname}" CASCADE`);
    }
  } catch {
    // No server: the suites run on PGlite and there is nothing to clean.
  } finally {
    await sql.end({ timeout: 1 });
  }
}

export default async function setup() {
  const url = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
  const run = Date.now().toString(36);
  process.env.XB_TEST_RUN = run;
  await dropSchemas(url, (startedAt) => Date.now() - startedAt < SIX_HOURS);
  return () => dropSchemas(url, (_startedAt, owner) => owner !== run);
}
