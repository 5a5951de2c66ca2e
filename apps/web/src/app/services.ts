/**
 * The app's long-lived objects, made once per page load: session, API client, query client, live
 * store and connection, notifications. Wiring between them lives here, not in components.
 */
import type { QueryClient } from "@tanstack/react-query";
import { SessionStore } from "../auth/session.js";
import { LiveConnection, type LiveTransport } from "../live/connection.js";
import { NotificationStore } from "../live/notifications.js";
import { LiveStore, OFFLINE_AFTER_MS } from "../live/store.js";
import { type ApiClient, createApi, createQueryClient } from "../trpc.js";

export interface Services {
  session: SessionStore;
  api: ApiClient;
  queryClient: QueryClient;
  live: LiveStore;
  connection: LiveConnection;
  notifications: NotificationStore;
}

function perTabStorage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

export function createServices(): Services {
  const session = new SessionStore(perTabStorage());
  const live = new LiveStore();
  let connection: LiveConnection | null = null;
  const { client, wsClient } = createApi({
    session,
    onSocketRetry: (delay) => connection?.socketRetryScheduled(delay),
  });
  const offline = () => {
    const c = live.getState().connection;
    return (
      c.status !== "live" &&
      c.disconnectedSince !== null &&
      Date.now() - c.disconnectedSince > OFFLINE_AFTER_MS
    );
  };
  const queryClient = createQueryClient(offline);

  const transport: LiveTransport = {
    snapshot: () => client.live.snapshot.query(),
    events: (lastEventId, h) =>
      client.live.events.subscribe(lastEventId === null ? {} : { lastEventId }, {
        onStarted: () => h.onStarted(),
        onData: ({ id, data }) => h.onData(id, data),
        onError: (e) => h.onError(e),
        onComplete: () => h.onComplete(),
        onConnectionStateChange: (s) => h.onSocket(s.state === "pending" ? "open" : s.state, s.error),
      }),
    leases: (lastEventId, h) =>
      client.live.leases.subscribe(lastEventId === null ? {} : { lastEventId }, {
        onStarted: () => h.onStarted(),
        onData: ({ id, data }) => h.onData(id, data),
        onError: (e) => h.onError(e),
        onComplete: () => h.onComplete(),
      }),
    resetSocket: () => wsClient.close(),
  };
  connection = new LiveConnection(live, transport);
  const notifications = new NotificationStore();

  // Live side effects (ui.md §6.3): resync → everything stale; worker → fleet pages stale (2 s
  // debounce); lease → lease caches and the balance.
  let workerTimer: ReturnType<typeof setTimeout> | null = null;
  let seenResyncs = 0;
  let seenWorkerChanges = 0;
  live.onBatch(({ leases }) => {
    const data = live.getState().data;
    if (data.resyncs !== seenResyncs) {
      seenResyncs = data.resyncs;
      void queryClient.invalidateQueries();
    }
    if (data.workerChanges !== seenWorkerChanges) {
      seenWorkerChanges = data.workerChanges;
      if (workerTimer === null) {
        workerTimer = setTimeout(() => {
          workerTimer = null;
          void queryClient.invalidateQueries({ queryKey: [["monitoring", "fleet"]] });
          void queryClient.invalidateQueries({ queryKey: [["marketplace"]] });
          void queryClient.invalidateQueries({ queryKey: [["provider", "workers"]] });
        }, 2_000);
      }
    }
    if (leases.length > 0) {
      void queryClient.invalidateQueries({ queryKey: [["rental"]] });
      void queryClient.invalidateQueries({ queryKey: [["account", "balance"]] });
    }
  });

  // Offline for 30 s: visible queries start polling (the interval is re-read after each fetch).
  let wasOffline = false;
  setInterval(() => {
    const now = offline();
    if (now && !wasOffline) void queryClient.refetchQueries({ type: "active" });
    wasOffline = now;
  }, 1_000);

  const syncSignedIn = () => void connection?.setSignedIn(session.get() !== null);
  session.subscribe(syncSignedIn);
  connection.start();
  syncSignedIn();
  return { session, api: client, queryClient, live, connection, notifications };
}
