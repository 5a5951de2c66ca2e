/**
 * The notification bell's list (ui.md §1): state changes of the user's leases and online/offline
 * changes of the user's workers, newest first, the last 50 kept in memory.
 */
export const NOTIFICATIONS_CAP = 50;

export interface Notice {
  id: string;
  at: number;
  title: string;
  detail: string;
  tone: "success" | "danger" | "warning" | "info" | "accent";
  read: boolean;
}

export class NotificationStore {
  private list: Notice[] = [];
  private readonly listeners = new Set<() => void>();

  getAll = (): Notice[] => this.list;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  add(notices: Array<Omit<Notice, "read">>): void {
    if (notices.length === 0) return;
    const fresh = notices.filter((n) => !this.list.some((m) => m.id === n.id));
    this.list = [...fresh.reverse().map((n) => ({ ...n, read: false })), ...this.list].slice(
      0,
      NOTIFICATIONS_CAP,
    );
    this.emit();
  }

  markAllRead(): void {
    if (this.list.every((n) => n.read)) return;
    this.list = this.list.map((n) => (n.read ? n : { ...n, read: true }));
    this.emit();
  }

  clear(): void {
    this.list = [];
    this.emit();
  }

  unread(): number {
    return this.list.filter((n) => !n.read).length;
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}
