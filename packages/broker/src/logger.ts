/** The structured logger the broker writes to; the server passes its JSON logger, tests a silent one. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: Logger = { info() {}, warn() {} };

/**
 * Logs at most one line per key per interval, and says how many were held back: a worker retrying
 * a spoofed or malformed message every few seconds must not flood the log.
 */
export class RateLimitedLog {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs = 60_000,
    private readonly now: () => number = Date.now,
    /** Keys remembered at most; the map is cleared when full, so memory stays bounded under attack. */
    private readonly maxKeys = 10_000,
    /** Lines per interval across all keys: many distinct keys must not flood the log either. */
    private readonly maxLinesPerInterval = 100,
  ) {}

  private windowStart = Number.NEGATIVE_INFINITY;
  private linesInWindow = 0;
  private heldBack = 0;

  warn(key: string, message: string, fields: Record<string, unknown> = {}): void {
    const now = this.now();
    const entry = this.last.get(key);
    if (entry && now - entry.at < this.intervalMs) {
      entry.suppressed += 1;
      return;
    }
    if (now - this.windowStart >= this.intervalMs) {
      this.windowStart = now;
      this.linesInWindow = 0;
    }
    if (this.linesInWindow >= this.maxLinesPerInterval) {
      this.heldBack += 1;
      return;
    }
    this.linesInWindow += 1;
    if (!entry && this.last.size >= this.maxKeys) this.last.clear();
    const suppressed = (entry?.suppressed ?? 0) + this.heldBack;
    this.heldBack = 0;
    this.last.set(key, { at: now, suppressed: 0 });
    this.logger.warn(message, suppressed > 0 ? { ...fields, suppressed } : fields);
  }
}
