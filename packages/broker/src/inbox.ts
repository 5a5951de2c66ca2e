/**
 * What the broker hands inbound worker messages to. `createPlatform()` from core satisfies it through
 * `platformInbox`; benchmarks and tests may pass their own.
 */
import type {
  BlockMessage,
  HeartbeatMessage,
  Inbound,
  Platform,
  RegisterMessage,
  StatusMessage,
} from "@xenblocks/core";

export interface WorkerInbox {
  onRegister(message: RegisterMessage): Promise<Inbound>;
  onHeartbeat(message: HeartbeatMessage): Promise<Inbound>;
  onStatus(message: StatusMessage, options: { retained: boolean }): Promise<Inbound>;
  onBlock(message: BlockMessage): Promise<Inbound>;
  /** The worker's connection closed (embedded broker only; an external broker reports the will). */
  onDisconnect(workerId: string): Promise<void>;
}

type InboxPlatform = Pick<Platform, "fleet" | "blocks">;

/**
 * The platform's fleet and block services as an inbox. Pass a getter when the platform is created
 * after the broker (its channel needs the broker, the broker needs the inbox).
 */
export function platformInbox(platform: InboxPlatform | (() => InboxPlatform)): WorkerInbox {
  const get = typeof platform === "function" ? platform : () => platform;
  return {
    onRegister: (m) => get().fleet.onRegister(m),
    onHeartbeat: (m) => get().fleet.onHeartbeat(m),
    onStatus: (m, options) => get().fleet.onStatus(m, options),
    onBlock: (m) => get().blocks.onBlock(m),
    onDisconnect: (workerId) => get().fleet.onDisconnect(workerId),
  };
}
