/**
 * The global search (ui.md §1): a worker id opens the worker drawer on Monitoring, a lease id the lease
 * drawer, an address the fleet filtered by owner. `/` focuses it.
 */
import { useNavigate } from "@tanstack/react-router";
import { useEffect, useRef, useState } from "react";
import { toast } from "sonner";
import { IconSearch } from "../components/icons.js";
import { classifySearch } from "../lib/search.js";

export function GlobalSearch() {
  const navigate = useNavigate();
  const input = useRef<HTMLInputElement>(null);
  const [value, setValue] = useState("");

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "/" || e.metaKey || e.ctrlKey || e.altKey) return;
      const target = e.target as HTMLElement | null;
      if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
      e.preventDefault();
      input.current?.focus();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);

  const submit = () => {
    const target = classifySearch(value);
    switch (target.kind) {
      case "none":
        if (value.trim() !== "") toast.error("Enter a worker id, a lease id (lease-…) or a 0x address");
        return;
      case "address":
        void navigate({ to: "/monitoring", search: { owner: target.address } });
        break;
      case "worker":
        void navigate({ to: "/monitoring", search: { worker: target.workerId } });
        break;
      case "lease":
        void navigate({ to: ".", search: (prev) => ({ ...prev, lease: target.leaseId }) });
        break;
    }
    setValue("");
    input.current?.blur();
  };

  return (
    <search className="w-full max-w-md">
      <form
        className="relative w-full"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <IconSearch
          size={14}
          className="pointer-events-none absolute top-1/2 left-3 -translate-y-1/2 text-fg-3"
        />
        <input
          ref={input}
          type="search"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          aria-label="Search worker id, lease id or address"
          placeholder="Worker id, lease id or 0x address"
          className="h-9 w-full rounded-md border border-line bg-surface-1 pr-9 pl-9 text-sm text-fg placeholder:text-fg-3 hover:border-line-hover focus:border-accent focus:outline-none"
        />
        <kbd className="pointer-events-none absolute top-1/2 right-2.5 hidden -translate-y-1/2 rounded-sm border border-line px-1.5 font-mono text-2xs text-fg-3 sm:block">
          /
        </kbd>
      </form>
    </search>
  );
}
