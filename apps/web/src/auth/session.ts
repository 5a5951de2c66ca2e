/**
 * The signed-in session: the JWT and who it is, kept in per-tab storage (sessionStorage, never
 * localStorage: ui.md §7.13). Listeners hear sign-in and sign-out.
 */
import type { Me } from "../api-types.js";

export interface Session {
  token: string;
  /** Epoch ms. */
  expiresAt: number;
  me: Me;
}

const KEY = "xenblocks.session";

export class SessionStore {
  private current: Session | null;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly storage: Pick<Storage, "getItem" | "setItem" | "removeItem"> | null,
    private readonly now: () => number = Date.now,
  ) {
    this.current = this.read();
  }

  get = (): Session | null => {
    if (this.current && this.current.expiresAt <= this.now()) this.clear();
    return this.current;
  };

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  set(session: Session): void {
    this.current = session;
    this.storage?.setItem(KEY, JSON.stringify(session));
    this.emit();
  }

  clear(): void {
    if (this.current === null) return;
    this.current = null;
    this.storage?.removeItem(KEY);
    this.emit();
  }

  private read(): Session | null {
    try {
      const raw = this.storage?.getItem(KEY);
      if (!raw) return null;
      const parsed = JSON.parse(raw) as Session;
      if (typeof parsed.token !== "string" || typeof parsed.expiresAt !== "number") return null;
      return parsed.expiresAt > this.now() ? parsed : null;
    } catch {
      return null;
    }
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}
