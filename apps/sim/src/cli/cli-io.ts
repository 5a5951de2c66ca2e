/**
 * What a command talks to: two output streams and a stop signal. `main.ts` wires them to the process
 * (stdout, stderr, SIGINT/SIGTERM); tests pass string sinks and their own AbortController, so every
 * command runs in-process without spawning anything.
 */

export interface CliOutput {
  write(text: string): unknown;
  /** On a terminal the progress line is rewritten in place; elsewhere (pipes, CI logs) lines are appended. */
  readonly isTTY?: boolean;
}

export interface CliIo {
  readonly out: CliOutput;
  readonly err: CliOutput;
  /** Aborted on SIGINT/SIGTERM: long-running commands stop, clean up and return. */
  readonly stop: AbortSignal;
}

/** A command's result: the process exit code. */
export type ExitCode = number;

export const EXIT_OK = 0;
/** The run failed: invariants violated, nothing connected, a port taken. */
export const EXIT_FAILURE = 1;
/** The command line was wrong: unknown command or flag, bad value. */
export const EXIT_USAGE = 2;

/** A bad command line. `runCli` prints it with a pointer to the help and exits with 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The command whose `--help` the message points to. */
    readonly command?: string,
  ) {
    super(message);
    this.name = "UsageError";
  }
}

export const println = (output: CliOutput, text = ""): void => {
  output.write(`${text}\n`);
};

/** Resolves when `signal` aborts, or after `ms` when given (whichever comes first). */
export function untilStopped(signal: AbortSignal, ms?: number): Promise<"stopped" | "elapsed"> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve("stopped");
    const timer = ms === undefined ? undefined : setTimeout(() => done("elapsed"), ms);
    const onAbort = (): void => done("stopped");
    function done(why: "stopped" | "elapsed"): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      resolve(why);
    }
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
