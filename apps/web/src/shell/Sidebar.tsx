/** Navigation (ui.md §1): groups, collapsible to icons, a drawer below 1024 px; connection in the footer. */
import { Link } from "@tanstack/react-router";
import { type ComponentType, useEffect, useState } from "react";
import {
  IconAccount,
  IconChevronLeft,
  IconChevronRight,
  IconClose,
  IconLogo,
  IconMarket,
  IconMonitoring,
  IconOverview,
  IconProvider,
  IconRenter,
} from "../components/icons.js";
import { cx } from "../components/ui.js";
import { ConnectionIndicator } from "./ConnectionIndicator.js";
import { useServerVersion } from "./use-server-version.js";

type To = "/" | "/monitoring" | "/marketplace" | "/provider" | "/renter" | "/account";

const GROUPS: Array<{
  label: string;
  items: Array<{ to: To; label: string; icon: ComponentType<{ size?: number }> }>;
}> = [
  {
    label: "Network",
    items: [
      { to: "/", label: "Overview", icon: IconOverview },
      { to: "/monitoring", label: "Monitoring", icon: IconMonitoring },
      { to: "/marketplace", label: "Marketplace", icon: IconMarket },
    ],
  },
  {
    label: "My account",
    items: [
      { to: "/provider", label: "Provider", icon: IconProvider },
      { to: "/renter", label: "Renter", icon: IconRenter },
      { to: "/account", label: "Account", icon: IconAccount },
    ],
  },
];

const KEY = "xenblocks.sidebar.collapsed";

/** Collapsed or not, remembered (a layout preference, not a secret). */
export function useSidebarCollapsed(): [boolean, (v: boolean) => void] {
  const [collapsed, setCollapsed] = useState(() => {
    try {
      return window.localStorage.getItem(KEY) === "1";
    } catch {
      return false;
    }
  });
  useEffect(() => {
    try {
      window.localStorage.setItem(KEY, collapsed ? "1" : "0");
    } catch {
      // Private mode: not remembered.
    }
  }, [collapsed]);
  return [collapsed, setCollapsed];
}

export function Sidebar({
  wide,
  collapsed,
  onToggleCollapsed,
  drawerOpen,
  onCloseDrawer,
}: {
  wide: boolean;
  collapsed: boolean;
  onToggleCollapsed: () => void;
  drawerOpen: boolean;
  onCloseDrawer: () => void;
}) {
  const version = useServerVersion();
  useEffect(() => {
    if (!drawerOpen) return;
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && onCloseDrawer();
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [drawerOpen, onCloseDrawer]);
  if (!wide && !drawerOpen) return null;

  const nav = (
    <aside
      aria-label="Sidebar"
      className={cx(
        "fixed inset-y-0 left-0 z-40 flex flex-col border-r border-line bg-surface-1 transition-[width]",
        collapsed ? "w-(--width-sidebar-collapsed)" : "w-(--width-sidebar)",
      )}
    >
      <div
        className={cx(
          "flex h-14 shrink-0 items-center border-b border-line",
          collapsed ? "justify-center" : "justify-between px-4",
        )}
      >
        <Link
          to="/"
          className="flex items-center gap-2 rounded-md text-fg"
          aria-label="XenBlocks home"
          onClick={onCloseDrawer}
        >
          <span className="flex h-8 w-8 items-center justify-center rounded-md bg-accent-muted text-accent">
            <IconLogo size={18} />
          </span>
          {!collapsed && <span className="text-base font-semibold">XenBlocks</span>}
        </Link>
        {!wide && (
          <button
            type="button"
            onClick={onCloseDrawer}
            aria-label="Close navigation"
            className="inline-flex h-8 w-8 items-center justify-center rounded-md text-fg-2 hover:bg-hover hover:text-fg"
          >
            <IconClose />
          </button>
        )}
      </div>
      <nav aria-label="Main" className="flex-1 overflow-y-auto px-2 py-4">
        {GROUPS.map((group) => (
          <div key={group.label} className="mb-5">
            {!collapsed && (
              <div className="mb-1 px-3 text-2xs font-medium tracking-wide text-fg-3 uppercase">
                {group.label}
              </div>
            )}
            <ul className="flex flex-col gap-0.5">
              {group.items.map(({ to, label, icon: Icon }) => (
                <li key={to}>
                  <Link
                    to={to}
                    onClick={onCloseDrawer}
                    activeOptions={{ exact: to === "/", includeSearch: false }}
                    title={collapsed ? label : undefined}
                    aria-label={collapsed ? label : undefined}
                    className={cx(
                      "flex h-9 items-center gap-3 rounded-md text-sm font-medium text-fg-2 transition-colors hover:bg-hover hover:text-fg",
                      "data-[status=active]:bg-accent-muted data-[status=active]:text-accent",
                      collapsed ? "justify-center" : "px-3",
                    )}
                  >
                    <Icon size={18} />
                    {!collapsed && label}
                  </Link>
                </li>
              ))}
            </ul>
          </div>
        ))}
      </nav>
      <div className={cx("shrink-0 border-t border-line py-3", collapsed ? "px-2" : "px-4")}>
        <ConnectionIndicator compact={collapsed} />
        {!collapsed && version && <div className="mt-1 text-2xs text-fg-3">Server v{version}</div>}
        {wide && (
          <button
            type="button"
            onClick={onToggleCollapsed}
            aria-label={collapsed ? "Expand sidebar" : "Collapse sidebar"}
            aria-expanded={!collapsed}
            className={cx(
              "mt-2 inline-flex h-7 items-center gap-2 rounded-md text-xs text-fg-3 hover:bg-hover hover:text-fg",
              collapsed ? "w-full justify-center" : "px-2",
            )}
          >
            {collapsed ? <IconChevronRight size={14} /> : <IconChevronLeft size={14} />}
            {!collapsed && "Collapse"}
          </button>
        )}
      </div>
    </aside>
  );

  if (wide) return nav;
  return (
    <div className="fixed inset-0 z-40" role="dialog" aria-modal="true" aria-label="Navigation">
      <div className="absolute inset-0 bg-canvas/70" onClick={onCloseDrawer} aria-hidden="true" />
      {nav}
    </div>
  );
}
