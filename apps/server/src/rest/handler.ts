/**
 * The uWS mount for `/api/*` (and `/dashboard`, `/ws/dashboard`): copies the request synchronously
 * (the uWS request is dead after the first await), finds the route, authenticates with the same
 * context factory as tRPC, validates query and body, runs the route over the tRPC caller and answers
 * JSON, or `{"detail", "code"}` with the status of api.md §4.
 */
import type { HttpRequest, HttpResponse } from "uWebSockets.js";
import { asHead, corsHeaders, trackAbort } from "../http/respond.js";
import type { AppRouter } from "../trpc/router.js";
import type { Context } from "../trpc/trpc.js";
import { INTERNAL_FAILURE, RestError, toRestFailure, zodDetail } from "./errors.js";
import { compileRoutes, matchRoute } from "./match.js";
import { JsonText, Reply, type RestCall, type RestRoute, requireActor } from "./route.js";
import { REST_ROUTES } from "./routes.js";

export interface RestHandlerOptions {
  router: AppRouter;
  createContext: (headers: Headers, clientIp: string) => Promise<Context>;
  /** Defaults to every route of api.md §4. */
  routes?: readonly RestRoute[];
  /** Largest JSON body. Default 64 KiB. */
  maxBodyBytes?: number;
  /** Faults of ours (500s); refusals are not reported. */
  onError?: (error: unknown) => void;
  /** Origins whose pages may call these routes (`--cors-origin`); none by default. */
  corsOrigins?: readonly string[];
}

const CORS_METHODS = "GET, POST, PUT, OPTIONS";

const STATUS_LINE: Record<number, string> = {
  200: "200 OK",
  302: "302 Found",
  400: "400 Bad Request",
  401: "401 Unauthorized",
  402: "402 Payment Required",
  403: "403 Forbidden",
  404: "404 Not Found",
  405: "405 Method Not Allowed",
  409: "409 Conflict",
  410: "410 Gone",
  413: "413 Payload Too Large",
  422: "422 Unprocessable Entity",
  429: "429 Too Many Requests",
  500: "500 Internal Server Error",
  501: "501 Not Implemented",
  503: "503 Service Unavailable",
};

interface Incoming {
  method: string;
  path: string;
  query: string;
  headers: Headers;
  clientIp: string;
}

function write(
  res: HttpResponse,
  state: { aborted: boolean },
  reply: Reply,
  cors: ReadonlyArray<[string, string]> = [],
): void {
  if (state.aborted) return;
  res.cork(() => {
    res.writeStatus(STATUS_LINE[reply.status] ?? String(reply.status));
    res.writeHeader("content-type", "application/json");
    for (const [k, v] of Object.entries(reply.headers)) res.writeHeader(k, v);
    for (const [k, v] of cors) res.writeHeader(k, v);
    res.end(reply.body instanceof JsonText ? reply.body.text : JSON.stringify(reply.body));
  });
}

/** 204 with headers only (OPTIONS). */
function writeEmpty(
  res: HttpResponse,
  state: { aborted: boolean },
  headers: Record<string, string>,
  cors: ReadonlyArray<[string, string]>,
): void {
  if (state.aborted) return;
  res.cork(() => {
    res.writeStatus("204 No Content");
    for (const [k, v] of Object.entries(headers)) res.writeHeader(k, v);
    for (const [k, v] of cors) res.writeHeader(k, v);
    res.end();
  });
}

const failure = (status: number, code: string, detail: string) => new Reply(status, { detail, code });

/**
 * Collects the request body; past `limit` bytes answers 413 in the REST error shape
 * (`{"detail", "code"}`) and resolves null.
 */
function readRestBody(
  res: HttpResponse,
  state: { aborted: boolean },
  limit: number,
  cors: ReadonlyArray<[string, string]>,
): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    res.onData((chunk, isLast) => {
      if (done) return;
      // uWS reuses the buffer after the callback returns: copy it.
      const copy = Buffer.from(chunk.slice(0));
      size += copy.length;
      if (size > limit) {
        done = true;
        write(res, state, failure(413, "PAYLOAD_TOO_LARGE", `the body is over ${limit} bytes`), cors);
        resolve(null);
        return;
      }
      chunks.push(copy);
      if (isLast) {
        done = true;
        resolve(Buffer.concat(chunks));
      }
    });
  });
}

/** The JSON object of a body: `{}` when empty; 422 when it is not a JSON object. */
function jsonBody(bytes: Buffer | null): unknown {
  if (!bytes || bytes.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString("utf8"));
  } catch {
    throw new RestError(422, "VALIDATION", "the body is not valid JSON");
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new RestError(422, "VALIDATION", "the body must be a JSON object");
  }
  return parsed;
}

