/**
 * `live.events` end to end over the WebSocket: a client that is disconnected reconnects through
 * `wsLink`, resumes from its last tracked id, and ends up with every event exactly once.
 */

import uWS, { type us_listen_socket } from "uWebSockets.js";
import { createTRPCClient, createWSClient, wsLink } from "@trpc/client";
import { createEventBus, type FleetStats } from "@xenblocks/core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { WebSocket } from "ws";
import { LiveHub } from "../src/live/hub.js";
import { live } from "../src/trpc/routers/live.js";
import { router } from "../src/trpc/trpc.js";
import { type TrpcWebSocket, trpcWebSocketBehavior } from "../src/trpc/uws-ws.js";

const STATS = { totalWorkers: 0 } as FleetStats;
const appRouter = router({ live });
const bus = createEventBus();
const hub = new LiveHub({
  events: bus,
  clock: { now: () => Date.now() },
  stats: async () => STATS,
  snapshot: async () => ({ stats: STATS, recentBlocks: [] }),
  startId: 0,
});

let token: us_listen_socket;
let ws: TrpcWebSocket;
let url = "";
beforeAll(async () => {
  ws = trpcWebSocketBehavior({
    router: appRouter,
    createContext: () => ({ live: hub, actor: null }) as never,
  });
  const app = uWS.App();
  app.ws("/trpc", ws.behavior);
  token = await new Promise((resolve, reject) =>
    app.listen("127.0.0.1", 0, (t) => (t ? resolve(t) : reject(new Error("listen")))),
  );
  url = `ws://127.0.0.1:${uWS.us_socket_local_port(token)}/trpc`;
});
afterAll(() => {
  hub.close();
  ws.closeAll();
  uWS.us_listen_socket_close(token);
});

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

const publish = (n: number) => {
  for (let i = 0; i < n; i++) bus.publish({ type: "WorkerChanged", at: 0, workerId: "w", change: "updated" });
};

it("resumes after a disconnect from the last id, without gaps or duplicates", async () => {
  const client = createWSClient({ url, WebSocket: WebSocket as never, retryDelayMs: () => 0 });
  const trpc = createTRPCClient<typeof appRouter>({ links: [wsLink({ client })] });
  const received: Array<{ id: string; type: string }> = [];
  const sub = trpc.live.events.subscribe(
    {},
    {
      onData: (value) => {
        const { id, data } = value as unknown as { id: string; data: { type: string } };
        received.push({ id, type: data.type });
      },
    },
  );
  await until(() => received.length === 1);
  expect(received[0]?.type).toBe("snapshot");
  publish(10);
  await until(() => received.length === 11);
  // The server drops the connection; events keep happening meanwhile.
  ws.closeAll(1013, "test");
  publish(10);
  await until(() => ws.clientCount() === 1);
  publish(10);
  await until(() => received.length === 31);
  expect(received.slice(1).map((r) => r.id)).toEqual(Array.from({ length: 30 }, (_, i) => String(i + 1)));
  expect(received.slice(1).every((r) => r.type === "worker")).toBe(true);
  sub.unsubscribe();
  await client.close();
});

/** A raw WebSocket speaking tRPC's protocol: what arrives, as text. */
async function rawSocket(target: string): Promise<{ socket: WebSocket; messages: string[] }> {
  const socket = new WebSocket(target);
  const messages: string[] = [];
  socket.on("message", (data) => messages.push(data.toString()));
  await new Promise((resolve) => socket.once("open", resolve));
  return { socket, messages };
}

