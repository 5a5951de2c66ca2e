/**
 * tRPC over WebSocket on uWebSockets.js, over real sockets with a router of its own: queries,
 * mutations and subscriptions through `wsLink`, connectionParams and the upgrade request reaching
 * createContext, HTTP and WebSocket sharing `/trpc`, a client that stops reading, and shutdown.
 */

import { createTRPCClient, createWSClient, httpBatchLink, wsLink } from "@trpc/client";
import { initTRPC } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { z } from "zod";
import { type HttpServer, startHttpServer } from "../src/http/http-server.js";
import { createLogger } from "../src/log.js";
import { type TrpcHttpHandler, trpcHttpHandler } from "../src/trpc/uws-http.js";
import { SLOW_CLIENT_CLOSE_CODE, type TrpcWebSocket, trpcWebSocketBehavior } from "../src/trpc/uws-ws.js";

interface Ctx {
  transport: "ws" | "http";
  token: string | null;
  probe: string | null;
  clientIp: string;
}

const t = initTRPC.context<Ctx>().create();
const events = { floodsEnded: 0 };
const router = t.router({
  whoami: t.procedure.query(({ ctx }) => ctx),
  add: t.procedure
    .input(z.object({ a: z.number(), b: z.number() }))
    .mutation(({ input }) => input.a + input.b),
  ticks: t.procedure.input(z.object({ count: z.number() })).subscription(async function* ({ input }) {
    for (let i = 0; i < input.count; i++) yield i;
  }),
  /** One value every few ms until the client leaves. */
  beat: t.procedure.subscription(async function* ({ signal }) {
    for (let i = 0; !signal?.aborted; i++) {
      yield i;
      await new Promise((r) => setTimeout(r, 5));
    }
  }),
  flood: t.procedure.subscription(async function* ({ signal }) {
    try {
      const big = "x".repeat(64 * 1024);
      while (!signal?.aborted) {
        yield big;
        // Let the socket's close reach the procedure.
        await new Promise((r) => setImmediate(r));
      }
    } finally {
      events.floodsEnded += 1;
    }
  }),
});

const quiet = createLogger("error", () => {});
const clientCounts: number[] = [];

async function start(): Promise<{ http: HttpServer; ws: TrpcWebSocket; sse: TrpcHttpHandler; url: string }> {
  const ws = trpcWebSocketBehavior({
    router,
    createContext: ({ connectionParams, headers, clientIp }) => ({
      transport: "ws" as const,
      token: connectionParams?.token ?? null,
      probe: headers.get("x-probe"),
      clientIp,
    }),
    maxBufferedBytes: 256 * 1024,
    onClientCount: (n) => clientCounts.push(n),
  });
  const sse = trpcHttpHandler({
    router,
    endpoint: "/trpc",
    createContext: () => ({ transport: "http" as const, token: null, probe: null, clientIp: "" }),
  });
  const http = await startHttpServer({
    host: "127.0.0.1",
    port: 0,
    logger: quiet,
    ready: () => true,
    metrics: async () => "",
    chain: null,
    frontPage: () => "",
    webSockets: [{ pattern: "/trpc", behavior: ws.behavior }],
    mounts: [{ pattern: "/trpc/*", handler: sse }],
  });
  return { http, ws, sse, url: `127.0.0.1:${http.port}/trpc` };
}

/** A `ws` WebSocket that sends an extra header on the upgrade request. */
class ProbingWebSocket extends WebSocket {
  constructor(url: string | URL, protocols?: string | string[]) {
    super(url, protocols, { headers: { "x-probe": "probe-1" } });
  }
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

let server: Awaited<ReturnType<typeof start>>;
beforeAll(async () => {
  server = await start();
});
afterAll(() => server.http.close());

function wsClient(token = "secret-token") {
  const client = createWSClient({
    url: `ws://${server.url}`,
    WebSocket: ProbingWebSocket as never,
    connectionParams: () => ({ token }),
  });
  return { client, trpc: createTRPCClient<typeof router>({ links: [wsLink({ client })] }) };
}

describe("tRPC over WebSocket on uWebSockets.js", () => {
  it("answers queries and mutations, with connectionParams and the upgrade request in the context", async () => {
    const { client, trpc } = wsClient();
    try {
      expect(await trpc.whoami.query()).toEqual({
        transport: "ws",
        token: "secret-token",
        probe: "probe-1",
        clientIp: "127.0.0.1",
      });
      expect(await trpc.add.mutate({ a: 2, b: 40 })).toBe(42);
    } finally {
      await client.close();
    }
  });

  it("serves plain HTTP under /trpc beside the WebSocket", async () => {
    const http = createTRPCClient<typeof router>({ links: [httpBatchLink({ url: `http://${server.url}` })] });
    expect(await http.whoami.query()).toMatchObject({ transport: "http" });
  });

  it("counts the subscriptions streamed over HTTP (SSE) for metrics", async () => {
    const controller = new AbortController();
    const response = await fetch(`http://${server.url}/beat`, {
      headers: { accept: "text/event-stream" },
      signal: controller.signal,
    });
    const reader = response.body?.getReader();
    await reader?.read();
    expect(server.sse.openStreams()).toBe(1);
    controller.abort();
    await reader?.cancel().catch(() => {});
    await until(() => server.sse.openStreams() === 0);
  });

  it("streams a subscription to its end", async () => {
    const { client, trpc } = wsClient();
    try {
      const got: number[] = [];
      await new Promise<void>((resolve, reject) => {
        trpc.ticks.subscribe(
          { count: 4 },
          { onData: (n) => got.push(n), onComplete: () => resolve(), onError: reject },
        );
      });
      expect(got).toEqual([0, 1, 2, 3]);
    } finally {
      await client.close();
    }
  });

  it("cuts a client that stops reading while a normal client keeps receiving", async () => {
    const { client, trpc } = wsClient();
    let beats = 0;
    const sub = trpc.beat.subscribe(undefined, { onData: () => (beats += 1) });
    await until(() => beats > 0);
    const before = events.floodsEnded;
    const clientsBefore = server.ws.clientCount();

    const slow = new WebSocket(`ws://${server.url}`);
    await new Promise((resolve) => slow.once("open", resolve));
    const closed = new Promise<number>((resolve) => slow.once("close", (code) => resolve(code)));
    slow.send(JSON.stringify({ id: 1, method: "subscription", params: { path: "flood", input: null } }));
    // Stop reading: the server's send buffer for this socket fills up.
    (slow as unknown as { _socket: { pause(): void } })._socket.pause();

    await until(() => events.floodsEnded === before + 1);
    await until(() => server.ws.clientCount() === clientsBefore);
    const beatsAtCut = beats;
    await until(() => beats > beatsAtCut);

    // When it reads again it finds the close, with the code that says "reconnect later".
    (slow as unknown as { _socket: { resume(): void } })._socket.resume();
    expect(await closed).toBe(SLOW_CLIENT_CLOSE_CODE);
    sub.unsubscribe();
    await client.close();
  });

  it("closes every socket when the server closes", async () => {
    const other = await start();
    const socket = new WebSocket(`ws://${other.url}`);
    await new Promise((resolve) => socket.once("open", resolve));
    const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
    expect(other.ws.clientCount()).toBe(1);
    other.http.close();
    expect(await closed).toBe(1001);
    expect(other.ws.clientCount()).toBe(0);
    // And no new upgrade gets through.
    const late = new WebSocket(`ws://${other.url}`);
    const outcome = await new Promise<string>((resolve) => {
      late.once("open", () => resolve("open"));
      late.once("error", () => resolve("refused"));
    });
    expect(outcome).toBe("refused");
  });
});
