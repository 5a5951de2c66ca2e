/** React access to the services: the session, the live store, notifications. */
import { createContext, type ReactNode, useContext, useSyncExternalStore } from "react";
import type { Session } from "../auth/session.js";
import type { LiveState } from "../live/store.js";
import type { Services } from "./services.js";

const ServicesContext = createContext<Services | null>(null);

export function ServicesProvider({ services, children }: { services: Services; children: ReactNode }) {
  return <ServicesContext.Provider value={services}>{children}</ServicesContext.Provider>;
}

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error("useServices outside ServicesProvider");
  return services;
}

export function useSession(): Session | null {
  const { session } = useServices();
  return useSyncExternalStore(session.subscribe, session.get, session.get);
}

/** A slice of the live state; re-renders only when the selected value changes identity. */
export function useLive<T>(select: (state: LiveState) => T): T {
  const { live } = useServices();
  return useSyncExternalStore(
    live.subscribe,
    () => select(live.getState()),
    () => select(live.getState()),
  );
}
