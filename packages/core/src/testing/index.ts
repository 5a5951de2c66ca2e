/**
 * Deterministic stand-ins for the Clock and Ids ports, for tests, demos and simulations. Pure: no
 * wall clock and no global randomness, so a run with the same seed repeats exactly.
 */
import type { ChannelMessage, Clock, Ids, WorkerChannel } from "../ports.js";

export interface FakeClock extends Clock {
  set(ms: number): void;
  advance(ms: number): void;
}

export function fakeClock(startMs = 1_795_737_600_000 /* 2026-11-27T00:00Z */): FakeClock {
  let now = startMs;
  return {
    now: () => now,
    set: (ms) => {
      now = ms;
    },
    advance: (ms) => {
      now += ms;
    },
  };
}

/** A small, fast PRNG (mulberry32); good enough for ids in tests, not for secrets. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** Ids from a seeded generator; `sha256Hex` is a stable non-cryptographic stand-in (FNV-1a based). */
export function seededIds(seed = 1, clock?: Clock): Ids {
  const random = seededRandom(seed);
  const byte = () => Math.floor(random() * 256);
  const hex = (n: number) => Array.from({ length: n }, () => byte().toString(16).padStart(2, "0")).join("");
  return {
    uuidv7() {
      const ms = (clock?.now() ?? 0).toString(16).padStart(12, "0").slice(-12);
      const r = hex(10);
      const variant = ((Number.parseInt(r.slice(3, 4), 16) & 0x3) | 0x8).toString(16);
      return `${ms.slice(0, 8)}-${ms.slice(8, 12)}-7${r.slice(0, 3)}-${variant}${r.slice(4, 7)}-${r.slice(7, 19).padEnd(12, "0")}`;
    },
    randomHex: hex,
    randomBase64Url(bytes) {
      const chars = Math.ceil((bytes * 4) / 3);
      return Array.from({ length: chars }, () => B64URL[byte() & 63]).join("");
    },
    async sha256Hex(text) {
      // 8 rounds of FNV-1a with different offsets: stable and collision-resistant enough for tests.
      let out = "";
      for (let round = 0; round < 8; round++) {
        let h = (0x811c9dc5 ^ round) >>> 0;
        for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
        out += h.toString(16).padStart(8, "0");
      }
      return out;
    },
  };
}

/** A WorkerChannel that records what was sent, per worker, for assertions. */
export function recordingChannel(): WorkerChannel & {
  sent: { workerId: string; message: ChannelMessage }[];
  to(workerId: string): ChannelMessage[];
  clear(): void;
} {
  const sent: { workerId: string; message: ChannelMessage }[] = [];
  return {
    sent,
    async send(workerId, message) {
      sent.push({ workerId, message });
    },
    to: (workerId) => sent.filter((s) => s.workerId === workerId).map((s) => s.message),
    clear: () => {
      sent.length = 0;
    },
  };
}
