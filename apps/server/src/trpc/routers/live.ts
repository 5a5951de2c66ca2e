/**
 * `live` (api.md §3): the snapshot, the public event stream and the caller's lease stream. Every
 * streamed value is `tracked(id, event)`, so a client that reconnects resumes from its last id.
 */
import { TRPCError, type TrackedEnvelope, tracked } from "@trpc/server";
import { z } from "zod";
import { type ClientStream, type Delivered, LiveOverflowError } from "../../live/client-stream.js";
import type { LogEntry } from "../../live/event-log.js";
import {
  eventJson,
  type HubEvent,
  LIVE_TOPICS,
  type PublicLiveEvent,
  type SnapshotLiveEvent,
} from "../../live/events.js";
import { leaseView, settlementView } from "../serialize.js";
import { type Context, publicProcedure, router, userProcedure } from "../trpc.js";
import { type DirectSink, type DirectSubscription, offerDirectSubscription } from "../uws-ws.js";

const lastEventIdInput = z.string().max(32).nullish();

const tooFarBehind = (e: LiveOverflowError) =>
  new TRPCError({ code: "TOO_MANY_REQUESTS", message: e.message });

/** A stream's events as tracked values; a client too far behind gets an error telling it to resume. */
async function* trackedEvents<E, T>(
  stream: AsyncIterableIterator<Delivered<E>>,
  map: (event: E) => T | null,
) {
  try {
    for await (const { id, event } of stream) {
      const value = map(event);
      if (value !== null) yield tracked(id, value);
    }
  } catch (e) {
    if (e instanceof LiveOverflowError) throw tooFarBehind(e);
    throw e;
  }
}

/**
 * `live.events` as tracked values (`trackedEvents`) for any transport; over the WebSocket it writes its
 * data messages itself (`DirectSubscription`): each event's JSON is made once for every client (and the
 * rest of the message once per event), a client's message is its subscription's prefix plus that, and
 * the client's events go out together, corked, with no promise, generator step or envelope per event
 * and client. The bytes are the ones tRPC would send for `tracked(id, event)`.
 */
class PublicEventSubscription implements AsyncIterableIterator<unknown>, DirectSubscription {
  private mode: "undecided" | "iterator" | "direct" | "done" = "undecided";
  private iterator: AsyncGenerator<unknown> | null = null;
  private sink: DirectSink | null = null;
  private end: { resolve: (r: IteratorResult<unknown>) => void; reject: (e: unknown) => void } | null = null;
  private readonly write = (entry: LogEntry | null, id: number, event: HubEvent | SnapshotLiveEvent) =>
    // Public streams never carry lease events.
    event.type === "lease" ? true : this.out(this.message(entry, id, event));
  private out: (message: string | Uint8Array) => boolean = () => false;

  constructor(private readonly stream: ClientStream) {}

  [Symbol.asyncIterator](): this {
    if (this.mode === "undecided") {
      offerDirectSubscription(this);
      // Not taken by the WebSocket in this synchronous run: an ordinary iterator.
      queueMicrotask(() => {
        if (this.mode === "undecided") this.mode = "iterator";
      });
    }
    return this;
  }

  next(): Promise<IteratorResult<unknown>> {
    switch (this.mode) {
      case "iterator":
        this.iterator ??= trackedEvents(this.stream, (event) => (event.type === "lease" ? null : event));
        return this.iterator.next();
      case "direct":
        return new Promise((resolve, reject) => {
          this.end = { resolve, reject };
          this.settleIfEnded();
        });
      case "done":
        return Promise.resolve({ value: undefined, done: true });
      case "undecided":
        // Decided by the end of this synchronous run (see `[Symbol.asyncIterator]`).
        return new Promise((resolve) => queueMicrotask(() => resolve(this.decided())));
    }
  }

  return(): Promise<IteratorResult<unknown>> {
    const iterator = this.iterator;
    this.mode = "done";
    this.sink?.detach();
    this.stream.end(null);
    if (iterator) return iterator.return(undefined);
    this.settleIfEnded();
    return Promise.resolve({ value: undefined, done: true });
  }

  attachDirect(sink: DirectSink): void {
    if (this.mode !== "undecided") return;
    this.mode = "direct";
    this.sink = sink;
    this.stream.listen(() => {
      if (this.stream.closed) this.settleIfEnded();
      // A queue a quarter full is written in the next turn rather than on the tick.
      else sink.wake(this.stream.fill() > 0.25);
    });
  }

  fill(write: (message: string | Uint8Array) => boolean, max: number): boolean {
    if (this.mode !== "direct" || this.stream.closed) return false;
    this.out = write;
    return this.stream.drain(this.write, max);
  }

  private decided(): Promise<IteratorResult<unknown>> {
    if (this.mode === "undecided") this.mode = "iterator";
    return this.next();
  }

