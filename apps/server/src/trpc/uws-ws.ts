/**
 * tRPC over WebSocket on uWebSockets.js: queries, mutations and subscriptions in tRPC's WS protocol
 * (`createWSClient`/`wsLink`), with `connectionParams`. tRPC's own connection handler does the
 * protocol; it is fed a small `ws`-like object built on the uWS socket. What the upgrade request says
 * (url, headers, client address) is copied synchronously, because uWS requests die after the handler
 * returns. A client whose send buffer passes the bound is disconnected (1013) instead of buffering
 * more, so one slow reader never holds memory or slows anyone else; uWS pings every `pingIntervalMs`
 * and drops a peer that has been silent for two intervals.
 */

import type {
  HttpRequest,
  HttpResponse,
  us_socket_context_t,
  WebSocket,
  WebSocketBehavior,
} from "uWebSockets.js";
import { EventEmitter } from "node:events";
import type { IncomingMessage } from "node:http";
import type { AnyTRPCRouter, inferRouterContext } from "@trpc/server";
import { getWSConnectionHandler, type WSSHandlerOptions } from "@trpc/server/adapters/ws";

export interface TrpcWsContextOptions {
  /** What the client sent as `connectionParams` (e.g. `{token}`); null when it sent none. */
  connectionParams: Record<string, string> | null;
  /** The upgrade request's headers. */
  headers: Headers;
  clientIp: string;
}

export interface TrpcWebSocketOptions<TRouter extends AnyTRPCRouter> {
  router: TRouter;
  createContext: (
    opts: TrpcWsContextOptions,
  ) => Promise<inferRouterContext<TRouter>> | inferRouterContext<TRouter>;
  /** Send buffer a client may hold before it is disconnected. Default 1 MiB. */
  maxBufferedBytes?: number;
  /** Largest message a client may send. Default 1 MiB. */
  maxMessageBytes?: number;
  /** Protocol-level pings; rounded to uWS's 2 s granularity. Default 30 s. */
  pingIntervalMs?: number;
  /** Called with the number of open sockets whenever it changes. */
  onClientCount?: (count: number) => void;
  /** The caller's address from the peer address (and, behind a trusted proxy, the headers). */
  clientIp?: (remoteAddress: string, headers: Headers) => string;
  onError?: (error: unknown) => void;
}

/** What each uWS socket carries from its upgrade request. */
export interface WsUserData {
  url: string;
  headers: Headers;
  clientIp: string;
  client: UwsClient | null;
}

export interface TrpcWebSocket {
  /** Register with `app.ws(pattern, behavior)` (or `startHttpServer({webSockets})`). */
  behavior: WebSocketBehavior<WsUserData>;
  /** Open sockets, for metrics. */
  clientCount(): number;
  /** Closes every socket (server shutdown). */
  closeAll(code?: number, reason?: string): void;
}

/** Close code for a client too slow to read: "try again later" (it reconnects and resumes). */
export const SLOW_CLIENT_CLOSE_CODE = 1013;

const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;
/** `ws.send` result when uWS dropped the message (over `maxBackpressure`). */
const DROPPED = 2;

/**
 * The `ws`-like client tRPC's handler expects: `send`, `close`, `terminate`, `readyState` and the
 * `message`/`error`/`close` events. The uWS socket is never touched once uWS reports it closed.
 */
export class UwsClient extends EventEmitter {
  readyState = OPEN;

  constructor(
    private readonly ws: WebSocket<WsUserData>,
    private readonly maxBufferedBytes: number,
  ) {
    super();
  }

  send(data: string | Uint8Array): void {
    if (this.readyState !== OPEN) return;
    // The backlog (not counting this message) over the bound: this reader is not keeping up.
    if (this.ws.getBufferedAmount() > this.maxBufferedBytes) {
      this.close(SLOW_CLIENT_CLOSE_CODE, "too slow: reconnect and resume");
      return;
    }
    if (this.ws.send(data, typeof data !== "string") === DROPPED) {
      this.close(SLOW_CLIENT_CLOSE_CODE, "too slow: reconnect and resume");
    }
  }

