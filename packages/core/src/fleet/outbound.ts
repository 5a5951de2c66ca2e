/**
 * Every command the platform sends to a worker goes through here: nothing to an offline worker,
 * the send time recorded (matching waits a settle gap after it), and a failing channel counted,
 * never thrown into a message handler.
 */
import type { Context } from "../context.js";
import type { ChannelMessage } from "../ports.js";
import { release } from "../protocol/index.js";

export async function sendToWorker(
  ctx: Context,
  workerId: string,
  message: ChannelMessage,
): Promise<boolean> {
  try {
    await ctx.channel.send(workerId, message);
  } catch {
    ctx.counters.inc("worker_send_failed_total", message.topic);
    return false;
  }
  await ctx.storage.workers.update(workerId, { lastSentAt: ctx.clock.now() });
  return true;
}

/**
 * Releases a lease the worker may still hold. To an offline worker the release is owed and sent
 * when it comes back (worker-protocol §7); matching waits until the worker reports AVAILABLE.
 */
export async function releaseLease(ctx: Context, workerId: string, leaseId: string, online: boolean) {
  if (!online) {
    await ctx.storage.workers.update(workerId, { releaseLeaseId: leaseId, releaseSentAt: null });
    return;
  }
  const sent = await sendToWorker(ctx, workerId, { topic: "task", payload: release(leaseId) });
  await ctx.storage.workers.update(workerId, {
    releaseLeaseId: leaseId,
    releaseSentAt: sent ? ctx.clock.now() : null,
  });
}
