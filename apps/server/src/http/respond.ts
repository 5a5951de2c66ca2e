/** Small helpers over uWebSockets.js responses: abort tracking, bodies, JSON. */
import type { HttpResponse } from "uWebSockets.js";

export const STATUS_TEXT: Record<number, string> = {
  200: "200 OK",
  400: "400 Bad Request",
  404: "404 Not Found",
  405: "405 Method Not Allowed",
  409: "409 Conflict",
  413: "413 Payload Too Large",
  500: "500 Internal Server Error",
  503: "503 Service Unavailable",
};

/**
 * The response to a HEAD request: everything a GET handler writes, except that `end(body)` sends the
 * headers with the body's length and no body (RFC 9110 §9.3.2), so each GET route answers HEAD too.
 * (uWS would send the body after a HEAD; its `endWithoutBody(length)` aborts the process in the
 * version pinned here, so the length goes as a header and `endWithoutBody()` takes no argument.)
 */
export function asHead(res: HttpResponse): HttpResponse {
  const head: HttpResponse = new Proxy(res, {
    get(target, key) {
      if (key === "end") {
        return (body?: string | ArrayBufferView | ArrayBuffer) => {
          const length =
            body === undefined ? 0 : typeof body === "string" ? Buffer.byteLength(body) : body.byteLength;
          target.writeHeader("content-length", String(length));
          target.endWithoutBody();
          return head;
        };
      }
      const value = Reflect.get(target, key);
      if (typeof value !== "function") return value;
      // Chained calls (`res.writeStatus(…).writeHeader(…).end(…)`) must come back to the proxy.
      return (...args: unknown[]) => {
        const out = (value as (...a: unknown[]) => unknown).apply(target, args);
        return out === target ? head : out;
      };
    },
  });
  return head;
}

/** Marks the response aborted when the client goes away; uWS forbids touching it afterwards. */
export function trackAbort(res: HttpResponse): { aborted: boolean } {
  const state = { aborted: false };
  res.onAborted(() => {
    state.aborted = true;
  });
  return state;
}

export function send(
  res: HttpResponse,
  state: { aborted: boolean },
  status: number,
  body: string,
  contentType = "application/json",
): void {
  if (state.aborted) return;
  res.cork(() => {
    res
      .writeStatus(STATUS_TEXT[status] ?? `${status}`)
      .writeHeader("content-type", contentType)
      .end(body);
  });
}

/** Collects the request body; resolves null (and answers 413) past `limit` bytes. */
export function readBody(
  res: HttpResponse,
  state: { aborted: boolean },
  limit: number,
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
        send(res, state, 413, JSON.stringify({ status: "error", message: "Request body too large" }));
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

/**
 * CORS headers for a request from `origin` when it is one of the allowed origins (`--cors-origin`,
 * `*` for any); null otherwise (same-origin only, the default).
 */
export function corsHeaders(
  origin: string | null,
  allowed: readonly string[] | undefined,
  methods = "GET, POST, OPTIONS",
): Array<[string, string]> | null {
  if (!origin || !allowed || !(allowed.includes(origin) || allowed.includes("*"))) return null;
  return [
    ["access-control-allow-origin", origin],
    ["access-control-allow-methods", methods],
    ["access-control-allow-headers", "authorization, content-type, x-api-key, trpc-accept, last-event-id"],
    ["access-control-max-age", "600"],
  ];
}
