/** The part of a broker connection the worker channel needs, the same in both modes. */
export interface WorkerTransport {
  readonly mode: "embedded" | "external";
  /** True while the worker can receive (embedded: its connection is open; external: last seen live). */
  isConnected(workerId: string): boolean;
  /** Publishes a command QoS 1, never retained; resolves once the broker has taken it. */
  publish(topic: string, payload: Buffer): Promise<void>;
  /** Workers currently connected (embedded) or believed reachable (external). */
  connectedWorkers(): number;
  /** Their worker ids (MQTT client ids are `xenminer_<id>`), sorted. */
  connectedWorkerIds(): string[];
}

/** Thrown by the channel for a worker that is not connected: nothing is ever queued for later. */
export class WorkerOfflineError extends Error {
  constructor(readonly workerId: string) {
    super(`worker ${workerId} is not connected`);
    this.name = "WorkerOfflineError";
  }
}