  /**
   * tRPC's data message for `tracked(id, event)`. For an event sent with its own id the message is
   * made once per event for every subscription with the same prefix (most clients have the same few
   * subscription ids), as UTF-8 bytes the socket takes as they are.
   */
  private message(entry: LogEntry | null, id: number, event: HubEvent | SnapshotLiveEvent): string | Buffer {
    const prefix = (this.sink as DirectSink).dataPrefix;
    if (entry !== null && entry.seq === id) {
      let cache = entry.wire as WireCache | undefined;
      if (cache === undefined) {
        cache = { tail: trackedTail(String(id), eventJson(entry)), prefixes: [], messages: [] };
        entry.wire = cache;
      }
      const i = cache.prefixes.indexOf(prefix);
      if (i >= 0) return cache.messages[i] as Buffer;
      const message = prefix + cache.tail;
      if (cache.prefixes.length >= WIRE_CACHE_PREFIXES) return message;
      const bytes = Buffer.from(message);
      cache.prefixes.push(prefix);
      cache.messages.push(bytes);
      return bytes;
    }
    // A held heartbeat (sent with the newest id already delivered) or the snapshot.
    return prefix + trackedTail(String(id), entry !== null ? eventJson(entry) : JSON.stringify(event));
  }

  private settleIfEnded(): void {
    if (!this.stream.closed && this.mode !== "done") return;
    const end = this.end;
    if (!end) return;
    this.end = null;
    this.sink?.detach();
    const failure = this.stream.failure;
    if (failure === null || this.mode === "done") end.resolve({ value: undefined, done: true });
    else end.reject(failure instanceof LiveOverflowError ? tooFarBehind(failure) : failure);
    this.mode = "done";
  }
}

/** An entry's messages, for up to `WIRE_CACHE_PREFIXES` subscription prefixes. */
interface WireCache {
  /** The message after the prefix. */
  tail: string;
  prefixes: string[];
  messages: Buffer[];
}
const WIRE_CACHE_PREFIXES = 4;

/** tRPC's data message for a tracked value, after the subscription's prefix (see `DirectSink`). */
function trackedTail(id: string, json: string): string {
  const quoted = JSON.stringify(id);
  return `{"id":${quoted},"data":${json}},"id":${quoted}}}`;
}

/**
 * The signal a user's subscription runs under: the request's own, and aborted too once the caller's
 * credential stops holding (signed out, expired, revoked), checked every `credentialRecheckMs` — the
 * stream makes no further calls that could be refused, so a sign-out ends it here, on the WebSocket
 * and over SSE alike.
 */
function whileCredentialHolds(ctx: Context, signal: AbortSignal | undefined): AbortSignal {
  const ended = new AbortController();
  const holds = ctx.credentialHolds;
  if (!holds) return signal ?? ended.signal;
  let checking = false;
  const timer = setInterval(() => {
    if (checking) return;
    checking = true;
    holds()
      // A failed check (the database away) is not a sign-out.
      .catch(() => true)
      .then((ok) => {
        checking = false;
        if (!ok) ended.abort();
      });
  }, ctx.credentialRecheckMs ?? 30_000);
  timer.unref?.();
  const stop = () => {
    clearInterval(timer);
    ended.abort();
  };
  ended.signal.addEventListener("abort", () => clearInterval(timer), { once: true });
  if (signal?.aborted) stop();
  else signal?.addEventListener("abort", stop, { once: true });
  return ended.signal;
}

export const live = router({
  snapshot: publicProcedure.query(({ ctx }) => ctx.live.snapshot()),

  events: publicProcedure
    .input(
      z
        .strictObject({
          lastEventId: lastEventIdInput,
          topics: z.array(z.enum(LIVE_TOPICS)).min(1).max(LIVE_TOPICS.length).optional(),
        })
        .default({}),
    )
    .subscription(
      ({ ctx, input, signal }) =>
        new PublicEventSubscription(
          ctx.live.events({
            lastEventId: input.lastEventId ?? null,
            ...(input.topics && { topics: input.topics }),
            ...(signal && { signal }),
          }),
          // Public streams never carry lease events: the type the client sees.
        ) as unknown as AsyncGenerator<TrackedEnvelope<PublicLiveEvent | SnapshotLiveEvent>, void, unknown>,
    ),

  leases: userProcedure
    .input(z.strictObject({ lastEventId: lastEventIdInput }).default({}))
    .subscription(({ ctx, input, signal }) =>
      trackedEvents(
        ctx.live.leases({
          address: ctx.actor.address,
          lastEventId: input.lastEventId ?? null,
          signal: whileCredentialHolds(ctx, signal),
        }),
        (event) =>
          event.type === "lease"
            ? {
                type: "lease" as const,
                at: event.at,
                lease: leaseView(event.lease, true),
                ...(event.settlement && { settlement: settlementView(event.settlement) }),
              }
            : null,
      ),
    ),
});
