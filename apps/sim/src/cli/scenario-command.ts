/**
 * `scenario`: one CI scenario (a fleet against the platform, renters driving it, invariants checked at the
 * end) from `../scenario/`. The scenario module is imported when the command runs, so `fleet` and `chain`
 * never load the platform and its storage.
 */
import { type CliIo, EXIT_FAILURE, EXIT_OK, type ExitCode, println, UsageError } from "./cli-io.js";
import { integerFlag, numberFlag, parseFlags } from "./flags.js";
import { createProgress, formatElapsed } from "./progress.js";

export const EMBEDDED_PLATFORM = "embedded";
/** Exit code of a run cut short by SIGINT/SIGTERM (128 + SIGINT, as shells report it). */
export const EXIT_INTERRUPTED = 130;

const loadScenarios = () => import("../scenario/index.js");

export async function scenarioHelp(): Promise<string> {
  const { SCENARIO_NAMES, SCENARIO_DESCRIPTIONS } = await loadScenarios();
  const width = Math.max(...SCENARIO_NAMES.map((n) => n.length));
  const list = SCENARIO_NAMES.map((n) => `  ${n.padEnd(width)}  ${SCENARIO_DESCRIPTIONS[n]}`).join("\n");
  return `pnpm sim -- scenario — a CI scenario: a simulated fleet against the platform, renters driving it,
and the platform's invariants checked at the end

Usage: pnpm sim -- scenario NAME [--platform embedded|URL] [--workers N] [--seconds T] [--seed S]

Scenarios:
${list}

  --platform P   ${EMBEDDED_PLATFORM} (default): the platform runs in this process through its library API.
                 A URL (http://host:8080) is for driving a running server over its API, which comes
                 with the server; it is refused for now
  --workers N    fleet size (default: the scenario's)
  --seconds T    run length in seconds (default: the scenario's)
  --seed S       seed for every random choice; the same seed repeats the run (default: the scenario's)
  -h, --help     this text

Prints the scenario's figures and any violated invariant. Exit code 0 when every invariant held,
1 when one was violated, 2 for a bad command line.

Example: pnpm sim -- scenario churn --workers 50 --seconds 30 --seed 7`;
}

export async function scenarioCommand(args: readonly string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseFlags("scenario", {
    args: [...args],
    allowPositionals: true,
    options: {
      platform: { type: "string" },
      workers: { type: "string" },
      seconds: { type: "string" },
      seed: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    println(io.out, await scenarioHelp());
    return EXIT_OK;
  }
  checkPlatform(values.platform ?? EMBEDDED_PLATFORM);
  const scenarios = await loadScenarios();
  const [name, ...extra] = positionals;
  if (name === undefined)
    throw new UsageError(`scenario needs a NAME: ${scenarios.SCENARIO_NAMES.join(", ")}`, "scenario");
  if (extra.length > 0)
    throw new UsageError(`scenario takes one NAME, got also "${extra.join(" ")}"`, "scenario");
  const scenarioName = scenarios.SCENARIO_NAMES.find((n) => n === name);
  if (scenarioName === undefined) {
    throw new UsageError(
      `unknown scenario "${name}": choose ${scenarios.SCENARIO_NAMES.join(", ")}`,
      "scenario",
    );
  }
  const workers = integerFlag("workers", values.workers, { min: 1, max: 100_000 }, undefined);
  const seconds = numberFlag(
    "seconds",
    values.seconds,
    { min: 0, max: 86_400, exclusiveMin: true },
    undefined,
  );
  const seed = integerFlag("seed", values.seed, { min: 0, max: 2 ** 31 - 1 }, undefined);

  println(
    io.out,
    `scenario ${scenarioName} (platform embedded): ${scenarios.SCENARIO_DESCRIPTIONS[scenarioName]}`,
  );
  const progress = createProgress(io.out);
  const startedAt = Date.now();
  const run = scenarios.runScenario(scenarioName, {
    ...(workers !== undefined && { workers }),
    ...(seconds !== undefined && { seconds }),
    ...(seed !== undefined && { seed }),
    onProgress: (line) => progress.update(`[${formatElapsed(Date.now() - startedAt)}] ${line}`),
  });
  const interrupted = new Promise<"interrupted">((resolve) => {
    if (io.stop.aborted) resolve("interrupted");
    io.stop.addEventListener("abort", () => resolve("interrupted"), { once: true });
  });
  const report = await Promise.race([run, interrupted]);
  progress.finish();
  if (report === "interrupted") {
    // The scenario has no cancel: the caller exits the process, which drops its connections.
    run.catch(() => {});
    println(io.err, `scenario ${scenarioName}: interrupted, no verdict`);
    return EXIT_INTERRUPTED;
  }

  println(
    io.out,
    `\nscenario ${report.name}: ${report.ok ? "OK, every invariant held" : "INVARIANTS VIOLATED"} (${formatElapsed(Date.now() - startedAt)})`,
  );
  const figures = Object.entries(report.figures);
  if (figures.length > 0) {
    const width = Math.max(...figures.map(([k]) => k.length));
    println(io.out, "\nFigures:");
    for (const [key, value] of figures) println(io.out, `  ${key.padEnd(width)}  ${value}`);
  }
  if (report.violations.length > 0) {
    println(io.err, "\nViolations:");
    for (const violation of report.violations) println(io.err, `  - ${violation}`);
  }
  return report.ok ? EXIT_OK : EXIT_FAILURE;
}

/** Only the embedded platform exists: a server URL is refused with the reason, not silently ignored. */
function checkPlatform(raw: string): void {
  if (raw === EMBEDDED_PLATFORM) return;
  if (/^https?:\/\//i.test(raw)) {
    throw new UsageError(
      `--platform ${raw}: driving a running platform server over its API comes with the server issue; ` +
        `the server does not exist yet, so use --platform ${EMBEDDED_PLATFORM} (the default)`,
      "scenario",
    );
  }
  throw new UsageError(
    `--platform must be "${EMBEDDED_PLATFORM}" or an http(s) URL, got "${raw}"`,
    "scenario",
  );
}
