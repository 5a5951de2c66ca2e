/**
 * A keyed in-memory table whose writes can be undone: inside a transaction every write records
 * how to restore the previous row, so a failed transaction leaves no trace. Rows are cloned on the
 * way in and out, so callers can never mutate stored state by accident.
 */
export type Undo = () => void;

export class Journal {
  private readonly undos: Undo[] = [];
  record(undo: Undo): void {
    this.undos.push(undo);
  }
  rollback(): void {
    for (let i = this.undos.length - 1; i >= 0; i--) this.undos[i]!();
    this.undos.length = 0;
  }
}

export class Table<K, V> {
  private readonly rows = new Map<K, V>();

  constructor(private readonly journal: () => Journal | null) {}

  get(key: K): V | undefined {
    const row = this.rows.get(key);
    return row === undefined ? undefined : structuredClone(row);
  }

  has(key: K): boolean {
    return this.rows.has(key);
  }

  /** Live rows for scans inside the adapter; never hand them out without cloning. */
  values(): IterableIterator<V> {
    return this.rows.values();
  }

  /** Live keys and rows, like `values()`. */
  entries(): IterableIterator<[K, V]> {
    return this.rows.entries();
  }

  get size(): number {
    return this.rows.size;
  }

  set(key: K, value: V): void {
    const previous = this.rows.get(key);
    this.journal()?.record(() => {
      if (previous === undefined) this.rows.delete(key);
      else this.rows.set(key, previous);
    });
    this.rows.set(key, structuredClone(value));
  }

  /** Shallow-merges a patch into an existing row; returns false when the row does not exist. */
  patch(key: K, patch: Partial<V>): boolean {
    const current = this.rows.get(key);
    if (current === undefined) return false;
    this.set(key, { ...current, ...structuredClone(patch) });
    return true;
  }

  delete(key: K): void {
    const previous = this.rows.get(key);
    if (previous === undefined) return;
    this.journal()?.record(() => this.rows.set(key, previous));
    this.rows.delete(key);
  }
}

/** An append-only list with auto-increment ids, undoable like a Table. */
export class Log<V extends { id: number }> {
  private readonly items: V[] = [];
  private nextId = 1;

  constructor(private readonly journal: () => Journal | null) {}

  append(item: Omit<V, "id">): V {
    const row = { ...structuredClone(item), id: this.nextId++ } as V;
    this.items.push(row);
    this.journal()?.record(() => {
      this.items.pop();
      this.nextId--;
    });
    return structuredClone(row);
  }

  /** Live rows, oldest first. */
  all(): readonly V[] {
    return this.items;
  }

  /** Deletes the rows that match (retention); undoable like every other write. */
  removeWhere(match: (row: V) => boolean): number {
    const kept = this.items.filter((row) => !match(row));
    const removed = this.items.length - kept.length;
    if (removed === 0) return 0;
    const before = this.items.slice();
    // Replaced element by element: spreading a long log into splice() would pass it as arguments
    // and overflow the call stack for large tables.
    replaceContents(this.items, kept);
    this.journal()?.record(() => replaceContents(this.items, before));
    return removed;
  }
}

function replaceContents<V>(target: V[], source: readonly V[]): void {
  target.length = 0;
  for (const item of source) target.push(item);
}
