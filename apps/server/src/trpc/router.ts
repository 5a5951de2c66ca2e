/**
 * The API (api.md §2, §3): one router per area, each in `routers/`. `type AppRouter` is what the
 * dashboard imports (`@xenblocks/server/router`).
 */
import { account } from "./routers/account.js";
import { admin } from "./routers/admin.js";
import { auth } from "./routers/auth.js";
import { live } from "./routers/live.js";
import { marketplace } from "./routers/marketplace.js";
import { monitoring } from "./routers/monitoring.js";
import { overview } from "./routers/overview.js";
import { provider } from "./routers/provider.js";
import { rental } from "./routers/rental.js";
import { wallet } from "./routers/wallet.js";
import { router } from "./trpc.js";

export const appRouter = router({
  overview,
  monitoring,
  marketplace,
  rental,
  provider,
  auth,
  account,
  wallet,
  admin,
  live,
});
export type AppRouter = typeof appRouter;
