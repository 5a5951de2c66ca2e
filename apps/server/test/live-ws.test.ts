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
