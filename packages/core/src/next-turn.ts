/**
 * A turn of the host's event loop (`setImmediate`), or just a microtask where there is none: long work
 * in core (a reload of the listing index, a large hashrate snapshot) yields between its slices, so the
 * requests waiting meanwhile are served. Core owns no timers; this only lets queued work run.
 */
export function nextTurn(): Promise<void> {
  const host = globalThis as { setImmediate?: (callback: () => void) => unknown };
  return new Promise<void>((resolve) => (host.setImmediate ? host.setImmediate(resolve) : resolve()));
}
