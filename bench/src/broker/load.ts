/**
 * A lean load generator: raw TCP sockets speaking just enough MQTT 3.1.1 (CONNECT as the real worker
 * does, with its retained Last Will; QoS 1 PUBLISH; DISCONNECT). One process holds 10,000 of them,
 * which mqtt.js clients could not do cheaply enough to leave CPU for the broker under test.
 */
import { connect, type Socket } from "node:net";
import mqttPacket from "mqtt-packet";

export interface RawWorker {
  id: string;
  socket: Socket;
  nextMessageId: number;
}

const PUBACK_BYTES = 4; // 0x40, 0x02, message id (2 bytes): the only thing the broker sends after CONNACK.

export class LoadGenerator {
  readonly workers: RawWorker[] = [];
  acked = 0;
  sent = 0;
  /** Largest number of messages sent in one tick of the last run: how bursty the load was. */
  maxBurst = 0;

  constructor(
    private readonly port: number,
    private readonly host = "127.0.0.1",
  ) {}

  /** Connects `count` workers, `parallel` at a time; resolves when every CONNACK has arrived. */
  async connectAll(count: number, parallel = 500, onProgress?: (n: number) => void): Promise<void> {
    let next = 0;
    const one = async () => {
      while (next < count) {
        const i = next++;
        this.workers.push(await this.connectOne(`bench${String(i).padStart(6, "0")}`));
        onProgress?.(this.workers.length);
      }
    };
    await Promise.all(Array.from({ length: parallel }, one));
  }

  private connectOne(id: string): Promise<RawWorker> {
    return new Promise((resolve, reject) => {
      const socket = connect(this.port, this.host);
      socket.setNoDelay(true);
      const worker: RawWorker = { id, socket, nextMessageId: 1 };
      let connacked = false;
      socket.once("connect", () => {
        const will = { worker_id: id, status: "offline", timestamp: Math.floor(Date.now() / 1000) };
        socket.write(
          mqttPacket.generate({
            cmd: "connect",
            protocolId: "MQTT",
            protocolVersion: 4,
            clean: true,
            clientId: `xenminer_${id}`,
            keepalive: 600,
            will: {
              topic: `xenminer/${id}/status`,
              payload: Buffer.from(JSON.stringify(will)),
              qos: 1,
              retain: true,
            },
          }),
        );
      });
      socket.on("data", (chunk: Buffer) => {
        if (!connacked) {
          connacked = true;
          if (chunk[0] !== 0x20 || chunk[3] !== 0) return reject(new Error(`CONNACK refused for ${id}`));
          chunk = chunk.subarray(4);
          resolve(worker);
        }
        this.acked += chunk.length / PUBACK_BYTES;
      });
      socket.once("error", reject);
    });
  }

  /** One QoS 1 heartbeat carrying its send time, as the platform's latency probe reads it. */
  publishHeartbeat(worker: RawWorker): void {
    const payload = {
      worker_id: worker.id,
      hashrate: 2408.16,
      active_gpus: 2,
      accepted_blocks: 0,
      difficulty: 1727,
      address: "0x8d56DA55A9D91b40AfF945714b19E9DfDE32D9C2",
      prefix: "",
      block_pattern: "",
      uptime_sec: 600,
      timestamp: Math.floor(Date.now() / 1000),
      bench_sent_at: performance.timeOrigin + performance.now(),
    };
    const messageId = worker.nextMessageId;
    worker.nextMessageId = messageId === 65_535 ? 1 : messageId + 1;
    worker.socket.write(
      mqttPacket.generate({
        cmd: "publish",
        topic: `xenminer/${worker.id}/heartbeat`,
        payload: Buffer.from(JSON.stringify(payload)),
        qos: 1,
        messageId,
        retain: false,
        dup: false,
      }),
    );
    this.sent += 1;
  }

  /**
   * Publishes round-robin at `rate` messages/s for `seconds`, never more than `maxInFlight`
   * unacknowledged: if the broker falls behind, the achieved rate shows it.
   */
  async run(rate: number, seconds: number, maxInFlight: number, onTick?: () => void): Promise<void> {
    const start = performance.now();
    const startSent = this.sent;
    this.maxBurst = 0;
    let cursor = 0;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const elapsed = (performance.now() - start) / 1000;
        if (elapsed >= seconds) {
          clearInterval(timer);
          resolve();
          return;
        }
        const due = Math.floor(rate * elapsed) - (this.sent - startSent);
        const room = maxInFlight - (this.sent - this.acked);
        const burst = Math.max(0, Math.min(due, room));
        if (burst > this.maxBurst) this.maxBurst = burst;
        for (let i = 0; i < burst; i++) {
          this.publishHeartbeat(this.workers[cursor] as RawWorker);
          cursor = (cursor + 1) % this.workers.length;
        }
        onTick?.();
      }, 2);
    });
  }

  async disconnectAll(): Promise<void> {
    const packet = mqttPacket.generate({ cmd: "disconnect" });
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            w.socket.once("close", () => resolve());
            w.socket.end(packet);
          }),
      ),
    );
  }
}
