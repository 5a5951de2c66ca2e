/** Real XenBlocks block hashes (Argon2id) and the CPU miner the simulated worker uses. */
export {
  type BlockHash,
  blockHash,
  blockHashBytes,
  createArgon2Verifier,
  DEFAULT_MAX_VERIFY_MEMORY_KIB,
  MIN_MEMORY_KIB,
  type VerifyOptions,
  verifyBlockHash,
} from "./argon2.js";
export {
  cryptoRandomHex,
  DEFAULT_MAX_ATTEMPTS,
  MAX_KEY_PREFIX_LENGTH,
  type MinedBlock,
  type MineOptions,
  mine,
  type RandomHex,
} from "./miner.js";
