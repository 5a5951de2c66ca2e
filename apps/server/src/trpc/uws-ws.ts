/**
 * tRPC over WebSocket on uWebSockets.js: queries, mutations and subscriptions in tRPC's WS protocol
 * (`createWSClient`/`wsLink`), with `connectionParams`. tRPC's own connection handler does the
 * protocol; it is fed a small `ws`-like object built on the uWS socket. What the upgrade request says
 * (url, headers, client address) is copied synchronously, because uWS requests die after the handler
 * returns. A client whose send buffer passes the bound is disconnected (1013) instead of buffering
 * more, so one slow reader never holds memory or slows anyone else; uWS pings every `pingIntervalMs`
 * and drops a peer that has been silent for two intervals.
 *
 * Sends are corked: what tRPC sends to a client in one turn of the event loop goes out in one socket
 * write. A subscription whose values are pre-serialized can also skip tRPC's per-value path altogether
 * (`offerDirectSubscription`): tRPC still starts, stops and fails it, but its data messages are written
 * by the subscription itself on a short shared tick, corked per client, paused while the client's send
 * buffer is full (so its own bounded queue, not the socket, decides when it is too slow).
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
import { getWSConnectionHandler, jsonEncoder, type WSSHandlerOptions } from "@trpc/server/adapters/ws";

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
/** Queued tRPC messages are written at once past this many characters rather than at the end of the turn. */
const OUTBOX_FLUSH_CHARS = 64 * 1024;
/** Direct subscriptions write every this many ms: one corked write per client per tick. */
const DIRECT_TICK_MS = 10;
/** At most this many messages per direct subscription per turn, so that clients take turns. */
const DIRECT_TICK_MESSAGES = 512;
/** A tick yields to I/O after this long and goes on in the next turn of the loop. */
const DIRECT_SLICE_MS = 10;

/**
 * A subscription that writes its own data messages. tRPC's handler starts it (`started`), stops it and
 * sends its error; while it runs, its async iterator yields nothing and settles only when it ends.
 */
export interface DirectSubscription {
  /** The socket took it: from now on it writes through `sink` and its iterator just waits for the end. */
  attachDirect(sink: DirectSink): void;
  /**
   * Writes up to `max` complete messages (text, as a string or UTF-8 bytes), each `sink.dataPrefix` +
   * the rest of tRPC's data message, stopping early when `write` returns false (the client's buffer is
   * full); true when more are ready.
   */
  fill(write: (message: string | Uint8Array) => boolean, max: number): boolean;
}

export interface DirectSink {
  /**
   * tRPC's data message for this subscription up to the value:
   * `{"id":<subscription id>[,"jsonrpc":"2.0"],"result":{"type":"data","data":`.
   */
  readonly dataPrefix: string;
  /**
   * Events are ready: `fill` is called on the next tick (unless the client's buffer is full), or at once
   * when `soon` (the subscription's queue is filling up).
   */
  wake(soon?: boolean): void;
  /** The subscription ended: no more `fill`. */
  detach(): void;
}

let offered: DirectSubscription | null = null;
let claimed: { subscription: DirectSubscription; id: unknown; jsonrpc: unknown } | null = null;

/**
 * Called from a subscription's `[Symbol.asyncIterator]()`: when tRPC's WebSocket handler is the one
 * iterating, it answers `started` for this subscription in the same synchronous run (the encoder sees
 * it, the client's `send` takes it), and the subscription is attached to the socket. Anything else
 * iterating (HTTP streaming, a caller) leaves the offer unclaimed, and it is forgotten in a microtask.
 */
export function offerDirectSubscription(subscription: DirectSubscription): void {
  offered = subscription;
  queueMicrotask(() => {
    if (offered === subscription) offered = null;
  });
}

const encoder = {
  encode(data: unknown): string {
    if (offered !== null) {
      const message = data as { id?: unknown; jsonrpc?: unknown; result?: { type?: unknown } };
      if (message.result?.type === "started") {
        claimed = { subscription: offered, id: message.id, jsonrpc: message.jsonrpc };
        offered = null;
      }
    }
    return JSON.stringify(data);
  },
  decode: jsonEncoder.decode,
};

/** Clients with queued tRPC messages, written at the end of the turn. */
const outboxes = new Set<UwsClient>();
let outboxFlushScheduled = false;
function flushOutboxes(): void {
  outboxFlushScheduled = false;
  for (const client of outboxes) client.flush();
  outboxes.clear();
}

/** Direct subscriptions with events ready, written on the next tick, in the order they woke. */
const awake = new Set<DirectSinkImpl>();
let directTickScheduled = false;
let directTickRunning = false;
function runDirectTick(): void {
  const deadline = performance.now() + DIRECT_SLICE_MS;
  directTickRunning = true;
  try {
    // A subscription with more to write wakes again: it goes to the back and takes another turn.
    for (const sink of awake) {
      awake.delete(sink);
      sink.write();
      if (performance.now() >= deadline) break;
    }
  } finally {
    directTickRunning = false;
  }
  // Whatever is left goes on once socket reads (MQTT intake, clients) have had their turn.
  directTickScheduled = awake.size > 0;
  if (directTickScheduled) setImmediate(runDirectTick);
}

class DirectSinkImpl implements DirectSink {
  readonly dataPrefix: string;
  private detached = false;

