/**
 * The chain simulator on its own port (api.md §5: standalone, 8545 by default), over node:http. Reads
 * bodies up to the limit, hands plain request data to `handleChainRequest`, and adds the standalone-only
 * `GET /`. The platform server mounts the same handler on :8080 instead.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type ChainResponse, handleChainRequest, MAX_CHAIN_BODY_BYTES } from "./chain-http.js";
import type { ChainState } from "./chain-state.js";
import { type ChainHandle, type OpenChainOptions, openChain } from "./chain-store.js";

export const DEFAULT_CHAIN_PORT = 8545;
export const CHAIN_SERVICE_NAME = "xenblocks-chain-simulator";

export interface ChainServerOptions extends OpenChainOptions {
  /** Default 8545; 0 picks a free port (see `ChainServer.port`). */
  port?: number;
  /** Default: every interface, since workers reach the chain from other machines. */
  host?: string;
  /** Serve an existing chain instead of opening one; the caller keeps closing it. */
  chain?: ChainState;
}

export interface ChainServer {
  /** The port actually bound. */
  readonly port: number;
  readonly chain: ChainState;
  /** Stops accepting, ends open connections, then writes the chain's pending state (if it owns it). */
  close(): Promise<void>;
}

export async function startChainServer(options: ChainServerOptions = {}): Promise<ChainServer> {
  const { port = DEFAULT_CHAIN_PORT, host, chain: given, ...openOptions } = options;
  const handle: ChainHandle = given
    ? { chain: given, flush: async () => {}, close: async () => {} }
    : await openChain(openOptions);
  const chain = handle.chain;
  let boundPort = port;

  const server = createServer((req, res) => {
    serve(chain, req, res, () => boundPort).catch((error: unknown) => {
      console.error("chain simulator: response failed:", error);
      res.destroy();
    });
  });
  // A request's headers must arrive promptly; slow clients cannot hold sockets open forever.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  boundPort = (server.address() as AddressInfo).port;

  return {
    port: boundPort,
    chain,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await handle.close();
    },
  };
}

async function serve(chain: ChainState, req: IncomingMessage, res: ServerResponse, port: () => number) {
  const method = req.method ?? "GET";
  const path = req.url ?? "/";
  if (path === "/" || path.startsWith("/?")) {
    const body = { service: CHAIN_SERVICE_NAME, port: port(), ...chain.stats() };
    return send(res, method === "GET" ? { status: 200, body } : methodNotAllowed());
  }
  const body = method === "GET" || method === "HEAD" ? null : await readBody(req);
  if (body === "too_large") {
    res.setHeader("connection", "close");
    const message = `Request body larger than ${MAX_CHAIN_BODY_BYTES} bytes`;
    return send(res, { status: 413, body: { status: "error", message } });
  }
  send(res, await handleChainRequest(chain, { method, path, body }));
}

/** The body, or "too_large" as soon as it passes the limit (the rest is never buffered). */
function readBody(req: IncomingMessage): Promise<Buffer | "too_large"> {
  const declared = Number(req.headers["content-length"]);
  if (declared > MAX_CHAIN_BODY_BYTES) return Promise.resolve("too_large");
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_CHAIN_BODY_BYTES) {
        req.removeAllListeners("data");
        req.resume();
        resolve("too_large");
      } else {
        chunks.push(chunk);
      }
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function methodNotAllowed(): ChainResponse {
  return { status: 405, body: { status: "error", message: "Method not allowed: use GET /" } };
}

function send(res: ServerResponse, response: ChainResponse): void {
  const text = JSON.stringify(response.body);
  res.writeHead(response.status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
  });
  res.end(text);
}
