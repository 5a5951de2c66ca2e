/**
 * The domain's settings with the defaults of platform-rules §13. Hosts parse their flags into a
 * partial of this; `resolveConfig` fills the rest and validates it once.
 */
import { z } from "zod";

const seconds = z.number().int().positive();

export const platformConfigSchema = z.object({
  feeBps: z.number().int().min(0).max(10_000).default(500),
  admins: z
    .array(z.string().regex(/^0x[0-9a-fA-F]{40}$/, "admin must be 0x + 40 hex"))
    .default([])
    .transform((list) => list.map((a) => a.toLowerCase())),
  lease: z
    .object({
      assignTimeoutSec: seconds.default(30),
      releaseWaitSec: seconds.default(30),
      /** Blocks are accepted this long after a lease ended. */
      graceAfterEndSec: z.number().int().min(0).default(60),
      /** A worker's own COMPLETED counts as expiry when it arrives no earlier than this before the end. */
      workerExpiryToleranceSec: z.number().int().min(0).default(10),
    })
    .prefault({}),
  worker: z
    .object({
      offlineAfterSec: seconds.default(90),
      settleGapSec: z.number().min(0).default(2),
      /** `pause` is never sent within this long after a lease end (worker-protocol H13). */
      pauseAfterLeaseEndSec: z.number().min(0).default(10),
      reregisterEverySec: seconds.default(30),
    })
    .prefault({}),
  blocks: z
    .object({
      marker: z.string().min(1).max(16).default("XEN11"),
      verifyArgon2: z.boolean().default(false),
    })
    .prefault({}),
  chain: z
    .object({
      /** Seconds after receipt at which the chain is asked (platform-rules §6). */
      checkScheduleSec: z
        .array(z.number().int().positive())
        .default([5, 15, 35, 75, 155, 275, 395, 515, 635, 755, 875]),
    })
    .prefault({}),
  faucet: z
    .object({
      enabled: z.boolean().default(false),
      perRequest: z.bigint().default(1_000_000_000n),
      per24h: z.bigint().default(10_000_000_000n),
    })
    .prefault({}),
  retention: z
    .object({
      rawHours: seconds.default(24),
      hourlyDays: seconds.default(90),
      dailyDays: seconds.default(730),
      healthDays: seconds.default(90),
    })
    .prefault({}),
  apiKeys: z.object({ maxPerAccount: z.number().int().positive().default(20) }).prefault({}),
});

export type PlatformConfig = z.output<typeof platformConfigSchema>;
export type PlatformConfigInput = z.input<typeof platformConfigSchema>;

export function resolveConfig(input: PlatformConfigInput = {}): PlatformConfig {
  return platformConfigSchema.parse(input);
}