  constructor(
    private readonly client: UwsClient,
    private readonly subscription: DirectSubscription,
    id: unknown,
    jsonrpc: unknown,
  ) {
    this.dataPrefix = `{"id":${JSON.stringify(id)}${
      jsonrpc === undefined ? "" : `,"jsonrpc":${JSON.stringify(jsonrpc)}`
    },"result":{"type":"data","data":`;
  }

  wake(soon = false): void {
    if (this.detached) return;
    if (soon && !directTickRunning) {
      // Its queue is filling up: written now, by whoever pushed (the hub's fan-out, which yields to
      // I/O in slices), so that a client keeping up is never cut for the server's own delay.
      awake.delete(this);
      this.write();
      return;
    }
    awake.add(this);
    if (!directTickScheduled) {
      directTickScheduled = true;
      setTimeout(runDirectTick, DIRECT_TICK_MS);
    }
  }

  detach(): void {
    this.detached = true;
    awake.delete(this);
    this.client.sinks.delete(this);
  }

  /** Writes what is ready, corked with anything tRPC queued before it; paused while the buffer is full. */
  write(): void {
    if (this.detached) return;
    if (this.client.readyState !== OPEN) {
      this.detach();
      return;
    }
    if (this.client.paused()) return; // the client's `drain` wakes it
    const more = this.client.corked((send) => this.subscription.fill(send, DIRECT_TICK_MESSAGES));
    if (more) this.wake();
  }
}

/**
 * The `ws`-like client tRPC's handler expects: `send`, `close`, `terminate`, `readyState` and the
 * `message`/`error`/`close` events. The uWS socket is never touched once uWS reports it closed.
 */
export class UwsClient extends EventEmitter {
  readyState = OPEN;
  /** Direct subscriptions writing to this socket. */
  readonly sinks = new Set<DirectSinkImpl>();
  private outbox: Array<string | Uint8Array> = [];
  private outboxChars = 0;

  constructor(
    private readonly ws: WebSocket<WsUserData>,
    private readonly maxBufferedBytes: number,
  ) {
    super();
  }

  /** A tRPC message: queued, and written (corked with the rest) at the end of this turn. */
  send(data: string | Uint8Array): void {
    const take = claimed;
    claimed = null;
    if (this.readyState !== OPEN) return;
    if (take !== null) {
      // This is the `started` of a direct subscription: it writes its data itself from now on.
      const sink = new DirectSinkImpl(this, take.subscription, take.id, take.jsonrpc);
      this.sinks.add(sink);
      take.subscription.attachDirect(sink);
    }
    this.outbox.push(data);
    this.outboxChars += data.length;
    if (this.outboxChars > OUTBOX_FLUSH_CHARS) {
      this.flush();
      return;
    }
    if (this.outbox.length === 1) {
      outboxes.add(this);
      if (!outboxFlushScheduled) {
        outboxFlushScheduled = true;
        setImmediate(flushOutboxes);
      }
    }
  }

  /** Writes the queued tRPC messages now. */
  flush(): void {
    if (this.outbox.length === 0 || this.readyState !== OPEN) return;
    this.corked(() => false);
  }

  /** The send buffer is past half the bound: direct subscriptions wait for `drain`. */
  paused(): boolean {
    return this.ws.getBufferedAmount() > this.maxBufferedBytes / 2;
  }

  /**
   * Runs `fill` in one cork, after the queued tRPC messages, with a `send` for complete messages; a
   * client whose backlog passes the bound is disconnected. Returns what `fill` returns.
   */
  corked(fill: (send: (message: string | Uint8Array) => boolean) => boolean): boolean {
    let more = false;
    try {
      this.ws.cork(() => {
        const outbox = this.outbox;
        if (outbox.length > 0) {
          this.outbox = [];
          this.outboxChars = 0;
          for (const message of outbox) {
            if (!this.write(message, typeof message !== "string")) return;
          }
        }
        more = fill((message) => this.write(message, false) && !this.paused());
      });
    } catch {
      // uWS throws when the socket closed meanwhile; its close handler has run or will run.
      return false;
    }
    return more && this.readyState === OPEN;
  }

  /** uWS has room again: paused direct subscriptions go on. */
  drained(): void {
    for (const sink of this.sinks) sink.wake();
  }

  private write(data: string | Uint8Array, isBinary: boolean): boolean {
    if (this.readyState !== OPEN) return false;
    // The backlog (not counting this message) over the bound: this reader is not keeping up.
    if (this.ws.getBufferedAmount() > this.maxBufferedBytes) {
      this.close(SLOW_CLIENT_CLOSE_CODE, "too slow: reconnect and resume");
      return false;
    }
    if (this.ws.send(data, isBinary) === DROPPED) {
      this.close(SLOW_CLIENT_CLOSE_CODE, "too slow: reconnect and resume");
      return false;
    }
    return true;
  }

  close(code = 1000, reason = ""): void {
    if (this.readyState !== OPEN) return;
    // What tRPC said just before closing (an error, `stopped`) still goes out first.
    if (this.outbox.length > 0) this.flush();
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
    this.outbox = [];
    this.outboxChars = 0;
    outboxes.delete(this);
    for (const sink of [...this.sinks]) sink.detach();
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
    experimental_encoder: encoder,
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

    drain: (ws) => {
      ws.getUserData().client?.drained();
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
