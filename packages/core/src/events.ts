/**
 * Typed domain events. Services publish them after their writes commit; the server turns them into
 * subscription messages and the broker into nothing (commands go through WorkerChannel).
 */
import type { Transfer } from "./ledger.js";
import type {
  BlockRecord,
  ChainStatus,
  LeaseRecord,
  OfflineReason,
  SettlementRecord,
  WorkerState,
} from "./types.js";

export type DomainEvent =
  | {
      type: "WorkerRegistered";
      at: number;
      workerId: string;
      owner: string;
      isNew: boolean;
      ownerChanged: boolean;
    }
  | { type: "Heartbeat"; at: number; workerId: string; hashrate: number; activeGpus: number }
  | { type: "WorkerStatusChanged"; at: number; workerId: string; state: WorkerState; leaseId: string | null }
  | {
      type: "WorkerChanged";
      at: number;
      workerId: string;
      change: "updated" | "listed" | "unlisted" | "banned" | "unbanned" | "pricing";
    }
  | {
      type: "WorkerHealthChanged";
      at: number;
      workerId: string;
      kind: "offline" | "online";
      reason: OfflineReason | null;
      offlineForSec: number | null;
    }
  | { type: "BlockRecorded"; at: number; block: BlockRecord }
  | {
      type: "BlockChainStatus";
      at: number;
      blockId: number;
      chainStatus: ChainStatus;
      chainBlockId: number | null;
    }
  | { type: "LeaseChanged"; at: number; lease: LeaseRecord; settlement: SettlementRecord | null }
  | { type: "LedgerChanged"; at: number; transfers: Transfer[] };

export type DomainEventType = DomainEvent["type"];

/** An in-process event bus: synchronous fan-out; a failing subscriber never breaks the publisher. */
export function createEventBus(onSubscriberError?: (error: unknown, event: DomainEvent) => void) {
  const subscribers = new Set<(event: DomainEvent) => void>();
  return {
    publish(event: DomainEvent): void {
      for (const subscriber of subscribers) {
        try {
          subscriber(event);
        } catch (error) {
          onSubscriberError?.(error, event);
        }
      }
    },
    subscribe(subscriber: (event: DomainEvent) => void): () => void {
      subscribers.add(subscriber);
      return () => subscribers.delete(subscriber);
    },
  };
}