  close(code = 1000, reason = ""): void {
    if (this.readyState !== OPEN) return;
    this.readyState = CLOSING;
    try {
      // uWS runs the close handler (and so `closed()`) from inside `end`.
      this.ws.end(code, reason);
    } catch {
      this.closed();
    }
  }

  terminate(): void {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSING;
    try {
      this.ws.close();
    } catch {
      this.closed();
    }
  }

  /** uWS closed the socket. */
  closed(): void {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSED;
    this.emit("close");
  }
}

/** The request tRPC's handler is given; it reads `url` (for `?connectionParams=1`) and `headers.host`. */
interface UpgradeInfo {
  url: string;
  headers: Record<string, string>;
  uws: WsUserData;
}

export function trpcWebSocketBehavior<TRouter extends AnyTRPCRouter>(
  options: TrpcWebSocketOptions<TRouter>,
): TrpcWebSocket {
  const maxBuffered = options.maxBufferedBytes ?? 1024 * 1024;
  const pingIntervalMs = options.pingIntervalMs ?? 30_000;
  const clients = new Set<UwsClient>();
  const countChanged = () => options.onClientCount?.(clients.size);

  const handleConnection = getWSConnectionHandler({
    router: options.router,
    createContext: ({ req, info }: { req: IncomingMessage; info: { connectionParams: unknown } }) => {
      const { headers, clientIp } = (req as unknown as UpgradeInfo).uws;
      return options.createContext({
        connectionParams: (info.connectionParams as Record<string, string> | null) ?? null,
        headers,
        clientIp,
      });
    },
    ...(options.onError && { onError: ({ error }: { error: unknown }) => options.onError?.(error) }),
  } as unknown as WSSHandlerOptions<TRouter>);

  const behavior: WebSocketBehavior<WsUserData> = {
    maxPayloadLength: options.maxMessageBytes ?? 1024 * 1024,
    // uWS pings a socket idle for half the timeout and closes it when the timeout passes in silence.
    idleTimeout: Math.max(8, Math.round((2 * pingIntervalMs) / 4000) * 4),
    sendPingsAutomatically: true,
    // Above the bound checked on each send, so the check (not a silent drop) decides.
    maxBackpressure: Math.max(64 * 1024 * 1024, 4 * maxBuffered),

    upgrade: (res: HttpResponse, req: HttpRequest, context: us_socket_context_t) => {
      try {
        const query = req.getQuery() ?? "";
        const headers = new Headers();
        req.forEach((key, value) => {
          headers.append(key, value);
        });
        const remote = Buffer.from(res.getRemoteAddressAsText()).toString();
        const data: WsUserData = {
          url: query ? `${req.getUrl()}?${query}` : req.getUrl(),
          headers,
          clientIp: options.clientIp?.(remote, headers) ?? remote,
          client: null,
        };
        res.upgrade(
          data,
          req.getHeader("sec-websocket-key"),
          req.getHeader("sec-websocket-protocol"),
          req.getHeader("sec-websocket-extensions"),
          context,
        );
      } catch (e) {
        options.onError?.(e);
        res.cork(() => res.writeStatus("400 Bad Request").end());
      }
    },

    open: (ws) => {
      const data = ws.getUserData();
      const client = new UwsClient(ws, maxBuffered);
      data.client = client;
      clients.add(client);
      countChanged();
      const info: UpgradeInfo = { url: data.url, headers: { host: "localhost" }, uws: data };
      try {
        handleConnection(client as never, info as unknown as IncomingMessage);
      } catch (e) {
        options.onError?.(e);
        client.close(1011, "internal error");
      }
    },

    message: (ws, message, isBinary) => {
      const client = ws.getUserData().client;
      if (!client || client.readyState !== OPEN) return;
      try {
        // uWS reuses the buffer after this callback: copy it.
        client.emit("message", Buffer.from(message.slice(0)), isBinary);
      } catch (e) {
        options.onError?.(e);
      }
    },

    close: (ws) => {
      const client = ws.getUserData().client;
      if (!client) return;
      clients.delete(client);
      countChanged();
      client.closed();
    },
  };

  return {
    behavior,
    clientCount: () => clients.size,
    closeAll(code = 1001, reason = "server shutting down") {
      for (const client of [...clients]) client.close(code, reason);
    },
  };
}
