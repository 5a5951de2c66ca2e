/**
 * tRPC over HTTP on uWebSockets.js (there is no registry adapter): queries and mutations with HTTP
 * batching, subscriptions as server-sent events. The uWS request is copied synchronously (it is dead
 * after the first await), a client that goes away aborts the procedure's signal, and a streaming
 * response waits for a slow client to drain up to a bound, then disconnects it, so one slow reader
 * never holds memory or slows anyone else.
 */

import type { HttpRequest, HttpResponse } from "uWebSockets.js";
import type { AnyTRPCRouter } from "@trpc/server";
import { type FetchCreateContextFnOptions, fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { corsHeaders, readBody, STATUS_TEXT } from "../http/respond.js";

export interface TrpcHttpOptions<TRouter extends AnyTRPCRouter> {
  router: TRouter;
  /** Path prefix, e.g. `/trpc`. */
  endpoint: string;
  createContext: (opts: FetchCreateContextFnOptions) => Promise<object> | object;
  /** Largest request body (batched mutations included). Default 1 MiB. */
  maxBodyBytes?: number;
  /** How long a streaming response may stay blocked on a slow client before it is cut. Default 10 s. */
  drainTimeoutMs?: number;
  /** Origins allowed to call from a browser page elsewhere (CORS); none by default (same origin). */
  corsOrigins?: readonly string[];
  onError?: (error: unknown) => void;
}

/** The request header the adapter sets to the peer's address (read by `createContext`). */
export const CLIENT_IP_HEADER = "x-xenblocks-client-ip";

// Set by uWS and by the transport, never copied from the fetch Response.
const SKIPPED_HEADERS = new Set(["content-length", "transfer-encoding", "connection"]);

/** The uWS route handler, plus how many subscriptions it is streaming (SSE) right now, for metrics. */
export type TrpcHttpHandler = ((res: HttpResponse, req: HttpRequest) => void) & { openStreams(): number };

export function trpcHttpHandler<TRouter extends AnyTRPCRouter>(
  options: TrpcHttpOptions<TRouter>,
): TrpcHttpHandler {
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;
  const drainTimeoutMs = options.drainTimeoutMs ?? 10_000;

  const streams = { open: 0 };
  const handler = (res: HttpResponse, req: HttpRequest): void => {
    const method = req.getMethod().toUpperCase();
    const url = req.getUrl();
    const query = req.getQuery() ?? "";
    const headers = new Headers();
    req.forEach((key, value) => {
      headers.append(key, value);
    });
    // The peer address as the socket reports it; set last, so a client cannot supply its own.
    headers.set(CLIENT_IP_HEADER, Buffer.from(res.getRemoteAddressAsText()).toString());
    const controller = new AbortController();
    const state: { aborted: boolean; onAbort?: () => void } = { aborted: false };
    res.onAborted(() => {
      state.aborted = true;
      controller.abort();
      state.onAbort?.();
    });
    const cors = corsHeaders(headers.get("origin"), options.corsOrigins);
    if (method === "OPTIONS") {
      if (!state.aborted) {
        res.cork(() => {
          res.writeStatus(cors ? "204 No Content" : "403 Forbidden");
          for (const [k, v] of cors ?? []) res.writeHeader(k, v);
          res.end();
        });
      }
      return;
    }

    const body =
      method === "GET" || method === "HEAD" ? Promise.resolve(null) : readBody(res, state, maxBody);
    body
      .then(async (bytes) => {
        if (state.aborted || (bytes === null && method !== "GET" && method !== "HEAD")) return;
        const request = new Request(`http://localhost${url}${query ? `?${query}` : ""}`, {
          method,
          headers,
          signal: controller.signal,
          ...(bytes && { body: new Uint8Array(bytes) }),
        });
        const response = await fetchRequestHandler({
          endpoint: options.endpoint,
          req: request,
          router: options.router,
          createContext: options.createContext as never,
          ...(options.onError && { onError: ({ error }: { error: unknown }) => options.onError?.(error) }),
        });
        await writeResponse(res, state, response, cors, drainTimeoutMs, controller, streams);
      })
      .catch((e: unknown) => {
        options.onError?.(e);
        if (state.aborted) return;
        res.cork(() =>
          res.writeStatus("500 Internal Server Error").end(JSON.stringify({ error: "internal error" })),
        );
      });
  };
  return Object.assign(handler, { openStreams: () => streams.open });
}

async function writeResponse(
  res: HttpResponse,
  state: { aborted: boolean; onAbort?: () => void },
  response: Response,
  cors: Array<[string, string]> | null,
  drainTimeoutMs: number,
  controller: AbortController,
  streams: { open: number },
): Promise<void> {
  const head = () => {
    res.writeStatus(STATUS_TEXT[response.status] ?? `${response.status} ${response.statusText}`);
    response.headers.forEach((value, key) => {
      if (!SKIPPED_HEADERS.has(key)) res.writeHeader(key, value);
    });
    for (const [k, v] of cors ?? []) res.writeHeader(k, v);
    // Answers differ by origin whether or not this one was allowed: caches must keep them apart.
    res.writeHeader("vary", "origin");
  };
  const streaming = response.headers.get("content-type")?.includes("text/event-stream") ?? false;
  if (!streaming || !response.body) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (state.aborted) return;
    res.cork(() => {
      head();
      res.end(bytes);
    });
    return;
  }

  if (state.aborted) return;
  res.cork(head);
  const drain = drainWatcher(res, state);
  const reader = response.body.getReader();
  streams.open += 1;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (state.aborted) return;
      if (done) break;
      let accepted = true;
      res.cork(() => {
        accepted = res.write(value);
      });
      if (!accepted && !(await drain.wait(drainTimeoutMs))) {
        // Still blocked after the bound: this client is too slow; cut it rather than buffer more.
        if (!state.aborted) res.close();
        return;
      }
    }
    if (!state.aborted) res.cork(() => res.end());
  } finally {
    streams.open -= 1;
    controller.abort();
    await reader.cancel().catch(() => {});
  }
}

/**
 * uWS keeps the first `onWritable` handler a response was given, so it is registered once and hands
 * each "drained" to whichever wait is current; an abort ends a wait at once.
 */
function drainWatcher(res: HttpResponse, state: { aborted: boolean; onAbort?: () => void }) {
  let current: ((drained: boolean) => void) | null = null;
  const settle = (drained: boolean) => {
    const resolve = current;
    current = null;
    resolve?.(drained);
  };
  res.onWritable(() => {
    settle(!state.aborted);
    return true;
  });
  state.onAbort = () => settle(false);
  return {
    wait(timeoutMs: number): Promise<boolean> {
      if (state.aborted) return Promise.resolve(false);
      return new Promise((resolve) => {
        const timer = setTimeout(() => settle(false), timeoutMs);
        current = (drained) => {
          clearTimeout(timer);
          resolve(drained);
        };
      });
    },
  };
}
