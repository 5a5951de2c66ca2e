/**
 * Runs CLI commands in-process for tests: output goes to strings, and the test holds the stop signal
 * that SIGINT/SIGTERM would fire. Excluded from the build (`src/**\/testing/**`).
 */
import type { CliIo, CliOutput } from "../cli-io.js";
import { runCli } from "../run-cli.js";

export class StringOutput implements CliOutput {
  text = "";
  constructor(readonly isTTY = false) {}
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

export interface CliRun {
  readonly out: StringOutput;
  readonly err: StringOutput;
  /** What SIGINT would do. */
  stop(): void;
  /** The exit code once the command returns. */
  readonly done: Promise<number>;
}

export function startCli(argv: readonly string[], options: { readonly tty?: boolean } = {}): CliRun {
  const out = new StringOutput(options.tty ?? false);
  const err = new StringOutput(false);
  const controller = new AbortController();
  const io: CliIo = { out, err, stop: controller.signal };
  return { out, err, stop: () => controller.abort(), done: runCli(argv, io) };
}

/** Runs a command to completion. */
export async function runToEnd(
  argv: readonly string[],
): Promise<{ readonly code: number; readonly out: string; readonly err: string }> {
  const run = startCli(argv);
  const code = await run.done;
  return { code, out: run.out.text, err: run.err.text };
}

/** Polls until `condition` holds; rejects with `what` after `timeoutMs`. */
export async function eventually(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
