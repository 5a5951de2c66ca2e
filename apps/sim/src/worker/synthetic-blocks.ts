/**
 * Synthetic blocks for fleets that should report blocks without spending CPU on Argon2id: the key, salt
 * segment and marker are right (so the platform's format, prefix, account and classification checks
 * pass), the hash segment is random, so Argon2id re-verification rejects them (`argon2_mismatch`).
 * Use `hashing/miner.ts` as the block source where genuine hashes matter.
 */
import { addressBytes, base64NoPad } from "@xenblocks/core";
import type { BlockSource, FoundBlock, MiningJob } from "./types.js";

const HEX = "0123456789abcdef";
// No uppercase letters: a random segment must not reach the 50 needed for a super block by accident.
const LOWER_B64 = "abcdefghijklmnopqrstuvwxyz0123456789+/";

function randomChars(alphabet: string, length: number, random: () => number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(random() * alphabet.length)];
  return out;
}

/** A block key for a job: its prefix (lease or `set_config`) followed by random lowercase hex, 64 in all. */
export function randomKey(keyPrefix: string, random: () => number): string {
  const prefix = keyPrefix.slice(0, 64);
  return prefix + randomChars(HEX, 64 - prefix.length, random);
}

export type SyntheticType = "normal" | "xuni";

/** A found block for `job`; xuni carries `XUNI<digit>` and no marker. */
export function syntheticBlock(
  job: Pick<MiningJob, "account" | "keyPrefix" | "memoryKiB" | "marker">,
  random: () => number = Math.random,
  blockType: SyntheticType = "normal",
): FoundBlock {
  const tag = blockType === "xuni" ? `XUNI${Math.floor(random() * 10)}` : job.marker;
  const body = randomChars(LOWER_B64, 86 - tag.length, random);
  const at = Math.floor(random() * (body.length + 1));
  const hashedPure = body.slice(0, at) + tag + body.slice(at);
  const salt = addressBytes(job.account);
  // An unusable consumer address (hazard H11) still yields a report; its salt cannot match anything.
  const saltB64 = salt ? base64NoPad(salt) : "A".repeat(27);
  return {
    key: randomKey(job.keyPrefix, random),
    hash: `$argon2id$v=19$m=${job.memoryKiB},t=1,p=1$${saltB64}$${hashedPure}`,
    attempts: 1 + Math.floor(random() * 5_000_000),
    blockType,
  };
}

/**
 * A block source that finds a synthetic block after an exponentially distributed wait (mean `meanMs`),
 * or resolves null when the job is aborted. One timer per pending job: for a few workers, not a fleet
 * (`Fleet` draws blocks from its own tick instead).
 */
export function syntheticBlockSource(meanMs: number, random: () => number = Math.random): BlockSource {
  return (job) =>
    new Promise((resolve) => {
      if (job.signal.aborted) return resolve(null);
      const wait = -Math.log(1 - random()) * meanMs;
      const onAbort = (): void => {
        clearTimeout(timer);
        resolve(null);
      };
      const timer = setTimeout(() => {
        job.signal.removeEventListener("abort", onAbort);
        resolve(syntheticBlock(job, random));
      }, wait);
      job.signal.addEventListener("abort", onAbort, { once: true });
    });
}
