/**
 * The API client: queries and mutations over HTTP batching with the session's Bearer token,
 * subscriptions over the WebSocket at /trpc with the token as `connectionParams` (api.md §1).
 */
import { MutationCache, QueryClient } from "@tanstack/react-query";
import { createTRPCClient, createWSClient, httpBatchLink, splitLink, wsLink } from "@trpc/client";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import { toast } from "sonner";
import type { AppRouter } from "./api-types.js";
import type { SessionStore } from "./auth/session.js";
import { errorMessage } from "./lib/errors.js";
import { backoffDelay } from "./live/backoff.js";

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

export type ApiClient = ReturnType<typeof createApi>["client"];

export interface ApiOptions {
  session: SessionStore;
  /** Origin of the server; the page's own by default. */
  origin?: string;
  /** The socket will try again in `delayMs` (shown as "Reconnecting in N s"). */
  onSocketRetry?: (delayMs: number) => void;
}

export function createApi(opts: ApiOptions) {
  const origin = opts.origin ?? window.location.origin;
  const wsClient = createWSClient({
    url: `${origin.replace(/^http/, "ws")}/trpc`,
    // Read at every (re)connect, so a sign-in takes effect when the socket is reopened.
    connectionParams: () => {
      const token = opts.session.get()?.token;
      return token ? { token } : null;
    },
    retryDelayMs: (attempt) => {
      const delay = backoffDelay(attempt);
      opts.onSocketRetry?.(delay);
      return delay;
    },
  });
  const client = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: wsLink({ client: wsClient }),
        false: httpBatchLink({
          url: `${origin}/trpc`,
          headers: () => {
            const token = opts.session.get()?.token;
            return token ? { authorization: `Bearer ${token}` } : {};
          },
        }),
      }),
    ],
  });
  return { client, wsClient };
}

/** Stale after 10 s, refetched on focus; polls every 15 s only while `polling()` (live offline). */
export function createQueryClient(polling: () => boolean): QueryClient {
  return new QueryClient({
    mutationCache: new MutationCache({
      onError: (error, _vars, _ctx, mutation) => {
        if (mutation.meta?.silent) return;
        toast.error(errorMessage(error));
      },
    }),
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        refetchOnWindowFocus: true,
        refetchInterval: () => (polling() ? 15_000 : false),
        refetchIntervalInBackground: false,
        retry: (count, error) => count < 2 && !/UNAUTHORIZED|FORBIDDEN|NOT_FOUND/.test(String(error)),
      },
    },
  });
}
