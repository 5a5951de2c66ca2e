/** The frame around every page (ui.md §1): sidebar, header, content, drawers, toasts. */
import { Outlet, useMatches } from "@tanstack/react-router";
import { lazy, Suspense, useEffect, useState } from "react";
import { Toaster } from "sonner";
import { ErrorBoundary } from "../components/ErrorBoundary.js";
import { Header } from "./Header.js";
import { NotificationFeeder } from "./NotificationBell.js";
import { Sidebar, useSidebarCollapsed } from "./Sidebar.js";
import { useMediaQuery } from "./use-media-query.js";
import { WalletWatcher } from "./WalletButton.js";

const GlobalDrawers = lazy(() => import("./GlobalDrawers.js"));

/** The deepest matched route's title; "Page not found" when nothing matched. */
export function usePageTitle(): string {
  const matches = useMatches();
  const last = matches[matches.length - 1];
  if (!last || last.status === "notFound" || matches.length === 1) return "Page not found";
  return last.staticData?.title ?? "XenBlocks";
}

export function Shell() {
  const title = usePageTitle();
  const wide = useMediaQuery("(min-width: 1024px)");
  const [collapsed, setCollapsed] = useSidebarCollapsed();
  const [drawerOpen, setDrawerOpen] = useState(false);

  useEffect(() => {
    document.title = title === "Overview" ? "XenBlocks" : `${title} — XenBlocks`;
  }, [title]);

  return (
    <div className="min-h-screen bg-canvas text-fg">
      <a
        href="#content"
        className="sr-only z-50 rounded-md bg-accent px-3 py-2 text-fg-inverse focus:not-sr-only focus:fixed focus:top-2 focus:left-2"
      >
        Skip to content
      </a>
      <Sidebar
        wide={wide}
        collapsed={wide && collapsed}
        onToggleCollapsed={() => setCollapsed(!collapsed)}
        drawerOpen={!wide && drawerOpen}
        onCloseDrawer={() => setDrawerOpen(false)}
      />
      <div
        className="flex min-h-screen flex-col transition-[padding]"
        style={{
          paddingLeft: wide ? (collapsed ? "var(--width-sidebar-collapsed)" : "var(--width-sidebar)") : 0,
        }}
      >
        <Header title={title} showMenu={!wide} onMenu={() => setDrawerOpen(true)} />
        <main
          id="content"
          tabIndex={-1}
          className="mx-auto w-full max-w-(--container-content) flex-1 p-6 outline-none"
        >
          <Outlet />
        </main>
      </div>
      <ErrorBoundary fallback={() => null}>
        <Suspense fallback={null}>
          <GlobalDrawers />
        </Suspense>
      </ErrorBoundary>
      <NotificationFeeder />
      <WalletWatcher />
      <Toaster
        position="bottom-right"
        theme="dark"
        closeButton
        toastOptions={{
          style: {
            background: "var(--color-surface-2)",
            border: "1px solid var(--color-line)",
            color: "var(--color-fg)",
            fontFamily: "var(--font-sans)",
          },
        }}
      />
    </div>
  );
}
