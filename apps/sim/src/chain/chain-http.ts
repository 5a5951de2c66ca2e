/**
 * The chain simulator's HTTP API (api.md §5) on plain request data, so any server can mount it: the
 * platform's uWebSockets.js server on :8080 and the standalone node:http server on :8545 both call
 * `handleChainRequest`. It never throws and never answers an empty body (the worker retries an empty
 * `/verify` answer ten times in a row, worker-protocol §9).
 */
import { HEX_ADDRESS_PATTERN } from "@xenblocks/core";
import { type ChainState, DEFAULT_BLOCK_LIMIT } from "./chain-state.js";

export type QueryInput = URLSearchParams | Record<string, string | string[] | undefined>;

export interface ChainRequest {
  method: string;
  /** Path, optionally with its query string (`/chain/blocks?limit=5`). */
  path: string;
  /** Query parameters; merged over the ones in `path`. */
  query?: QueryInput;
  /** The raw body: parsed here so that bad JSON gets a 400 with a reason. */
  body?: string | Uint8Array | null;
}

export interface ChainResponse {
  status: number;
  /** Always a JSON value; serialize with JSON.stringify. */
  body: unknown;
}

/** Generous for a ~500-byte `/verify` body, small enough that nobody can park megabytes on the server. */
export const MAX_CHAIN_BODY_BYTES = 64 * 1024;
export const MAX_BLOCKS_LIMIT = 1000;

const EXACT_ROUTES = new Set(["/difficulty", "/verify", "/getblocks/lastblock", "/send_pow"]);
const ROUTE_PREFIXES = ["/balance/", "/chain/"];

/** True for paths the chain simulator answers, so a host server knows what to hand over. */
export function isChainPath(path: string): boolean {
  const pathname = normalizePath(splitPath(path).pathname);
  return EXACT_ROUTES.has(pathname) || ROUTE_PREFIXES.some((prefix) => pathname.startsWith(prefix));
}

export async function handleChainRequest(chain: ChainState, request: ChainRequest): Promise<ChainResponse> {
  try {
    return await route(chain, request);
  } catch (error) {
    // A bug must cost one request a 500, never the process; the message stays generic on purpose.
    console.error("chain simulator: request failed:", error);
    return failure(500, "Internal error");
  }
}

async function route(chain: ChainState, request: ChainRequest): Promise<ChainResponse> {
  const { pathname, search } = splitPath(request.path);
  const path = normalizePath(pathname);
  const query = mergeQuery(search, request.query);
  const method = request.method.toUpperCase();
  const only = (allowed: "GET" | "POST") =>
    method === allowed ? null : failure(405, `Method not allowed: use ${allowed} ${path}`);

  switch (path) {
    case "/difficulty":
      return only("GET") ?? ok({ difficulty: String(chain.difficulty()) });
    case "/verify":
      return only("POST") ?? (await verify(chain, request.body));
    case "/getblocks/lastblock":
      return only("GET") ?? ok(chain.listBlocks({ limit: DEFAULT_BLOCK_LIMIT }));
    case "/send_pow":
      return only("POST") ?? sendPow(request.body);
    case "/chain/stats":
      return only("GET") ?? ok(chain.stats());
    case "/chain/blocks":
      return only("GET") ?? listBlocks(chain, query);
  }
  if (path.startsWith("/balance/")) return only("GET") ?? balance(chain, path.slice("/balance/".length));
  return failure(404, `Not found: ${path}`);
}

async function verify(chain: ChainState, raw: ChainRequest["body"]): Promise<ChainResponse> {
  const body = parseJsonBody(raw);
  if (!body.ok) return body.response;
  const result = await chain.submit(body.value);
  if (result.status !== 200) return failure(result.status, result.message);
  const { block_type, block_id } = result.block;
  return ok({
    status: "success",
    message: `Block accepted: ${block_type} #${block_id}`,
    block_type,
    block_id,
  });
}

function sendPow(raw: ChainRequest["body"]): ChainResponse {
  const body = parseJsonBody(raw, { allowEmpty: true });
  if (!body.ok) return body.response;
  const value = body.value;
  const blockId =
    typeof value === "object" && value !== null && "block_id" in value ? (value.block_id ?? null) : null;
  return ok({ status: "success", message: "PoW accepted (mock)", block_id: blockId });
}

function balance(chain: ChainState, address: string): ChainResponse {
  if (!HEX_ADDRESS_PATTERN.test(address)) return failure(400, "Invalid address");
  return ok({ address: address.toLowerCase(), balance: chain.balance(address) });
}

function listBlocks(chain: ChainState, query: URLSearchParams): ChainResponse {
  const account = query.get("account") || undefined;
  const prefix = query.get("prefix") || undefined;
  const rawLimit = query.get("limit") || undefined;
  if (account !== undefined && !HEX_ADDRESS_PATTERN.test(account)) return failure(400, "Invalid account");
  if (prefix !== undefined && !/^[0-9a-fA-F]{1,64}$/.test(prefix)) return failure(400, "Invalid prefix");
  const limit =
    rawLimit === undefined ? DEFAULT_BLOCK_LIMIT : /^\d{1,4}$/.test(rawLimit) ? Number(rawLimit) : Number.NaN;
  if (!(limit >= 1 && limit <= MAX_BLOCKS_LIMIT)) {
    return failure(400, `Invalid limit: use an integer from 1 to ${MAX_BLOCKS_LIMIT}`);
  }
  return ok(chain.listBlocks({ account, prefix, limit }));
}

type ParsedBody = { ok: true; value: unknown } | { ok: false; response: ChainResponse };

function parseJsonBody(raw: ChainRequest["body"], options: { allowEmpty?: boolean } = {}): ParsedBody {
  const text = typeof raw === "string" ? raw : raw ? new TextDecoder().decode(raw) : "";
  if (Buffer.byteLength(text) > MAX_CHAIN_BODY_BYTES) {
    return { ok: false, response: failure(413, `Request body larger than ${MAX_CHAIN_BODY_BYTES} bytes`) };
  }
  if (text.trim() === "" && options.allowEmpty) return { ok: true, value: null };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, response: failure(400, "Invalid JSON body") };
  }
}

function splitPath(path: string): { pathname: string; search: string } {
  const at = path.indexOf("?");
  return at < 0
    ? { pathname: path, search: "" }
    : { pathname: path.slice(0, at), search: path.slice(at + 1) };
}

/** `/difficulty/` is `/difficulty`: clients built from a base URL often leave a trailing slash. */
function normalizePath(pathname: string): string {
  return pathname.length > 1 && pathname.endsWith("/") ? pathname.slice(0, -1) : pathname;
}

function mergeQuery(search: string, extra: QueryInput | undefined): URLSearchParams {
  const query = new URLSearchParams(search);
  if (extra instanceof URLSearchParams) {
    for (const [name, value] of extra) query.set(name, value);
  } else if (extra) {
    for (const [name, value] of Object.entries(extra)) {
      const first = Array.isArray(value) ? value[0] : value;
      if (first !== undefined) query.set(name, first);
    }
  }
  return query;
}

function ok(body: unknown): ChainResponse {
  return { status: 200, body };
}

/** api.md's error shape: `{"status":"error","message":…}`. */
function failure(status: number, message: string): ChainResponse {
  return { status, body: { status: "error", message } };
}
