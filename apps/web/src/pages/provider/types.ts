/** The provider API's shapes as this page uses them (inferred from the server's AppRouter). */
import type { Inputs, Outputs } from "../../api-types.js";

export type ProviderWorker = Outputs["provider"]["workers"]["items"][number];
export type WorkersFilter = NonNullable<
  Extract<Inputs["provider"]["workers"], { filter?: unknown }>["filter"]
>;
export type Settlement = Outputs["provider"]["earnings"]["items"][number];
export type WalletHistory = Outputs["wallet"]["history"];
export type HistoryPeriod = WalletHistory["period"];
export type Achievements = Outputs["wallet"]["achievements"];
export type ProviderDashboard = Outputs["provider"]["dashboard"];
