/**
 * The XenBlocks chain simulator (api.md §5): a state you can embed, a file store, a framework-free HTTP
 * handler for any server, and a standalone node:http server.
 */
export {
  type ChainRequest,
  type ChainResponse,
  handleChainRequest,
  isChainPath,
  MAX_BLOCKS_LIMIT,
  MAX_CHAIN_BODY_BYTES,
  type QueryInput,
} from "./chain-http.js";
export {
  CHAIN_SERVICE_NAME,
  type ChainServer,
  type ChainServerOptions,
  DEFAULT_CHAIN_PORT,
  startChainServer,
} from "./chain-server.js";
export {
  type BlockQuery,
  type ChainBlock,
  type ChainOptions,
  type ChainSnapshot,
  ChainState,
  type ChainStats,
  chainPort,
  DEFAULT_BLOCK_LIMIT,
  type HashVerifier,
  type SubmitResult,
} from "./chain-state.js";
export {
  type ChainHandle,
  DEFAULT_FLUSH_DELAY_MS,
  loadSnapshot,
  type OpenChainOptions,
  openChain,
  writeSnapshotAtomic,
} from "./chain-store.js";
export {
  BLOCK_REWARD_XNM,
  type ChainBlockType,
  classifySubmittedHash,
  DIFFICULTY_PERIOD_BLOCKS,
  difficultyAfterAccepting,
  INITIAL_DIFFICULTY,
  isInXuniWindow,
  MAX_DIFFICULTY,
  MIN_DIFFICULTY,
  raisedDifficulty,
} from "./rules.js";
export { parseSnapshot } from "./snapshot.js";
export { parseVerifyRequest, type VerifyRequest } from "./verify-input.js";
