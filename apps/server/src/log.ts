/** Structured logs: one JSON object per line on stdout, with a level threshold. */
import type { Logger } from "@xenblocks/broker";

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
export type LogLevel = keyof typeof LEVELS;

export interface ServerLogger extends Logger {
  error(message: string, fields?: Record<string, unknown>): void;
}

export function createLogger(
  level: LogLevel,
  write: (line: string) => void = (line) => process.stdout.write(line),
  now: () => number = Date.now,
): ServerLogger {
  const threshold = LEVELS[level];
  const emit = (at: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (LEVELS[at] < threshold) return;
    write(
      `${JSON.stringify({ time: new Date(now()).toISOString(), level: at, msg: message, ...fields }, jsonSafe)}\n`,
    );
  };
  return {
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
  };
}

/** Money is bigint in the domain; logs show it as a string rather than failing to serialize. */
function jsonSafe(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}
