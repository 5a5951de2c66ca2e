/**
 * The HTTP side of the server on uWebSockets.js: `/healthz`, `/readyz`, `/metrics`, the embedded chain
 * simulator's routes (api.md §5) and the front page. The API routers mount here as they arrive.
 */

import uWS, {
  type HttpRequest,
  type HttpResponse,
  type TemplatedApp,
  type us_listen_socket,
} from "uWebSockets.js";
import type { ChainState } from "@xenblocks/sim/chain";
import { handleChainRequest, isChainPath, MAX_CHAIN_BODY_BYTES } from "@xenblocks/sim/chain";
import type { ServerLogger } from "../log.js";
import { readBody, send, trackAbort } from "./respond.js";

export interface HttpOptions {
  host: string;
  port: number;
  logger: ServerLogger;
  /** True once everything behind the server is up (and until shutdown begins). */
  ready: () => boolean;
  metrics: () => Promise<string>;
  chain: ChainState | null;
  frontPage: () => string;
  /** More routes (the API), registered before the catch-all; each gets the request as uWS gives it. */
  mounts?: ReadonlyArray<{ pattern: string; handler: (res: HttpResponse, req: HttpRequest) => void }>;
}

export interface HttpServer {
  readonly port: number;
  /** Stops accepting connections (requests in flight finish). */
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

  app.get("/healthz", (res) => {
    if (refuseIfClosing(res)) return;
    send(res, { aborted: false }, 200, JSON.stringify({ status: "ok" }));
  });
  app.get("/readyz", (res) => {
    if (refuseIfClosing(res)) return;
    const ready = options.ready();
    send(
      res,
      { aborted: false },
      ready ? 200 : 503,
      JSON.stringify({ status: ready ? "ready" : "starting" }),
    );
  });
  app.get("/metrics", (res) => {
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
  app.get("/", (res) => {
    if (refuseIfClosing(res)) return;
    send(res, { aborted: false }, 200, options.frontPage(), "text/html; charset=utf-8");
  });
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
    },
  };
}

function route(res: HttpResponse, req: HttpRequest, options: HttpOptions): void {
  // uWS requests are valid only until the first await: copy what is needed now.
  const method = req.getMethod().toUpperCase();
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
  send(res, state, 404, JSON.stringify({ error: "not found", path: url }));
}