it("writes each event as the bytes tRPC would send for it, whatever the subscription's id", async () => {
  const { socket, messages } = await rawSocket(url);
  const from = hub.lastEventId();
  socket.send(
    JSON.stringify([
      { id: 7, jsonrpc: "2.0", method: "subscription", params: { path: "live.events", input: {} } },
      {
        id: "s",
        method: "subscription",
        params: { path: "live.events", input: { lastEventId: from, topics: ["heartbeat"] } },
      },
    ]),
  );
  await until(() => messages.filter((m) => m.includes('"started"')).length === 2);
  await until(() => messages.some((m) => m.includes('"snapshot"')));
  bus.publish({ type: "Heartbeat", at: 5, workerId: 'w"1', hashrate: 1.234, activeGpus: 1 });
  bus.publish({ type: "Heartbeat", at: 6, workerId: 'w"1', hashrate: 2, activeGpus: 1 }); // held 1 s
  publish(1);
  await until(() => messages.filter((m) => m.includes('"lastSeenAt":6')).length === 2);
  const data = messages.map((m) => JSON.parse(m)).filter((m) => m.result?.type === "data");
  for (const [i, m] of data.entries()) {
    // tRPC's own encoding of `tracked(id, event)` for this subscription.
    const { id, jsonrpc, result } = m;
    expect(messages.filter((raw) => raw.includes('"data"'))[i]).toBe(
      JSON.stringify({ id, jsonrpc, result: { type: "data", data: result.data, id: result.id } }),
    );
  }
  const ids = (sub: number | string) =>
    data.filter((m) => m.id === sub).map((m) => [m.result.id, m.result.data.data.type]);
  const first = Number(from);
  expect(ids(7).slice(1)).toEqual([
    [String(first + 1), "heartbeat"],
    [String(first + 3), "worker"],
    // The held heartbeat carries the newest id already delivered.
    [String(first + 3), "heartbeat"],
  ]);
  expect(ids("s")).toEqual([
    [String(first + 1), "heartbeat"],
    [String(first + 2), "heartbeat"],
  ]);
  socket.close();
});

it("cuts a subscriber that stops reading while another keeps receiving every event", async () => {
  const slowHub = new LiveHub({
    events: bus,
    clock: { now: () => Date.now() },
    stats: async () => STATS,
    snapshot: async () => ({ stats: STATS, recentBlocks: [] }),
    queue: { maxEvents: 100, maxBytes: 1024 * 1024 },
    startId: 1_000_000,
  });
  const slowWs = trpcWebSocketBehavior({
    router: appRouter,
    createContext: () => ({ live: slowHub, actor: null }) as never,
    maxBufferedBytes: 64 * 1024,
  });
  const app = uWS.App();
  app.ws("/trpc", slowWs.behavior);
  const listen: us_listen_socket = await new Promise((resolve, reject) =>
    app.listen("127.0.0.1", 0, (t) => (t ? resolve(t) : reject(new Error("listen")))),
  );
  const target = `ws://127.0.0.1:${uWS.us_socket_local_port(listen)}/trpc`;
  try {
    const subscribe = JSON.stringify({
      id: 1,
      method: "subscription",
      params: { path: "live.events", input: { lastEventId: slowHub.lastEventId(), topics: ["worker"] } },
    });
    const fast = await rawSocket(target);
    const slow = await rawSocket(target);
    let closeCode = 0;
    slow.socket.once("close", (code) => {
      closeCode = code;
    });
    fast.socket.send(subscribe);
    slow.socket.send(subscribe);
    await until(() => fast.messages.length === 1 && slow.messages.length === 1);
    (slow.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    // Big events, a batch per turn, until the slow one is cut (an error, or closed as too slow).
    const big = "x".repeat(8 * 1024);
    let sent = 0;
    while (slowHub.subscriberCount() === 2 && sent < 20_000) {
      for (let i = 0; i < 50; i++, sent++)
        bus.publish({ type: "WorkerChanged", at: 0, workerId: `${big}${sent}`, change: "updated" });
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(slowHub.subscriberCount()).toBe(1);
    await until(() => fast.messages.length === 1 + sent);
    const workers = fast.messages
      .slice(1)
      .map((m) => JSON.parse(m).result.data.data.workerId.slice(big.length));
    expect(workers).toEqual(Array.from({ length: sent }, (_, i) => String(i)));
    (slow.socket as unknown as { _socket: { resume(): void } })._socket.resume();
    // Either its queue overflowed (a TOO_MANY_REQUESTS error: resubscribe) or it was closed as too slow.
    await until(() => slow.messages.some((m) => m.includes("TOO_MANY_REQUESTS")) || closeCode === 1013);
    fast.socket.close();
    slow.socket.close();
  } finally {
    slowHub.close();
    slowWs.closeAll();
    uWS.us_listen_socket_close(listen);
  }
});
