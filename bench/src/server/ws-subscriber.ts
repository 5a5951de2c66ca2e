/**
 * A lean live-event subscriber: one raw TCP socket speaking just enough WebSocket (RFC 6455: the
 * upgrade, masked client frames, unmasked server frames, ping → pong, close) and tRPC's WS protocol
 * (`{"id", "method": "subscription", "params": {"path", "input"}}` in, `started` / `data` / `error` /
 * `stopped` results out), which is what `@trpc/client`'s `wsLink` speaks. 500 of them in one process
 * would cost far more as `createWSClient` + `ws` instances (each message is parsed into objects and
 * goes through observables); here a heartbeat event is not JSON-parsed at all: the worker id, the
 * server's `lastSeenAt` and the tracked event id are read out of the frame's bytes.
 *
 * Like a real client it resumes when the server drops it: after a `TOO_MANY_REQUESTS` error (its queue
 * overflowed) it subscribes again with its last event id; after a close (1013 "too slow") it reconnects
 * and does the same.
 */
import { randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";

export interface SubscriberCounters {
  heartbeats: number;
  snapshots: number;
  otherEvents: number;
  /** `error` results on the subscription (queue overflow: TOO_MANY_REQUESTS). */
  subscriptionErrors: number;
  /** Close frames or socket ends from the server, by close code ("none" for a plain socket end). */
  closes: Record<string, number>;
  reconnects: number;
  resubscribes: number;
  bytes: number;
}

export const newCounters = (): SubscriberCounters => ({
  heartbeats: 0,
  snapshots: 0,
  otherEvents: 0,
  subscriptionErrors: 0,
  closes: {},
  reconnects: 0,
  resubscribes: 0,
  bytes: 0,
});

/** Called for each heartbeat event: the worker id, the server's `lastSeenAt`, when its frame arrived. */
export type HeartbeatSink = (workerId: string, lastSeenAt: number, arrivedAt: number) => void;

const WORKER_ID = Buffer.from('"workerId":"');
const LAST_SEEN = Buffer.from('"lastSeenAt":');
// tRPC's data message: {"id":<sub>,"result":{"type":"data","data":{"id":"<tracked id>","data":…},"id":…}}
const TRACKED_ID = Buffer.from('"type":"data","data":{"id":"');
const HEARTBEAT = Buffer.from('"type":"heartbeat"');
const SNAPSHOT = Buffer.from('"type":"snapshot"');
const STARTED = Buffer.from('"type":"started"');
const ERROR = Buffer.from('"error":');

function maskedFrame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + 4 + length);
  frame[0] = 0x80 | opcode;
  if (length < 126) frame[1] = 0x80 | length;
  else if (length < 65_536) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  const mask = randomBytes(4);
  mask.copy(frame, header);
  for (let i = 0; i < length; i++) frame[header + 4 + i] = (payload[i] as number) ^ (mask[i & 3] as number);
  return frame;
}

export class LiveSubscriber {
  private socket: Socket | null = null;
  private pending: Buffer | null = null;
  private upgraded = false;
  private fragments: Buffer[] = [];
  private subscriptionId = 0;
  private lastEventId: string | null = null;
  private closing = false;
  private onStarted: (() => void) | null = null;
  private retry = 0;

  constructor(
    private readonly port: number,
    private readonly input: Record<string, unknown>,
    private readonly sink: HeartbeatSink,
    readonly counters: SubscriberCounters,
  ) {}

