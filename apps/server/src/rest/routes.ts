/** Every REST route of api.md §4, in one table: the handler serves it and the OpenAPI document describes it. */
import { openApiRoute } from "./openapi.js";
import type { RestRoute } from "./route.js";
import { accountRoutes } from "./routes-account.js";
import { fleetRoutes } from "./routes-fleet.js";
import { marketRoutes } from "./routes-market.js";
import { overviewRoutes } from "./routes-overview.js";
import { providerRoutes } from "./routes-provider.js";
import { rentalRoutes } from "./routes-rental.js";
import { renterRoutes } from "./routes-renter.js";
import { walletRoutes } from "./routes-wallet.js";

export const REST_ROUTES: readonly RestRoute[] = [
  ...overviewRoutes,
  ...fleetRoutes,
  ...marketRoutes,
  ...rentalRoutes,
  ...renterRoutes,
  ...providerRoutes,
  ...accountRoutes,
  ...walletRoutes,
  openApiRoute(() => REST_ROUTES),
];
