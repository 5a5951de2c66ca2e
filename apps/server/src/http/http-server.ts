/**
 * The HTTP side of the server on uWebSockets.js: `/healthz`, `/readyz`, `/metrics`, the embedded chain
 * simulator's routes (api.md §5) and the front page. The API routers mount here as they arrive.
 */

import uWS, {
  type HttpRequest,
  type HttpResponse,
  type TemplatedApp,
  type us_listen_socket,
  type WebSocket,
  type WebSocketBehavior,
} from "uWebSockets.js";
import type { ChainState } from "@xenblocks/sim/chain";
import { handleChainRequest, isChainPath, MAX_CHAIN_BODY_BYTES } from "@xenblocks/sim/chain";
import type { ServerLogger } from "../log.js";
import { asHead, readBody, send, trackAbort } from "./respond.js";
import { type StaticFile, type WebApp, wantsPage } from "./static-files.js";

export interface HttpOptions {
  host: string;
  port: number;
  logger: ServerLogger;
  /** True once everything behind the server is up (and until shutdown begins). */
  ready: () => boolean;
  metrics: () => Promise<string>;
  chain: ChainState | null;
  /** The page at `/` for a browser when there is no dashboard build. */
  frontPage: () => string;
  /** The built dashboard, served at `/` and its routes for browsers; null = none built. */
  webApp?: WebApp | null;
  /** `GET /` for a script (Accept without text/html): the REST service summary (api.md §4). */
  rootInfo?: () => object;
  /** More routes (the API), registered before the catch-all; each gets the request as uWS gives it. */
  mounts?: ReadonlyArray<{ pattern: string; handler: (res: HttpResponse, req: HttpRequest) => void }>;
  /**
   * WebSocket endpoints (e.g. tRPC at `/trpc`), registered before the mounts. A plain HTTP request on
   * such a pattern falls through to the HTTP routes. Upgrades are refused once shutdown begins, and
   * `close()` closes every open socket (1001).
   */
  webSockets?: ReadonlyArray<WebSocketMount>;
}

export interface WebSocketMount {
  pattern: string;
  // `never`: any behaviour fits, whatever its user data.
  behavior: WebSocketBehavior<never>;
}

export interface HttpServer {
  readonly port: number;
  /** Stops accepting connections (requests in flight finish) and closes the WebSockets. */
  close(): void;
}