  /** Connects and subscribes; resolves when the server says `started`. */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.onStarted = resolve;
      this.open(reject);
    });
  }

  close(): void {
    this.closing = true;
    const socket = this.socket;
    if (!socket || socket.destroyed) return;
    socket.end(maskedFrame(0x8, Buffer.from([0x03, 0xe8])));
    setTimeout(() => socket.destroy(), 1000).unref();
  }

  private open(onError?: (e: Error) => void): void {
    const socket = connect(this.port, "127.0.0.1");
    this.socket = socket;
    this.pending = null;
    this.upgraded = false;
    this.fragments = [];
    socket.setNoDelay(true);
    socket.once("connect", () => {
      socket.write(
        `GET /trpc HTTP/1.1\r\nHost: 127.0.0.1:${this.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.once("error", (e) => {
      if (onError && !this.upgraded) onError(e);
    });
    socket.once("close", () => {
      if (this.socket !== socket || this.closing) return;
      if (this.upgraded) {
        // Closed without a close frame we saw (counted there if there was one).
        this.counters.reconnects++;
      }
      // As wsLink: at once the first time, then backing off.
      const delay = this.retry === 0 ? 0 : Math.min(1000 * 2 ** this.retry, 30_000);
      this.retry++;
      setTimeout(() => {
        if (!this.closing) this.open();
      }, delay);
    });
  }

  private subscribe(): void {
    this.subscriptionId++;
    const input = this.lastEventId === null ? this.input : { ...this.input, lastEventId: this.lastEventId };
    const message = {
      id: this.subscriptionId,
      method: "subscription",
      params: { path: "live.events", input },
    };
    this.socket?.write(maskedFrame(0x1, Buffer.from(JSON.stringify(message))));
  }

  private onData(chunk: Buffer): void {
    const arrivedAt = Date.now();
    this.counters.bytes += chunk.length;
    let buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = null;
    if (!this.upgraded) {
      const end = buf.indexOf("\r\n\r\n");
      if (end < 0) {
        this.pending = buf;
        return;
      }
      const head = buf.subarray(0, end).toString("latin1");
      if (!head.startsWith("HTTP/1.1 101")) {
        this.socket?.destroy(new Error(`upgrade refused: ${head.split("\r\n")[0]}`));
        return;
      }
      this.upgraded = true;
      this.subscribe();
      buf = buf.subarray(end + 4);
    }
    let offset = 0;
    while (buf.length - offset >= 2) {
      const b0 = buf[offset] as number;
      const b1 = buf[offset + 1] as number;
      let length = b1 & 0x7f;
      let header = 2;
      if (length === 126) {
        if (buf.length - offset < 4) break;
        length = buf.readUInt16BE(offset + 2);
        header = 4;
      } else if (length === 127) {
        if (buf.length - offset < 10) break;
        length = Number(buf.readBigUInt64BE(offset + 2));
        header = 10;
      }
      if (buf.length - offset < header + length) break;
      const payload = buf.subarray(offset + header, offset + header + length);
      offset += header + length;
      const opcode = b0 & 0x0f;
      const fin = (b0 & 0x80) !== 0;
      if (opcode === 0x0 || ((opcode === 0x1 || opcode === 0x2) && !fin)) {
        this.fragments.push(Buffer.from(payload));
        if (fin) {
          const whole = Buffer.concat(this.fragments);
          this.fragments = [];
          this.onMessage(whole, arrivedAt);
        }
      } else if (opcode === 0x1 || opcode === 0x2) this.onMessage(payload, arrivedAt);
      else if (opcode === 0x9) this.socket?.write(maskedFrame(0xa, Buffer.from(payload)));
      else if (opcode === 0x8) {
        const code = payload.length >= 2 ? String(payload.readUInt16BE(0)) : "none";
        this.counters.closes[code] = (this.counters.closes[code] ?? 0) + 1;
        this.socket?.end();
      }
    }
    if (offset < buf.length) this.pending = Buffer.from(buf.subarray(offset));
  }

  private onMessage(message: Buffer, arrivedAt: number): void {
    if (message.indexOf(HEARTBEAT) >= 0) {
      this.counters.heartbeats++;
      const w = message.indexOf(WORKER_ID);
      const l = message.indexOf(LAST_SEEN);
      if (w >= 0 && l >= 0) {
        const start = w + WORKER_ID.length;
        const workerId = message.toString("latin1", start, message.indexOf(0x22, start));
        let lastSeenAt = 0;
        for (let i = l + LAST_SEEN.length; i < message.length; i++) {
          const c = message[i] as number;
          if (c < 0x30 || c > 0x39) break;
          lastSeenAt = lastSeenAt * 10 + (c - 0x30);
        }
        this.sink(workerId, lastSeenAt, arrivedAt);
      }
      this.rememberId(message);
      return;
    }
    if (message.indexOf(SNAPSHOT) >= 0) {
      this.counters.snapshots++;
      this.rememberId(message);
      return;
    }
    if (message.indexOf(STARTED) >= 0) {
      this.retry = 0;
      this.onStarted?.();
      this.onStarted = null;
      return;
    }
    const e = message.indexOf(ERROR);
    if (e >= 0 && e < 32) {
      // The server ended the subscription (its queue overflowed): resume from the last id.
      this.counters.subscriptionErrors++;
      this.counters.resubscribes++;
      this.subscribe();
      return;
    }
    if (message.indexOf(TRACKED_ID) >= 0) {
      this.counters.otherEvents++;
      this.rememberId(message);
    }
  }

  private rememberId(message: Buffer): void {
    const t = message.indexOf(TRACKED_ID);
    if (t < 0) return;
    const start = t + TRACKED_ID.length;
    this.lastEventId = message.toString("latin1", start, message.indexOf(0x22, start));
  }
}