function parse(schema: RestRoute["query"], input: unknown): unknown {
  if (!schema) return input;
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new RestError(422, "VALIDATION", zodDetail(parsed.error));
  return parsed.data;
}

export function restHandler(options: RestHandlerOptions) {
  const table = compileRoutes(options.routes ?? REST_ROUTES);
  const maxBody = options.maxBodyBytes ?? 64 * 1024;

  async function serve(
    route: RestRoute,
    params: Record<string, string>,
    req: Incoming,
    bytes: Buffer | null,
  ) {
    try {
      const ctx = await options.createContext(req.headers, req.clientIp);
      if (route.auth !== "public") {
        const actor = requireActor(ctx);
        if (route.auth === "admin" && !ctx.platform.accounts.isAdmin(actor.address)) {
          throw new RestError(403, "FORBIDDEN", "admins only");
        }
      }
      for (const value of Object.values(params)) {
        if (value.length < 1 || value.length > 128) {
          throw new RestError(422, "VALIDATION", "a path parameter is 1 to 128 characters");
        }
      }
      const call: RestCall<unknown, unknown> = {
        ctx,
        api: options.router.createCaller(ctx),
        param: (name) => params[name] ?? "",
        query: parse(route.query, Object.fromEntries(new URLSearchParams(req.query))),
        body: route.body ? parse(route.body, jsonBody(bytes)) : {},
        actor: () => requireActor(ctx),
      };
      const result = await route.run(call);
      return result instanceof Reply ? result : new Reply(200, result);
    } catch (e) {
      const known = toRestFailure(e, route);
      if (known) return new Reply(known.status, known.body);
      options.onError?.(e);
      return new Reply(INTERNAL_FAILURE.status, INTERNAL_FAILURE.body);
    }
  }

  return (response: HttpResponse, req: HttpRequest): void => {
    const headers = new Headers();
    req.forEach((key, value) => {
      headers.append(key, value);
    });
    const asked = req.getMethod().toUpperCase();
    // HEAD is a GET without the body.
    const res = asked === "HEAD" ? asHead(response) : response;
    // With allowed origins configured, answers differ by Origin: say so to caches.
    const cors: Array<[string, string]> =
      options.corsOrigins && options.corsOrigins.length > 0
        ? [
            ["vary", "origin"],
            ...(corsHeaders(headers.get("origin"), options.corsOrigins, CORS_METHODS) ?? []),
          ]
        : [];
    const incoming: Incoming = {
      method: asked === "HEAD" ? "GET" : asked,
      path: req.getUrl(),
      query: req.getQuery() ?? "",
      headers,
      clientIp: Buffer.from(res.getRemoteAddressAsText()).toString(),
    };
    const state = trackAbort(res);
    const found = matchRoute(table, incoming.method, incoming.path);
    if (found.kind === "none" || found.kind === "bad-path") {
      write(res, state, failure(404, "NOT_FOUND", `Not Found: ${asked} ${incoming.path}`), cors);
      return;
    }
    if (found.kind === "method") {
      const allow = [...found.allowed, ...(found.allowed.includes("GET") ? ["HEAD"] : []), "OPTIONS"].join(
        ", ",
      );
      if (incoming.method === "OPTIONS") {
        // A CORS preflight (or a plain OPTIONS): which methods the path takes.
        writeEmpty(res, state, { allow }, cors);
        return;
      }
      const reply = failure(405, "METHOD_NOT_ALLOWED", `Method Not Allowed: use ${found.allowed.join(", ")}`);
      write(res, state, new Reply(405, reply.body, { allow }), cors);
      return;
    }
    const hasBody = incoming.method !== "GET" && incoming.method !== "HEAD";
    const body = hasBody ? readRestBody(res, state, maxBody, cors) : Promise.resolve(null);
    body
      .then(async (bytes) => {
        if (hasBody && bytes === null) return; // too large: readRestBody answered 413
        write(res, state, await serve(found.route, found.params, incoming, bytes), cors);
      })
      .catch((e: unknown) => {
        options.onError?.(e);
        write(res, state, new Reply(INTERNAL_FAILURE.status, INTERNAL_FAILURE.body), cors);
      });
  };
}

/** The mounts of the REST layer: `/api/*` and the earlier dashboard's two paths. */
export function restMounts(options: RestHandlerOptions) {
  const handler = restHandler(options);
  return ["/api/*", "/dashboard", "/ws/dashboard"].map((pattern) => ({ pattern, handler }));
}
