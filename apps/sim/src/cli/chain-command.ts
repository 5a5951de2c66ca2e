/**
 * `chain`: the chain simulator on its own port (api.md §5), what workers' `--rpcLink` points at when no
 * platform embeds it. Runs until SIGINT/SIGTERM, then writes its state before returning.
 */
import { DEFAULT_BLOCK_MARKER } from "@xenblocks/core";
import { DEFAULT_CHAIN_PORT, startChainServer } from "../chain/chain-server.js";
import { INITIAL_DIFFICULTY, MAX_DIFFICULTY } from "../chain/rules.js";
import {
  type CliIo,
  EXIT_FAILURE,
  EXIT_OK,
  type ExitCode,
  println,
  UsageError,
  untilStopped,
} from "./cli-io.js";
import { integerFlag, parseFlags } from "./flags.js";
import { markerFlag } from "./marker.js";

export const DEFAULT_CHAIN_DATA = "data/chain-simulator.json";

export const CHAIN_HELP = `pnpm sim -- chain — the XenBlocks chain RPC the worker talks to (its --rpcLink)

Usage: pnpm sim -- chain [--port P] [--host H] [--data FILE | --memory] [--marker M]
                         [--verify-argon2] [--xuni-window] [--difficulty D]

  --port P          port to listen on (default ${DEFAULT_CHAIN_PORT}; 0 = any free port)
  --host H          interface to bind (default: all, since workers connect from other machines)
  --data FILE       state file, written in batches and on exit (default ${DEFAULT_CHAIN_DATA})
  --memory          keep the chain in memory only (nothing written)
  --marker M        block marker (default XEN11; a test fleet's --block-marker, e.g. XN)
  --verify-argon2   recompute Argon2id for every submitted block ("Hash verification failed" otherwise)
  --xuni-window     accept xuni blocks only in minutes 0-4 and 55-59 of the hour
  --difficulty D    difficulty of a new chain (default ${INITIAL_DIFFICULTY}; a saved chain keeps its own)
  -h, --help        this text

Serves GET /difficulty, POST /verify, GET /getblocks/lastblock, GET /balance/{address},
GET /chain/stats, GET /chain/blocks and GET / until SIGINT or SIGTERM, then saves its state.

Example: pnpm sim -- chain --port 8545 --marker XN --verify-argon2`;

export async function chainCommand(args: readonly string[], io: CliIo): Promise<ExitCode> {
  const { values } = parseFlags("chain", {
    args: [...args],
    options: {
      port: { type: "string" },
      host: { type: "string" },
      data: { type: "string" },
      memory: { type: "boolean" },
      marker: { type: "string" },
      "verify-argon2": { type: "boolean" },
      "xuni-window": { type: "boolean" },
      difficulty: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    println(io.out, CHAIN_HELP);
    return EXIT_OK;
  }
  const port = integerFlag("port", values.port, { min: 0, max: 65_535 }, DEFAULT_CHAIN_PORT);
  const difficulty = integerFlag(
    "difficulty",
    values.difficulty,
    { min: 1, max: MAX_DIFFICULTY },
    INITIAL_DIFFICULTY,
  );
  const marker = markerFlag("marker", values.marker);
  if (values.memory && values.data !== undefined)
    throw new UsageError("--data and --memory exclude each other", "chain");
  const path = values.memory ? undefined : (values.data ?? DEFAULT_CHAIN_DATA);

  let server: Awaited<ReturnType<typeof startChainServer>>;
  try {
    server = await startChainServer({
      port,
      ...(values.host !== undefined && { host: values.host }),
      ...(path !== undefined && { path }),
      ...(marker !== undefined && { marker }),
      verifyArgon2: values["verify-argon2"] ?? false,
      enforceXuniWindow: values["xuni-window"] ?? false,
      initialDifficulty: difficulty,
    });
  } catch (error) {
    println(io.err, `chain simulator: could not start: ${(error as Error).message}`);
    return EXIT_FAILURE;
  }
  const stats = server.chain.stats();
  println(
    io.out,
    `chain simulator listening on port ${server.port} (difficulty ${stats.difficulty}, ${stats.total_blocks} blocks, ` +
      `marker ${marker ?? DEFAULT_BLOCK_MARKER}, argon2 verification ${values["verify-argon2"] ? "on" : "off"}, ` +
      `state ${path ?? "in memory"})`,
  );

  await untilStopped(io.stop);
  try {
    // close() writes the pending state; report success only after it has.
    await server.close();
  } catch (error) {
    println(io.err, `chain simulator: could not save its state: ${(error as Error).message}`);
    return EXIT_FAILURE;
  }
  println(io.out, path ? `chain state saved to ${path}` : "chain simulator stopped");
  return EXIT_OK;
}
