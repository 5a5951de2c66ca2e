/**
 * The live progress line of long runs. On a terminal it is rewritten in place every second; in a pipe or a
 * CI log a rewritten line would be an unreadable wall of `\r`, so there a full line goes out every 10 s.
 */
import type { CliOutput } from "./cli-io.js";

export const TTY_PERIOD_MS = 1000;
export const LOG_PERIOD_MS = 10_000;

export interface Progress {
  /** Shows `line` now (terminal: in place; log: only if the period has passed since the last one). */
  update(line: string): void;
  /** Ends the in-place line so what follows starts on a fresh one. */
  finish(): void;
}

/** Elapsed time as `1h02m03s` / `2m03s` / `3s`. */
export function formatElapsed(ms: number): string {
  const total = Math.floor(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, "0")}m${String(s).padStart(2, "0")}s`;
  if (m > 0) return `${m}m${String(s).padStart(2, "0")}s`;
  return `${s}s`;
}

export function createProgress(output: CliOutput, now: () => number = Date.now): Progress {
  const tty = output.isTTY === true;
  let lastLogAt = Number.NEGATIVE_INFINITY;
  let width = 0;
  let open = false;
  return {
    update(line) {
      if (tty) {
        // Pad over the previous line's tail: a shorter line would leave stale characters behind.
        output.write(`\r${line.padEnd(width)}`);
        width = Math.max(width, line.length);
        open = true;
        return;
      }
      const at = now();
      if (at - lastLogAt < LOG_PERIOD_MS) return;
      lastLogAt = at;
      output.write(`${line}\n`);
    },
    finish() {
      if (open) output.write("\n");
      open = false;
      width = 0;
    },
  };
}

/** Calls `line()` every `periodMs` and shows it; `stop()` clears the timer and ends the line. */
export function startTicker(
  progress: Progress,
  line: () => string,
  periodMs = TTY_PERIOD_MS,
): { stop(): void } {
  const timer = setInterval(() => progress.update(line()), periodMs);
  return {
    stop() {
      clearInterval(timer);
      progress.finish();
    },
  };
}
