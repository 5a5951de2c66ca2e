/** The API's shapes as the dashboard sees them, inferred from the server's AppRouter (types only). */
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@xenblocks/server/router";

export type { AppRouter };
export type Outputs = inferRouterOutputs<AppRouter>;
export type Inputs = inferRouterInputs<AppRouter>;

type Yield<T> = T extends AsyncIterable<infer U> ? U : never;
type TrackedPayload<T> = T extends { id: string; data: infer D } ? D : never;

export type LiveSnapshot = Outputs["live"]["snapshot"];
export type MonitoringStats = Outputs["monitoring"]["stats"];
export type Block = Outputs["monitoring"]["recentBlocks"][number];
/** One public live event (api.md §3), `type` discriminates. */
export type LiveEvent = TrackedPayload<Yield<Outputs["live"]["events"]>>;
/** One event of the caller's lease stream. */
export type LeaseEvent = TrackedPayload<Yield<Outputs["live"]["leases"]>>;
export type ActivityItem = Outputs["overview"]["activity"]["items"][number];
export type HealthItem = Outputs["monitoring"]["health"]["items"][number];
export type FleetWorker = Outputs["monitoring"]["fleet"]["items"][number];
export type FleetInput = NonNullable<Inputs["monitoring"]["fleet"]>;
export type WorkerDetail = Outputs["monitoring"]["worker"];
export type Lease = Outputs["rental"]["lease"];
export type Me = Outputs["auth"]["me"];
