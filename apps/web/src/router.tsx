/**
 * Code-based, typed routes (ui.md §1–2). Every page is its own lazy chunk with its own error
 * boundary; unknown paths render NotFound. `?worker=` and `?lease=` open the drawers on any page.
 */
import {
  createRootRoute,
  createRoute,
  createRouter,
  type ErrorComponentProps,
  lazyRouteComponent,
} from "@tanstack/react-router";
import { RouteError } from "./components/ErrorBoundary.js";
import { PageSkeleton } from "./components/PageSkeleton.js";
import { validateMarketplaceSearch } from "./pages/marketplace/search.js";
import { NotFoundPage } from "./pages/not-found/NotFoundPage.js";
import { Shell } from "./shell/Shell.js";

declare module "@tanstack/react-router" {
  interface StaticDataRouteOption {
    /** The page title (header and browser tab). */
    title?: string;
  }
  interface Register {
    router: typeof router;
  }
}

export interface RootSearch {
  worker?: string;
  lease?: string;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim().slice(0, 128) : undefined;
}

const rootRoute = createRootRoute({
  validateSearch: (search: Record<string, unknown>): RootSearch => {
    const worker = text(search.worker);
    const lease = text(search.lease);
    return { ...(worker && { worker }), ...(lease && { lease }) };
  },
  component: Shell,
  notFoundComponent: NotFoundPage,
});

function routeError({ error, reset }: ErrorComponentProps) {
  return <RouteError error={error} reset={reset} />;
}

export const FLEET_STATUSES = ["all", "online", "offline"] as const;
export const FLEET_SORTS = [
  "hashrate",
  "lastSeen",
  "gpus",
  "activeGpus",
  "blocks",
  "workerId",
  "owner",
  "state",
  "uptime",
] as const;
export const PAGE_SIZES = [20, 50, 100] as const;

export interface MonitoringSearch {
  status?: (typeof FLEET_STATUSES)[number];
  sort?: (typeof FLEET_SORTS)[number];
  dir?: "asc" | "desc";
  page?: number;
  limit?: (typeof PAGE_SIZES)[number];
  q?: string;
  owner?: string;
}

function oneOf<T extends string | number>(list: readonly T[], value: unknown): T | undefined {
  return list.includes(value as T) ? (value as T) : undefined;
}

const overviewRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/",
  staticData: { title: "Overview" },
  component: lazyRouteComponent(() => import("./pages/overview/OverviewPage.js"), "OverviewPage"),
  pendingComponent: PageSkeleton,
  errorComponent: routeError,
});

const monitoringRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/monitoring",
  staticData: { title: "Monitoring" },
  validateSearch: (search: Record<string, unknown>): MonitoringSearch => {
    const page = Number(search.page);
    const out: MonitoringSearch = {};
    const status = oneOf(FLEET_STATUSES, search.status);
    const sort = oneOf(FLEET_SORTS, search.sort);
    const dir = oneOf(["asc", "desc"] as const, search.dir);
    const limit = oneOf(PAGE_SIZES, Number(search.limit));
    const q = text(search.q);
    const owner = text(search.owner);
    if (status) out.status = status;
    if (sort) out.sort = sort;
    if (dir) out.dir = dir;
    if (Number.isSafeInteger(page) && page > 1) out.page = page;
    if (limit) out.limit = limit;
    if (q) out.q = q.slice(0, 64);
    if (owner && /^0x[0-9a-fA-F]{40}$/.test(owner)) out.owner = owner;
    return out;
  },
  component: lazyRouteComponent(() => import("./pages/monitoring/MonitoringPage.js"), "MonitoringPage"),
  pendingComponent: PageSkeleton,
  errorComponent: routeError,
});

const marketplaceRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/marketplace",
  staticData: { title: "Marketplace" },
  validateSearch: validateMarketplaceSearch,
  component: lazyRouteComponent(() => import("./pages/marketplace/MarketplacePage.js"), "MarketplacePage"),
  pendingComponent: PageSkeleton,
  errorComponent: routeError,
});

const providerRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/provider",
  staticData: { title: "Provider" },
  component: lazyRouteComponent(() => import("./pages/provider/ProviderPage.js"), "ProviderPage"),
  pendingComponent: PageSkeleton,
  errorComponent: routeError,
});

const renterRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/renter",
  staticData: { title: "Renter" },
  component: lazyRouteComponent(() => import("./pages/renter/RenterPage.js"), "RenterPage"),
  pendingComponent: PageSkeleton,
  errorComponent: routeError,
});

const accountRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/account",
  staticData: { title: "Account" },
  component: lazyRouteComponent(() => import("./pages/account/AccountPage.js"), "AccountPage"),
  pendingComponent: PageSkeleton,
  errorComponent: routeError,
});

const routeTree = rootRoute.addChildren([
  overviewRoute,
  monitoringRoute,
  marketplaceRoute,
  providerRoute,
  renterRoute,
  accountRoute,
]);

export const router = createRouter({
  routeTree,
  defaultPreload: "intent",
  defaultPendingMs: 150,
  scrollRestoration: true,
});
