/** What every service is built from: the ports, the settings and the shared in-process state. */
import type { PlatformConfig } from "./config.js";
import type { LiveFleet } from "./fleet/live.js";
import type { KeyedMutex } from "./keyed-mutex.js";
import type { Counters } from "./metrics.js";
import type { Argon2Verifier, Chain, Clock, EventBus, Ids, Storage, WorkerChannel } from "./ports.js";

export interface Context {
  storage: Storage;
  channel: WorkerChannel;
  events: EventBus;
  clock: Clock;
  ids: Ids;
  chain: Chain | null;
  argon2: Argon2Verifier | null;
  config: PlatformConfig;
  counters: Counters;
  live: LiveFleet;
  /** One lock per worker id. */
  workerLocks: KeyedMutex;
}

export const isAdmin = (ctx: Context, address: string): boolean =>
  ctx.config.admins.includes(address.toLowerCase());
