/**
 * `live` (api.md §3): the snapshot, the public event stream and the caller's lease stream. Every
 * streamed value is `tracked(id, event)`, so a client that reconnects resumes from its last id.
 */
import { TRPCError, tracked } from "@trpc/server";
import { z } from "zod";
import { type Delivered, LiveOverflowError } from "../../live/client-stream.js";
import { LIVE_TOPICS } from "../../live/events.js";
import { leaseView, settlementView } from "../serialize.js";
import { publicProcedure, router, userProcedure } from "../trpc.js";

const lastEventIdInput = z.string().max(32).nullish();

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
    if (e instanceof LiveOverflowError)
      throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: e.message });
    throw e;
  }
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
    .subscription(({ ctx, input, signal }) =>
      trackedEvents(
        ctx.live.events({
          lastEventId: input.lastEventId ?? null,
          ...(input.topics && { topics: input.topics }),
          ...(signal && { signal }),
        }),
        // Public streams never carry lease events; this narrows the type the client sees.
        (event) => (event.type === "lease" ? null : event),
      ),
    ),

  leases: userProcedure
    .input(z.strictObject({ lastEventId: lastEventIdInput }).default({}))
    .subscription(({ ctx, input, signal }) =>
      trackedEvents(
        ctx.live.leases({
          address: ctx.actor.address,
          lastEventId: input.lastEventId ?? null,
          ...(signal && { signal }),
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
