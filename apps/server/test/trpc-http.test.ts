/**
 * The tRPC adapter over real sockets, with a router of its own (the platform's routers have their own
 * tests): batching, errors, server-sent events, a client that goes away, a client too slow to read,
 * and CORS.
 */

import uWS, { type us_listen_socket } from "uWebSockets.js";
import { connect } from "node:net";
import {
  createTRPCClient,
  httpBatchLink,
  httpSubscriptionLink,
  splitLink,
  TRPCClientError,
} from "@trpc/client";
import { initTRPC, TRPCError } from "@trpc/server";
import { EventSource } from "eventsource";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { trpcHttpHandler } from "../src/trpc/uws-http.js";

const t = initTRPC.create();
const events = { queriesAborted: 0, streamsEnded: 0 };
const router = t.router({
  echo: t.procedure.input(z.object({ text: z.string() })).query(({ input }) => ({ echo: input.text })),
  add: t.procedure
    .input(z.object({ a: z.number(), b: z.number() }))
    .mutation(({ input }) => input.a + input.b),
  forbidden: t.procedure.query(() => {
    throw new TRPCError({ code: "FORBIDDEN", message: "not yours" });
  }),
  slow: t.procedure.query(async ({ signal }) => {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 3000);
      signal?.addEventListener("abort", () => {
        clearTimeout(timer);
        events.queriesAborted += 1;
        resolve();
      });
    });
    return "late";
  }),
  ticks: t.procedure.input(z.object({ count: z.number() })).subscription(async function* ({ input }) {
    for (let i = 0; i < input.count; i++) yield i;
  }),
  flood: t.procedure.subscription(async function* ({ signal }) {
    try {
      const big = "x".repeat(256 * 1024);
      while (!signal?.aborted) yield big;
    } finally {
      events.streamsEnded += 1;
    }
  }),
});

let token: us_listen_socket;
let base = "";
beforeAll(async () => {
  const app = uWS.App();
  app.any(
    "/trpc/*",
    trpcHttpHandler({
      router,
      endpoint: "/trpc",
      createContext: () => ({}),
      drainTimeoutMs: 1000,
      corsOrigins: ["http://ui.test"],
    }),
  );
  token = await new Promise((resolve, reject) =>
    app.listen("127.0.0.1", 0, (t) => (t ? resolve(t) : reject(new Error("listen")))),
  );
  base = `http://127.0.0.1:${uWS.us_socket_local_port(token)}/trpc`;
});
afterAll(() => uWS.us_listen_socket_close(token));

function client() {
  return createTRPCClient<typeof router>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({ url: base, EventSource: EventSource as never }),
        false: httpBatchLink({ url: base }),
      }),
    ],
  });
}

describe("tRPC over uWebSockets.js", () => {
  it("answers batched queries and mutations", async () => {
    const c = client();
    const [a, b, sum] = await Promise.all([
      c.echo.query({ text: "a" }),
      c.echo.query({ text: "b" }),
      c.add.mutate({ a: 2, b: 3 }),
    ]);
    expect([a, b, sum]).toEqual([{ echo: "a" }, { echo: "b" }, 5]);
  });

  it("returns errors with their code, and input errors as BAD_REQUEST", async () => {
    const c = client();
    await expect(c.forbidden.query()).rejects.toMatchObject({ data: { code: "FORBIDDEN", httpStatus: 403 } });
    const bad = await c.echo.query({ text: 1 as never }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(TRPCClientError);
    expect((bad as TRPCClientError<typeof router>).data?.code).toBe("BAD_REQUEST");
  });

  it("streams a subscription as server-sent events", async () => {
    const c = client();
    const got: number[] = [];
    await new Promise<void>((resolve, reject) => {
      const sub = c.ticks.subscribe(
        { count: 5 },
        {
          onData: (n) => {
            got.push(n as number);
            if (got.length === 5) {
              sub.unsubscribe();
              resolve();
            }
          },
          onError: reject,
        },
      );
    });
    expect(got).toEqual([0, 1, 2, 3, 4]);
  });

  it("aborts the procedure when the client goes away", async () => {
    const before = events.queriesAborted;
    const controller = new AbortController();
    const pending = fetch(`${base}/slow`, { signal: controller.signal }).catch(() => null);
    await new Promise((r) => setTimeout(r, 200));
    controller.abort();
    await pending;
    for (let i = 0; i < 50 && events.queriesAborted === before; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(events.queriesAborted).toBe(before + 1);
  });

  it("cuts a client that stops reading, and keeps serving the others meanwhile", async () => {
    const before = events.streamsEnded;
    const port = Number(new URL(base).port);
    // A client that asks for the flood and never reads a byte.
    const socket = connect(port, "127.0.0.1");
    socket.pause();
    socket.on("error", () => {});
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    socket.write("GET /trpc/flood HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n");
    // Others are served meanwhile.
    expect(await client().echo.query({ text: "still here" })).toEqual({ echo: "still here" });
    // The server gives up on it after the drain bound (1 s here) and ends the stream.
    for (let i = 0; i < 250 && events.streamsEnded === before; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(events.streamsEnded).toBe(before + 1);
    socket.destroy();
  });

  it("keeps streaming to a client that reads slowly but steadily", async () => {
    const before = events.streamsEnded;
    const port = Number(new URL(base).port);
    const socket = connect(port, "127.0.0.1");
    socket.on("error", () => {});
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    socket.write("GET /trpc/flood HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n");
    let received = 0;
    socket.on("data", (chunk: Buffer) => {
      received += chunk.length;
    });
    // Read in bursts, pausing 100 ms at a time: well within the 1 s bound, even on a loaded machine.
    for (let i = 0; i < 12; i++) {
      socket.pause();
      await new Promise((r) => setTimeout(r, 100));
      socket.resume();
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(events.streamsEnded).toBe(before);
    expect(received).toBeGreaterThan(1024 * 1024);
    socket.destroy();
    for (let i = 0; i < 250 && events.streamsEnded === before; i++)
      await new Promise((r) => setTimeout(r, 20));
  });

  it("answers CORS preflights for allowed origins only", async () => {
    const allowed = await fetch(`${base}/echo`, { method: "OPTIONS", headers: { origin: "http://ui.test" } });
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get("access-control-allow-origin")).toBe("http://ui.test");
    const refused = await fetch(`${base}/echo`, {
      method: "OPTIONS",
      headers: { origin: "http://evil.test" },
    });
    expect(refused.status).toBe(403);
    const query = await fetch(`${base}/echo?input=${encodeURIComponent(JSON.stringify({ text: "c" }))}`, {
      headers: { origin: "http://ui.test" },
    });
    expect(query.headers.get("access-control-allow-origin")).toBe("http://ui.test");
    expect(await query.json()).toEqual({ result: { data: { echo: "c" } } });
  });
});
