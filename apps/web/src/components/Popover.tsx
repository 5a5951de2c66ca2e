/** A button that opens a panel below it: Escape and outside clicks close it; arrow keys move in menus. */
import { type ReactNode, useEffect, useId, useRef, useState } from "react";
import { cx } from "./ui.js";

export function Popover({
  button,
  label,
  children,
  role = "menu",
  onOpenChange,
  panelClassName,
}: {
  button: ReactNode;
  label: string;
  children: (close: () => void) => ReactNode;
  role?: "menu" | "dialog";
  onOpenChange?: (open: boolean) => void;
  panelClassName?: string;
}) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  const id = useId();
  const set = (value: boolean) => {
    setOpen(value);
    onOpenChange?.(value);
  };
  useEffect(() => {
    if (!open) return;
    const first = panel.current?.querySelector<HTMLElement>('[role="menuitem"], button, a[href]');
    first?.focus();
    const onDown = (e: MouseEvent) => {
      if (root.current && !root.current.contains(e.target as Node)) set(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        set(false);
        trigger.current?.focus();
      }
      if ((e.key === "ArrowDown" || e.key === "ArrowUp") && panel.current) {
        const items = [...panel.current.querySelectorAll<HTMLElement>('[role="menuitem"]')];
        if (items.length === 0) return;
        e.preventDefault();
        const at = items.indexOf(document.activeElement as HTMLElement);
        const next = e.key === "ArrowDown" ? (at + 1) % items.length : (at - 1 + items.length) % items.length;
        items[next]?.focus();
      }
    };
    document.addEventListener("mousedown", onDown);
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("mousedown", onDown);
      document.removeEventListener("keydown", onKey);
    };
  }, [open]);
  const panelClasses = cx(
    "absolute top-full right-0 z-50 mt-2 min-w-52 rounded-lg border border-line bg-surface-2 p-1 shadow-2xl",
    panelClassName,
  );
  return (
    <div ref={root} className="relative">
      <button
        ref={trigger}
        type="button"
        aria-haspopup={role}
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        aria-label={label}
        onClick={() => set(!open)}
        className="inline-flex h-9 items-center gap-2 rounded-md text-sm text-fg hover:bg-hover"
      >
        {button}
      </button>
      {open &&
        (role === "menu" ? (
          <div ref={panel} id={id} role="menu" aria-label={label} className={panelClasses}>
            {children(() => set(false))}
          </div>
        ) : (
          <div ref={panel} id={id} role="dialog" aria-label={label} className={panelClasses}>
            {children(() => set(false))}
          </div>
        ))}
    </div>
  );
}

export function MenuItem({ onSelect, children }: { onSelect: () => void; children: ReactNode }) {
  return (
    <button
      type="button"
      role="menuitem"
      onClick={onSelect}
      className="flex h-8 w-full items-center gap-2 rounded-md px-3 text-left text-sm text-fg-2 hover:bg-hover hover:text-fg focus:bg-hover focus:text-fg focus:outline-none"
    >
      {children}
    </button>
  );
}