export async function startHttpServer(options: HttpOptions): Promise<HttpServer> {
  const app: TemplatedApp = uWS.App();
  // Closing the listener leaves keep-alive connections open: requests on them get 503 and the
  // connection is closed, so nothing reaches the chain or storage while they shut down.
  let closing = false;
  const refuseIfClosing = (res: HttpResponse): boolean => {
    if (!closing) return false;
    res.cork(() => {
      res.writeStatus("503 Service Unavailable").writeHeader("content-type", "application/json");
      res.end(JSON.stringify({ status: "shutting down" }), true);
    });
    return true;
  };

  // Each GET route answers HEAD with the same headers and no body.
  const get = (pattern: string, handler: (res: HttpResponse, req: HttpRequest) => void) => {
    app.get(pattern, handler);
    app.head(pattern, (res, req) => handler(asHead(res), req));
  };
  get("/healthz", (res) => {
    if (refuseIfClosing(res)) return;
    send(res, { aborted: false }, 200, JSON.stringify({ status: "ok" }));
  });
  get("/readyz", (res) => {
    if (refuseIfClosing(res)) return;
    const ready = options.ready();
    send(
      res,
      { aborted: false },
      ready ? 200 : 503,
      JSON.stringify({ status: ready ? "ready" : "starting" }),
    );
  });
  get("/metrics", (res) => {
    if (refuseIfClosing(res)) return;
    const state = trackAbort(res);
    options.metrics().then(
      (text) => send(res, state, 200, text, "text/plain; version=0.0.4"),
      (e: unknown) => {
        options.logger.error("metrics failed", { error: e instanceof Error ? e.message : String(e) });
        send(res, state, 500, JSON.stringify({ error: "metrics unavailable" }));
      },
    );
  });
  get("/", (res, req) => {
    if (refuseIfClosing(res)) return;
    const accept = req.getHeader("accept");
    if (!accept.includes("text/html") && options.rootInfo) {
      send(res, { aborted: false }, 200, JSON.stringify(options.rootInfo()));
    } else if (options.webApp) {
      sendFile(res, options.webApp.index);
    } else {
      send(res, { aborted: false }, 200, options.frontPage(), "text/html; charset=utf-8");
    }
  });
  const sockets = new Set<WebSocket<never>>();
  for (const { pattern, behavior } of options.webSockets ?? []) {
    app.ws<never>(pattern, {
      ...behavior,
      upgrade: (res, req, context) => {
        if (refuseIfClosing(res)) return;
        if (behavior.upgrade) return behavior.upgrade(res, req, context);
        res.upgrade(
          {},
          req.getHeader("sec-websocket-key"),
          req.getHeader("sec-websocket-protocol"),
          req.getHeader("sec-websocket-extensions"),
          context,
        );
      },
      open: (ws) => {
        sockets.add(ws);
        return behavior.open?.(ws);
      },
      close: (ws, code, message) => {
        sockets.delete(ws);
        behavior.close?.(ws, code, message);
      },
    });
  }
  for (const mount of options.mounts ?? []) {
    app.any(mount.pattern, (res, req) => {
      if (!refuseIfClosing(res)) mount.handler(res, req);
    });
  }
  app.any("/*", (res, req) => {
    if (!refuseIfClosing(res)) route(res, req, options);
  });

  const token = await new Promise<us_listen_socket | false>((resolve) =>
    app.listen(options.host, options.port, (t) => resolve(t)),
  );
  if (!token) {
    throw new Error(
      `HTTP port ${options.port} on ${options.host} is already in use (or not permitted); choose another with --http-port`,
    );
  }
  return {
    port: uWS.us_socket_local_port(token),
    close() {
      closing = true;
      uWS.us_listen_socket_close(token);
      // Each `end` runs the socket's close handler at once, which removes it from the set.
      for (const ws of [...sockets]) {
        try {
          ws.end(1001, "server shutting down");
        } catch {
          sockets.delete(ws);
        }
      }
    },
  };
}

function route(response: HttpResponse, req: HttpRequest, options: HttpOptions): void {
  // uWS requests are valid only until the first await: copy what is needed now.
  const asked = req.getMethod().toUpperCase();
  // HEAD is answered as GET without the body.
  const method = asked === "HEAD" ? "GET" : asked;
  const res = asked === "HEAD" ? asHead(response) : response;
  const url = req.getUrl();
  const query = req.getQuery() ?? "";
  const state = trackAbort(res);
  if (options.chain && isChainPath(url)) {
    const chain = options.chain;
    const body =
      method === "POST" ? readBody(res, state, MAX_CHAIN_BODY_BYTES) : Promise.resolve(Buffer.alloc(0));
    body
      .then(async (bytes) => {
        if (bytes === null) return;
        const answer = await handleChainRequest(chain, {
          method,
          path: query ? `${url}?${query}` : url,
          body: bytes,
        });
        send(res, state, answer.status, JSON.stringify(answer.body));
      })
      .catch((e: unknown) => {
        options.logger.error("chain request failed", { error: e instanceof Error ? e.message : String(e) });
        send(res, state, 500, JSON.stringify({ status: "error", message: "Internal error" }));
      });
    return;
  }
  const web = options.webApp;
  if (web && method === "GET") {
    const file = web.file(url) ?? (wantsPage(url, req.getHeader("accept")) ? web.index : undefined);
    if (file) {
      sendFile(res, file);
      return;
    }
  }
  send(res, state, 404, JSON.stringify({ error: "not found", path: url }));
}

function sendFile(res: HttpResponse, file: StaticFile): void {
  res.cork(() => {
    res
      .writeStatus("200 OK")
      .writeHeader("content-type", file.type)
      .writeHeader("cache-control", file.cacheControl)
      .end(file.body);
  });
}
