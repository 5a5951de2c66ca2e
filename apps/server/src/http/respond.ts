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
